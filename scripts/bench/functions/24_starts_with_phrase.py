import string

def evaluate(response):
    # Write a letter. Your response must start with the word "Dear".
    stripped = response.lstrip()
    if not stripped:
        return False
    first_word = stripped.split()[0].strip(string.punctuation)
    return first_word == "Dear"

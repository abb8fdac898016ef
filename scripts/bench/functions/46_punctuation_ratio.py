import string

def evaluate(response):
    # Keep punctuation sparse: punctuation marks must be less than 4% of all characters.
    if len(response) == 0:
        return False
    punct = sum(1 for ch in response if ch in string.punctuation)
    return punct / len(response) < 0.04

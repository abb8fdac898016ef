import string

def evaluate(response):
    letters = [ch for ch in response if ch in string.ascii_letters]
    if not letters:
        return False
    return all(ch.isupper() for ch in letters)

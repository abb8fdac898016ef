import unicodedata

def is_latin(ch):
    try:
        return "LATIN" in unicodedata.name(ch)
    except ValueError:
        return False

def evaluate(response):
    """Your ENTIRE response should be in English; no other language is allowed."""
    letters = [c for c in response if c.isalpha()]
    if not letters:
        return False
    foreign = [c for c in letters if not is_latin(c) or c in "éèàçñüöäß¿¡"]
    return len(foreign) == 0

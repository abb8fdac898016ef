import unicodedata

def evaluate(response):
    """Do not use any emojis in the response."""
    for char in response:
        category = unicodedata.category(char)
        if category == "So" or 0x1F300 <= ord(char) <= 0x1FAFF:
            return False
    return True

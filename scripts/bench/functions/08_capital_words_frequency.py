import re

def evaluate(response):
    """Words with all capital letters should appear less than 5 times."""
    capital_words = re.findall(r"\b[A-Z]{2,}\b", response)
    return len(capital_words) < 5

import re

def evaluate(response):
    # Use at least 5 different words that start with the letter "b".
    words = re.findall(r"\b[bB][a-zA-Z]*\b", response)
    unique_words = set(w.lower() for w in words)
    return len(unique_words) >= 5

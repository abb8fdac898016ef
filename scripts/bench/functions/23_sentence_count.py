import re

def count_sentences(text):
    sentences = re.split(r'(?<=[.!?])\s+', text.strip())
    return len([s for s in sentences if re.search(r'\w', s)])

def evaluate(response):
    """Your answer must contain fewer than 10 sentences."""
    return count_sentences(response) < 10

from collections import Counter
import re

def evaluate(response):
    """In your response, the word 'the' should appear at least 8 times."""
    words = re.findall(r"\w+", response.lower())
    counts = Counter(words)
    return counts["the"] >= 8

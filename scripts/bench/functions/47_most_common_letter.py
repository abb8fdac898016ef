from collections import Counter

def evaluate(response):
    """As in normal English text, the most common letter of the response must be 'e'."""
    letters = Counter(ch for ch in response.lower() if ch.isalpha())
    if not letters:
        return False
    most_common_letter, _ = letters.most_common(1)[0]
    return most_common_letter == "e"

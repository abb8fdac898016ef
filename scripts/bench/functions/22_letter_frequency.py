import collections

def evaluate(response):
    # In your response, the letter q should appear at least 2 times.
    letter_counts = collections.Counter(response.lower())
    return letter_counts['q'] >= 2

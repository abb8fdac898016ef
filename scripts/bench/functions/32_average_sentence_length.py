import re
import statistics


def evaluate(response):
    # Keep sentences short: the average sentence length must be under 15 words.
    sentences = [s for s in re.split(r"[.!?]+", response) if s.strip()]
    if not sentences:
        return False
    lengths = [len(s.split()) for s in sentences]
    return statistics.mean(lengths) < 15

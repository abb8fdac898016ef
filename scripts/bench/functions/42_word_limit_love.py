import re

def evaluate(response):
    # The word "quiet" should appear fewer than 2 times, and "forest" at least once.
    text = response.lower()
    quiet = len(re.findall(r"\bquiet\b", text))
    forest = len(re.findall(r"\bforest\b", text))
    return quiet < 2 and forest >= 1

import re

def _sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]

def evaluate(response):
    """The word 'learn' must appear in both the first and the last sentence."""
    sentences = _sentences(response)
    first, last = sentences[0].lower(), sentences[-1].lower()
    return "learn" in first and "learn" in last

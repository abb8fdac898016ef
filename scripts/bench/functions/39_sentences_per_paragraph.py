import re


def sentences_in(paragraph):
    return [s for s in re.split(r"(?<=[.!?])\s+", paragraph.strip()) if s]


def paragraphs_of(text):
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def evaluate(response):
    """Each paragraph must contain at most 4 sentences."""
    for paragraph in paragraphs_of(response):
        if len(sentences_in(paragraph)) > 4:
            return False
    return True

import re

def evaluate(response):
    # Your response must have 3 sections. Mark the beginning of each section with SECTION X.
    sections = re.split(r"\s?SECTION\s?\d+\s?", response)
    # the text before the first marker is not a section
    return len(sections) - 1 == 3

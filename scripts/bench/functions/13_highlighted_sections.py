import re

def evaluate(response):
    """Highlight at least 2 sections in your answer with markdown, i.e. *highlighted section*."""
    highlights = re.findall(r"\*[^\n\*]+\*", response)
    double = re.findall(r"\*\*[^\n\*]+\*\*", response)
    count = 0
    for h in highlights + double:
        if h.strip("*").strip():
            count += 1
    return count >= 2

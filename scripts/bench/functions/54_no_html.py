import html
import re

def evaluate(response):
    """Plain text only: no HTML tags and no HTML entities."""
    if html.unescape(response) != response:
        return False
    return re.search(r"</?[a-zA-Z][^>]*>", response) is None

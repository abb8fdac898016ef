import re

def evaluate(response):
    """Include at least one link (a URL starting with http:// or https://)."""
    urls = re.findall(r'https?://[^\s<>"]+', response)
    return len(urls) > 0

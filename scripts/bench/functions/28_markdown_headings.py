import re

def evaluate(response):
    # Use at least 3 markdown headings (lines starting with #).
    headings = [line for line in response.splitlines() if re.match(r"^#{1,6}\s+\S", line)]
    return len(headings) >= 3

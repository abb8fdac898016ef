import re

def evaluate(response):
    """At the end of the response, add a postscript starting with P.S."""
    lines = [line.strip() for line in response.strip().split("\n") if line.strip()]
    if not lines:
        return False
    # the postscript may span several lines, so look for it anywhere after the body
    for line in lines[1:]:
        if re.match(r"^P\.?\s?S\.?", line):
            return True
    return False

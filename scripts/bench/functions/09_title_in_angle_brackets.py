import re

def evaluate(response):
    # The answer must contain a title wrapped in double angular brackets, such as <<poem of joy>>.
    match = re.search(r"<<([^<>\n]+)>>", response)
    if match is None:
        return False
    title = match.group(1).strip()
    return len(title) > 0

import textwrap

def evaluate(response):
    # Each paragraph should read like a short note: when wrapped at 60 columns, at most 6 lines.
    paragraphs = [p for p in response.split("\n\n") if p.strip()]
    for p in paragraphs:
        if len(textwrap.wrap(p, width=60)) > 6:
            return False
    return len(paragraphs) > 0

def evaluate(response):
    # There should be exactly 3 paragraphs, separated by the markdown divider ***
    paragraphs = [p.strip() for p in response.split("***")]
    paragraphs = [p for p in paragraphs if p]
    return len(paragraphs) == 3

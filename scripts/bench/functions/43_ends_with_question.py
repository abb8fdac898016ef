def evaluate(response):
    """Finish your response with a question to the reader."""
    text = response.rstrip().rstrip('"').rstrip()
    return text.endswith("?")

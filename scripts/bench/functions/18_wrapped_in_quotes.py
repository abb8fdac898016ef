def evaluate(response):
    """Wrap your entire response with double quotation marks."""
    response = response.strip()
    return len(response) > 1 and response[0] == '"' and response[-1] == '"'

def evaluate(response):
    # In your entire response, refrain from the use of any commas.
    return "," not in response

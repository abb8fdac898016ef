def evaluate(response):
    # Include at least 2 questions in the response.
    return response.count("?") >= 2

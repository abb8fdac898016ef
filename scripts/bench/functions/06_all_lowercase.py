def evaluate(response):
    # The entire response should be in English and in all lowercase letters.
    return response == response.lower()

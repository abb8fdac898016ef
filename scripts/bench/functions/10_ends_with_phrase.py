def evaluate(response):
    target = "Is there anything else I can help with?"
    return response.strip().endswith(target)

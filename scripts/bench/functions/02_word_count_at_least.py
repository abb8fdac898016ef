def evaluate(response: str) -> bool:
    """Check that the response contains at least 120 words."""
    word_count = len(response.split())
    if word_count >= 120:
        return True
    else:
        return False

def evaluate(response):
    """Give two different responses. Responses and only responses should be separated by 6 asterisk symbols: ******."""
    parts = response.split("******")
    if len(parts) != 2:
        return False
    first, second = parts[0].strip(), parts[1].strip()
    return bool(first) and bool(second) and first != second

def evaluate(response):
    """Write at least 5 lines, and do not start with an introduction like 'Sure'."""
    lines = [line for line in response.split("\n") if line.strip()]
    return not response.startswith("Sure") and len(lines) >= 5 and len(lines)

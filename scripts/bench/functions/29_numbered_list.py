import re

def evaluate(response):
    """The answer must be a numbered list with at least 5 items, numbered 1, 2, 3, ... in order."""
    numbers = []
    for line in response.split("\n"):
        m = re.match(r"^\s*(\d+)[.)]\s+", line)
        if m:
            numbers.append(int(m.group(1)))
    if len(numbers) < 5:
        return False
    return numbers == list(range(1, len(numbers) + 1))

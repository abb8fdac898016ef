import re

def evaluate(response):
    # The response must contain at least 2 placeholders represented by square brackets, such as [address].
    placeholders = re.findall(r"\[[^\[\]]+\]", response)
    return len(placeholders) >= 2

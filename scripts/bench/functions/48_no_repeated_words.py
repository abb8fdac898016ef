import re

def evaluate(response):
    # The response must not contain the same word twice in a row (e.g. "the the").
    words = re.findall(r"[A-Za-z']+", response.lower())
    for i in range(1, len(words)):
        if words[i] == words[i - 1]:
            return False
    return True

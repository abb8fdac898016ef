import re

def evaluate(response):
    # Do not include the words "however", "still" or "course" in the response.
    forbidden = ["however", "still", "course"]
    words = set(re.findall(r"[a-z']+", response.lower()))
    return not any(word in words for word in forbidden)

import re

KEYWORDS = ["train", "temple", "festival"]

def evaluate(response):
    text = response.lower()
    for keyword in KEYWORDS:
        if not re.search(r"\b" + re.escape(keyword) + r"s?\b", text):
            return False
    return True

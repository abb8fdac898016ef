import re

def evaluate(response):
    # Instruction: answer in fewer than 300 words.
    words = re.findall(r"\b\w+\b", response)
    return len(words) < 300

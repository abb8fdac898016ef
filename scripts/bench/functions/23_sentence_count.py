import re

def count_sentences(text):
    sentences = re.split(r'(?<=[.!?])\s+', text.strip())
    return len([s for s in sentences if re.search(r'\w', s)])

def evaluate(response):
    """Your answer must contain fewer than 10 sentences."""
    return count_sentences(response) < 10

# Test cases
if __name__ == "__main__":
    assert evaluate("Short answer. Done.") == True
    assert evaluate(" ".join(["A sentence."] * 12)) == False
    print("all tests passed")

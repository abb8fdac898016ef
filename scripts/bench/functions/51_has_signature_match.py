import re

def evaluate(response):
    # The email should end with a signature placeholder such as [Your Name].
    return re.search(r"\[Your Name\]\s*$", response.strip())

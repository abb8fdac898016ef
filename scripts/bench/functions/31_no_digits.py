import re

def evaluate(response):
    """Do not use any numbers (digits) in your response; spell them out instead."""
    return re.search(r"\d", response) is None

import re

def split_paragraphs(text):
    parts = re.split(r"\n\s*\n", text.strip())
    return [p.strip() for p in parts if p.strip()]

def evaluate(response):
    """
    Instruction: Write 4 paragraphs separated by blank lines.
    The 2nd paragraph must start with the word "However".
    """
    paragraphs = split_paragraphs(response)
    if len(paragraphs) != 4:
        return False
    first_word = paragraphs[1].split()[0].strip(",.!?;:").lower()
    return first_word == "however"

# Instruction: "Answer in exactly three bullet points, each starting with a capital letter."
# Written the way models write verification functions: an import, a helper, and evaluate().
import re


def _bullets(text):
    return [line.strip() for line in text.splitlines() if re.match(r"^\s*[-*\u2022]\s+", line)]


def evaluate(response):
    bullets = _bullets(response)
    if len(bullets) != 3:
        return False
    for bullet in bullets:
        body = re.sub(r"^[-*\u2022]\s+", "", bullet)
        if not body or not body[0].isupper():
            return False
    return True

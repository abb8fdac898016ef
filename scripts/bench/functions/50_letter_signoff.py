import re

SIGN_OFFS = ("best regards", "sincerely", "warm wishes", "kind regards", "yours truly")

def evaluate(response):
    # A formal letter: greeting on the first line, a sign-off followed by a name at the end.
    lines = [l.strip() for l in response.strip().splitlines() if l.strip()]
    if len(lines) < 3:
        return False
    if not re.match(r"^(dear|hello|hi)\b", lines[0], re.IGNORECASE):
        return False
    return lines[-2].rstrip(",").lower() in SIGN_OFFS and len(lines[-1].split()) <= 3

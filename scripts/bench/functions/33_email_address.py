import re

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

def evaluate(response):
    # The letter must include a contact email address.
    return bool(EMAIL_RE.search(response))

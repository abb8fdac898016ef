import re
from datetime import datetime

def evaluate(response):
    # Mention the deadline as a date in the format YYYY-MM-DD.
    for candidate in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", response):
        try:
            datetime.strptime(candidate, "%Y-%m-%d")
            return True
        except ValueError:
            continue
    return False

import difflib

def evaluate(response):
    # Provide two alternative answers separated by ******; they must be clearly different.
    if response.count("******") != 1:
        return False
    first, second = (part.strip() for part in response.split("******"))
    similarity = difflib.SequenceMatcher(None, first, second).ratio()
    return similarity < 0.6

import json
import re

def evaluate(response):
    """Respond with JSON: {"answer": true|false, "reason": "...", "confidence": 0..1}."""
    match = re.search(r"\{.*\}", response, re.DOTALL)
    if not match:
        return False
    try:
        obj = json.loads(match.group(0))
    except json.JSONDecodeError:
        return False
    conf = obj.get("confidence")
    return isinstance(obj.get("answer"), bool) and isinstance(conf, (int, float)) and 0 <= conf <= 1

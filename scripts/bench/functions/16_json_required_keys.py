import json
import re


def extract_json(text):
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        return fenced.group(1)
    start = text.find("{")
    end = text.rfind("}")
    return text[start:end + 1]


def evaluate(response):
    # The output must be a JSON object with the keys "title", "summary" and "points".
    try:
        data = json.loads(extract_json(response))
    except Exception:
        return False
    if not isinstance(data, dict):
        return False
    required = {"title", "summary", "points"}
    return required.issubset(data.keys()) and isinstance(data["points"], list)

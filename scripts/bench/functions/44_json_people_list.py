import json

def evaluate(response):
    # Output a JSON list of people; every entry needs a "name" (string) and an "age" (integer).
    text = response.strip()
    if text.startswith("```"):
        text = text.strip("`")
        if text.startswith("json"):
            text = text[4:]
    data = json.loads(text)
    if not isinstance(data, list) or len(data) == 0:
        return False
    for person in data:
        if not isinstance(person.get("name"), str):
            return False
        if not isinstance(person.get("age"), int):
            return False
    return True

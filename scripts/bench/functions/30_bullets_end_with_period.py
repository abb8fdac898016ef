def get_bullets(response):
    bullets = []
    for line in response.splitlines():
        s = line.strip()
        if s.startswith(("* ", "- ", "\u2022 ")):
            bullets.append(s[2:].strip())
    return bullets


def evaluate(response):
    # Every bullet point must be a full sentence ending with a period.
    bullets = get_bullets(response)
    if len(bullets) == 0:
        return False
    return all(b.endswith(".") for b in bullets)

import re


def count_bullet_points(text):
    bullet_pattern = re.compile(r"^\s*[\*\-]\s+", re.MULTILINE)
    return len(bullet_pattern.findall(text))


def evaluate(response):
    """The response must contain exactly 4 bullet points in markdown format."""
    return count_bullet_points(response) == 4


if __name__ == "__main__":
    sample = "* one\n* two\n* three\n* four"
    print(evaluate(sample))  # expected: True

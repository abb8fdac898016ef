"""Deterministic generator of responses that look like what chat models write.

Each response is one of a few shapes models produce (essay, bullet or numbered list, JSON,
markdown sections, a letter, a Q&A, two alternatives separated by asterisks), then passes
through modifiers that instructions usually ask for (all lowercase, no commas, a title in
<<>>, a P.S., placeholders, highlighted phrases...). The modifiers are applied at random so
that every verification function sees a realistic mix of passing and failing inputs.
"""

import json
import random

from prose import CLOSINGS, EMOJI, FOREIGN, INTROS, NAMES, PLACEHOLDERS, TITLES, TOPICS

MIN_CHARS = 100
MAX_CHARS = 3000


def _sentences(rng, topic, count):
    pool = TOPICS[topic]
    connectors = ["", "", "", "However, ", "In addition, ", "For example, ", "As a result, ",
                  "Of course, ", "Still, "]
    out = []
    for _ in range(count):
        sentence = rng.choice(pool)
        connector = rng.choice(connectors)
        if connector and sentence[0].isupper() and not sentence.startswith(("I ", "A ")):
            sentence = connector + sentence[0].lower() + sentence[1:]
        out.append(sentence)
    return out


def _paragraph(rng, topic, low=2, high=6):
    return " ".join(_sentences(rng, topic, rng.randint(low, high)))


def _essay(rng, topic):
    separator = rng.choice(["\n\n", "\n\n", "\n\n***\n\n", "\n"])
    paragraphs = [_paragraph(rng, topic) for _ in range(rng.randint(1, 6))]
    text = separator.join(paragraphs)
    if rng.random() < 0.4:
        text = rng.choice(INTROS) + "\n\n" + text
    return text


def _bullets(rng, topic):
    marker = rng.choice(["* ", "- ", "* ", "\u2022 ", "  - "])
    items = _sentences(rng, topic, rng.randint(1, 8))
    if rng.random() < 0.3:
        items = [item.rstrip(".!?") for item in items]
    lines = [marker + item for item in items]
    head = rng.choice(INTROS + ["Here are the key points:", "Key points to remember:"])
    text = head + "\n\n" + "\n".join(lines)
    if rng.random() < 0.5:
        text += "\n\n" + rng.choice(CLOSINGS)
    return text


def _numbered(rng, topic):
    items = _sentences(rng, topic, rng.randint(2, 9))
    start = 1 if rng.random() < 0.85 else 0
    lines = [f"{start + i}. {item}" for i, item in enumerate(items)]
    if rng.random() < 0.15 and len(lines) > 2:
        lines[1], lines[2] = lines[2], lines[1]
    return "Steps:\n" + "\n".join(lines)


def _json(rng, topic):
    kind = rng.random()
    if kind < 0.45:
        data = {"title": rng.choice(TITLES), "summary": _paragraph(rng, topic, 1, 3),
                "points": _sentences(rng, topic, rng.randint(1, 5))}
        if rng.random() < 0.6:
            data["rating"] = rng.randint(1, 10)
        if rng.random() < 0.3:
            del data["summary"]
    elif kind < 0.75:
        data = [{"name": rng.choice(NAMES), "age": rng.randint(18, 90)}
                for _ in range(rng.randint(1, 6))]
        if rng.random() < 0.25:
            data[-1].pop("age")
    else:
        data = {"answer": rng.choice([True, False]), "reason": _sentences(rng, topic, 1)[0],
                "confidence": round(rng.random(), 2)}
    text = json.dumps(data, indent=rng.choice([None, 2, 4]), ensure_ascii=rng.random() < 0.5)
    broken = rng.random()
    if broken < 0.1:
        text = text.replace('"', "'")
    elif broken < 0.18:
        text = text[: max(1, len(text) - rng.randint(1, 8))]
    wrap = rng.random()
    if wrap < 0.35:
        text = "```json\n" + text + "\n```"
    elif wrap < 0.45:
        text = "Here is the JSON you asked for:\n" + text
    return text


def _sections(rng, topic):
    style = rng.choice(["SECTION {}", "Section {}", "## Section {}", "### Part {}"])
    parts = []
    if rng.random() < 0.5:
        parts.append("# " + rng.choice(TITLES))
    for index in range(1, rng.randint(2, 6)):
        parts.append(style.format(index) + "\n" + _paragraph(rng, topic, 1, 4))
    if rng.random() < 0.3:
        rows = ["| Item | Value |", "| --- | --- |"]
        rows += [f"| {rng.choice(NAMES)} | {rng.randint(1, 99)} |" for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.2:
            rows.append("| broken row |")
        parts.append("\n".join(rows))
    return "\n\n".join(parts)


def _letter(rng, topic):
    name = rng.choice(NAMES + PLACEHOLDERS[:1])
    body = "\n\n".join(_paragraph(rng, topic, 1, 4) for _ in range(rng.randint(1, 3)))
    contact = ""
    if rng.random() < 0.5:
        contact = f"\n\nYou can reach me at {name.strip('[]').lower()}@example.com"
        contact += f" or visit https://www.example.org/{topic}." if rng.random() < 0.5 else "."
    sign = rng.choice(["Best regards", "Sincerely", "Warm wishes", "Cheers"])
    return f"Dear {name},\n\n{body}{contact}\n\n{sign},\n{rng.choice(['[Your Name]', rng.choice(NAMES)])}"


def _qa(rng, topic):
    lines = []
    for _ in range(rng.randint(1, 4)):
        question = rng.choice([s for s in TOPICS[topic] if s.endswith("?") or "?" in s] or ["Why?"])
        lines.append("Q: " + question.split("?")[0] + "?")
        lines.append("A: " + _paragraph(rng, topic, 1, 3))
    return "\n".join(lines)


def _two_answers(rng, topic):
    return _paragraph(rng, topic) + "\n******\n" + _paragraph(rng, topic)


SHAPES = [(_essay, 5), (_bullets, 3), (_numbered, 1), (_json, 2), (_sections, 2),
          (_letter, 1), (_qa, 1), (_two_answers, 1)]
SHAPE_NAMES = {shape.__name__.lstrip("_"): shape for shape, _ in SHAPES}


def _modify(rng, text):
    if rng.random() < 0.2:
        text = "<<" + rng.choice(TITLES) + ">>\n\n" + text
    if rng.random() < 0.15:
        words = text.split(" ")
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(words))
            if words[i].isalpha():
                words[i] = "*" + words[i] + "*"
        text = " ".join(words)
    if rng.random() < 0.1:
        words = text.split(" ")
        for _ in range(rng.randint(1, 3)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(PLACEHOLDERS))
        text = " ".join(words)
    if rng.random() < 0.08:
        text += " " + rng.choice(FOREIGN)
    if rng.random() < 0.06:
        text += " " + rng.choice(EMOJI)
    if rng.random() < 0.05:
        words = text.split(" ")
        i = rng.randrange(len(words))
        words.insert(i, words[i])
        text = " ".join(words)
    if rng.random() < 0.15:
        text += "\n\nP.S. " + rng.choice(CLOSINGS)
    case = rng.random()
    if case < 0.1:
        text = text.lower()
    elif case < 0.16:
        text = text.upper()
    if rng.random() < 0.1:
        text = text.replace(",", "")
    if rng.random() < 0.1:
        text = text.rstrip() + "\n\nIs there anything else I can help with?"
    if rng.random() < 0.06:
        text = '"' + text + '"'
    return text


def _fit(rng, text, topic):
    """Brings a response into [MIN_CHARS, MAX_CHARS] the way a model would: longer answers
    run on, too-long ones are cut at a sentence end."""
    while len(text) < MIN_CHARS:
        text += " " + _paragraph(rng, topic, 1, 3)
    if len(text) > MAX_CHARS:
        cut = text.rfind(". ", 0, MAX_CHARS - 1)
        text = text[: cut + 1] if cut > MIN_CHARS else text[:MAX_CHARS]
    return text


def generate(seed, count, prefer=()):
    """Returns `count` responses; the same seed always gives the same responses.

    `prefer` names shapes (see SHAPE_NAMES) that most responses should take: responses are
    written for one instruction, so a JSON instruction mostly gets JSON back, but not always.
    """
    rng = random.Random(seed)
    shapes = [shape for shape, weight in SHAPES for _ in range(weight)]
    preferred = [SHAPE_NAMES[name] for name in prefer]
    topics = sorted(TOPICS)
    out = []
    for _ in range(count):
        topic = rng.choice(topics)
        shape = rng.choice(preferred) if preferred and rng.random() < 0.6 else rng.choice(shapes)
        text = shape(rng, topic)
        if rng.random() < 0.3:
            text += "\n\n" + rng.choice(shapes)(rng, topic)
        out.append(_fit(rng, _modify(rng, text), topic))
    return out

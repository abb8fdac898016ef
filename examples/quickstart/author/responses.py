"""Responses to (query + instruction) inputs and their quality scores, built from the
hand-written answers in texts.py: for each input, two responses follow the instruction and two
forget it (the order depends on the input), so verification and DPO pairing have something to
separate; the "commas" instruction's last sample is cut off by max_tokens (finish_reason
"length"), which selection must never train on; one-word answers follow their instruction but
get low quality scores, since one word cannot answer a real question."""

import hashlib

from .texts import ANSWERS
from .verifiers import ENDING


def digest(*parts):
    return int(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12], 16)


def _bold(sentence, first):
    words = sentence.rstrip(".").split(" ")
    if first:
        return "**" + " ".join(words[:3]) + "** " + " ".join(words[3:]) + "."
    return " ".join(words[:-2]) + " **" + " ".join(words[-2:]) + "**."


def variants(key, query):
    """Two responses that follow instruction `key` and two that do not."""
    a = ANSWERS[query]
    long, short, title, word, ps = a["long"], " ".join(a["short"]), a["title"], a["word"], a["ps"]
    s1, s2, s3 = a["short"]
    table = {
        "lower": (long.lower(), short.lower(), long, short),
        "ending": (long + "\n\n" + ENDING, short + " " + ENDING,
                   long + "\n\nLet me know if you have any other questions!", short + "\n\nHope this helps!"),
        "commas": (long.replace(",", ""), short, long, "Sure, here is a quick summary. " + short),
        "title": ("<<" + title + ">>\n\n" + long, "<<" + title + ">>\n" + short,
                  "# " + title + "\n\n" + long, "Here is my answer:\n<<" + title + ">>\n" + short),
        "short": (short, s1 + " " + s2, long, long + "\n\n" + ps),
        "bold": (" ".join([_bold(s1, True), _bold(s2, True), s3]),
                 " ".join([_bold(s1, False), s2, _bold(s3, False)]),
                 short, " ".join([_bold(s1, True), s2, s3])),
        "capitals": (long.upper(), short.upper(), long, "Sure! " + short.upper()),
        "bullets": ("* " + s1 + "\n* " + s2 + "\n* " + s3,
                    "Here are three quick points:\n* " + s1 + "\n* " + s2 + "\n* " + s3,
                    "- " + s1 + "\n- " + s2 + "\n- " + s3, long),
        "postscript": (long + "\n\n" + ps, short + "\n\n" + ps, long, short + " Have a great day!"),
        "one_word": (word, word.rstrip(".").lower(), short, "Sure! " + word),
    }
    return table.get(key)


PATTERNS = [  # indexes into (comply, alt, fail, fail2)
    (0, 1, 2, 3),
    (2, 0, 3, 1),
    (0, 2, 1, 3),
    (1, 0, 3, 2),
]


def response(key, query, sample):
    """(text, finish_reason) of sample `sample` for the input (query, instruction `key`)."""
    texts = variants(key, query)
    if texts is None or sample >= 4:
        return ANSWERS[query]["long"], "stop"
    if key == "commas" and sample == 3:
        cut = texts[0][: len(texts[0]) * 3 // 5]
        return cut[: cut.rfind(" ")], "length"
    return texts[PATTERNS[digest(query, key) % len(PATTERNS)][sample]], "stop"


FOLLOWS = {
    "lower": "keeps every letter in lowercase as requested",
    "ending": "ends with the exact closing sentence the instruction asks for",
    "commas": "avoids commas entirely without becoming hard to read",
    "title": "opens with a title in double angular brackets",
    "short": "stays well under the 50-word limit",
    "bold": "highlights two phrases in bold",
    "capitals": "is written entirely in capital letters",
    "bullets": "uses exactly three bullet points",
    "postscript": "closes with a postscript that starts with P.S.",
    "one_word": "consists of a single word",
}


def score(key, query, text):
    """A grader's answer in one of the forms real models use."""
    follows = FOLLOWS.get(key, "follows the formatting instruction")
    if key == "one_word":
        n = 2 + digest(query, text) % 3
        return ("The response " + follows + ", so the formatting instruction is satisfied. However, a single "
                "word does not really answer the user's question; they would learn almost nothing from it."
                "\n\nScore: " + str(n))
    form = digest(key, query, text) % 6
    base = "The response answers the user's question helpfully and " + follows + "."
    if form == 0:
        return base + "\n\nScore: 9"
    if form == 1:
        return base + " It is accurate and well organised.\n\nScore: 9/10"
    if form == 2:
        return "**Evaluation:** " + base + "\n\n**Score:** 8"
    if form == 3:
        return base + "\n\nScore: 8\n\nA little more detail would make it even more useful."
    if form == 4:
        return ("The response " + follows + ", but the content feels clipped and leaves out useful detail "
                "the user was probably hoping for.\n\nScore: 7")
    return "Evaluation: " + base + " Nothing important is missing.\n\nFinal score: 10"

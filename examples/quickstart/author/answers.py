"""The quickstart's "author" model: answers each chat request from the tables of this folder,
recognising the request kind from the prompt text (prompts/*.txt) and the instruction, query,
function or response inside it. Every answer is a pure function of (prompt, sample index), so
requests may arrive in any order and a recording is reproducible.

answer(prompt, sample) -> (content, finish_reason), or raises Unknown for a request the tables
do not cover (the cassette script then fails instead of recording a made-up answer)."""

import re

from .render import render_verifier
from .responses import digest, response, score
from .texts import ANSWERS
from .verifiers import BACK_TRANSLATIONS, INSTRUCTIONS, VERIFIERS


class Unknown(Exception):
    pass


ROUNDS = [
    "Here are 4 new instructions that focus on the format of a response:\n\n"
    "1. Write the entire response in capital letters.\n"
    '2. Present the answer as exactly three bullet points that start with "* ".\n'
    '3. Finish your response with a postscript starting with "P.S."\n'
    "4. Answer with exactly one word.\n\n"
    "Each of these can be checked with a few lines of Python.",
    "Sure! Here are some more instructions:\n\n"
    "- **Language**: Write your answer in Spanish.\n"
    "- **Punctuation**: do not use any commas in your answer\n"
    "- **Casing**: Write the entire response in capital letters only.\n"
    "- **Length**: Write at least five sentences in your reply.\n"
    "- **Links**: Include a URL in your answer that starts with http:// or https://.\n\n"
    "I hope these help with your dataset!",
]

KEY_OF = {text: key for key, text in INSTRUCTIONS.items()}


def _squash(text):
    return re.sub(r"\s+", "", text)


SOURCE_OF = {}  # squashed function source -> (instruction key, position)
for _key, _answers in VERIFIERS.items():
    for _pos, (_style, _source, _cases) in enumerate(_answers):
        if _source:
            SOURCE_OF.setdefault(_squash(_source), (_key, _pos))


def _between(prompt, start, end):
    match = re.search(re.escape(start) + r"(.*?)" + re.escape(end), prompt, re.S)
    if not match:
        raise Unknown("prompt without '" + start.strip() + "'")
    return match.group(1)


def _key(instruction):
    if instruction not in KEY_OF:
        raise Unknown("unknown instruction: " + instruction)
    return KEY_OF[instruction]


def augment(sample):
    if sample >= len(ROUNDS):
        raise Unknown("augmentation round %d" % sample)
    return ROUNDS[sample]


def verifier(prompt, sample):
    key = _key(_between(prompt, "Instruction: ", "\n"))
    style, source, cases = VERIFIERS[key][sample % len(VERIFIERS[key])]
    return render_verifier(style, source, cases, sample)


def back_translation(prompt):
    source = _between(prompt, "```python\n", "\n```")
    if _squash(source) not in SOURCE_OF:
        raise Unknown("unknown function:\n" + source)
    key, pos = SOURCE_OF[_squash(source)]
    text = BACK_TRANSLATIONS[key][pos % 2]
    form = digest(source) % 5
    return [text, "Instruction: " + text, "**Back-translated instruction:** " + text,
            "Sure! Here is the instruction:\n\n> " + text, '"' + text + '"'][form]


def nli(prompt):
    key = _key(_between(prompt, "Premise: ", "\nHypothesis: "))
    hypothesis = _between(prompt, "Hypothesis: ", "\n")
    if key == "five":
        return ("Contradiction. The premise asks for at least five sentences, while the hypothesis asks for "
                "fewer than five, so no single reply can follow both.")
    if hypothesis.startswith("Start the response") or hypothesis.startswith("Mention a web"):
        return "Neutral. The hypothesis is more specific than the premise, which does not say where it goes."
    return ["entailment", "Entailment.", "The relationship is entailment: both describe the same requirement.",
            "**Entailment**"][digest(prompt) % 4]


def _input(prompt):
    for key, instruction in INSTRUCTIONS.items():
        if prompt.endswith("\n\n" + instruction):
            query = prompt[: -len(instruction) - 2]
            if query in ANSWERS:
                return key, query
    raise Unknown("unknown input:\n" + prompt)


def quality(prompt):
    query = _between(prompt, "User query:\n", "\n\nFormatting instruction:\n")
    key = _key(_between(prompt, "Formatting instruction:\n", "\n\nResponse:\n"))
    text = _between(prompt, "\n\nResponse:\n", "\n\nRate from 0 to 10")
    return score(key, query, text)


def answer(prompt, sample):
    if prompt.startswith("You are helping build a dataset of instructions"):
        return augment(sample), "stop"
    if prompt.startswith("You write verification code"):
        return verifier(prompt, sample), "stop"
    if prompt.startswith("Below is a Python function"):
        return back_translation(prompt), "stop"
    if prompt.startswith("Decide the logical relationship"):
        return nli(prompt), "stop"
    if prompt.startswith("You are grading a response"):
        return quality(prompt), "stop"
    key, query = _input(prompt)
    return response(key, query, sample)

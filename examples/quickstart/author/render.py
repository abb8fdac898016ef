"""Lays out a verifier answer (function + test cases) the way chat models write them, with the
quirks AUTOIF.md lists: prose around fenced JSON, bare JSON, a fence without a language tag,
two blocks, Python literals, \\' escapes, undoubled regex backslashes, double-escaped line
breaks, sources as lists of lines. See verifiers.py for the style names."""

import json
import re

INTROS = [
    "Here is a verification function together with a few test cases:",
    "Sure! Below is a function that checks the instruction, plus test cases.",
    "To verify this instruction we can inspect the text directly. Here's the JSON:",
    "Of course. The following JSON object contains the function and its tests.",
]
OUTROS = [
    "The function only uses the standard library, so it runs anywhere.",
    "Let me know if you need more test cases!",
    "Note that the check is case-sensitive on purpose.",
    "",
]
PROSE_ONLY = (
    "Reliably detecting the language of a text requires a language identification model such as "
    "langdetect or fastText, and neither is part of the Python standard library. A heuristic that counts "
    "common Spanish words would misclassify short answers and names, so I would not recommend checking "
    "this instruction with a simple function. If you can install langdetect, `detect(text) == 'es'` is "
    "the usual approach."
)


def _json_text(source, cases, quirks, bare=False):
    # Expected outputs given as strings ("True") stay strings: that is the quirk.
    if "no_func" in quirks:
        obj = {"cases": [{"input": i, "output": o} for i, o in cases]}
        if bare:
            obj = {"func": None, **obj, "note": "language detection needs a third-party library"}
        return json.dumps(obj, indent=2, ensure_ascii=False)
    func = source.split("\n") if "lines" in quirks else source
    if "lines" in quirks and func and func[-1] == "":
        func = func[:-1]
    if "double_escaped" in quirks:
        func = source.replace("\n", "\\n")
    obj = {"func": func, "cases": [{"input": i, "output": o} for i, o in cases]}
    text = json.dumps(obj, indent=2, ensure_ascii=False)
    if "pyliterals" in quirks:
        text = re.sub(r'("output": )true', r"\1True", text)
        text = re.sub(r'("output": )false', r"\1False", text)
    if "escapes" in quirks:
        text = text.replace("'", "\\'")
    if "raw_backslash" in quirks:
        # The model forgot to double the backslashes of its regular expression.
        text = text.replace("\\\\s", "\\s").replace("\\\\S", "\\S")
    return text


def render_verifier(style, source, cases, variant):
    """One answer text; `variant` (the sample index) picks the prose around it."""
    wrap, *quirks = style.split("+")
    intro, outro = INTROS[variant % len(INTROS)], OUTROS[variant % len(OUTROS)]
    if wrap == "prose":
        return PROSE_ONLY
    if wrap == "langdetect_demo":
        return (
            "Python's standard library cannot identify languages, but langdetect can:\n\n```python\n"
            "from langdetect import detect\n\nprint(detect(\"Hola, \u00bfc\u00f3mo est\u00e1s?\"))  # 'es'\n```\n\n"
            "Call detect() on the response and compare the result with 'es'."
        )
    if wrap == "python_block":
        return (
            "We can check the last line of the response:\n\n```python\n" + source + "```\n\n"
            "Test cases:\n- a response ending with a line that starts with P.S. -> True\n"
            "- a response without a postscript -> False"
        )
    if wrap == "two_blocks":
        first = source.replace(".rstrip()", "")
        return (
            intro + "\n\n```json\n" + _json_text(first, cases[:1], quirks) + "\n```\n\n"
            "Wait, that version fails when the response ends with a newline. Here is a corrected "
            "version that ignores trailing whitespace:\n\n```json\n" + _json_text(source, cases, quirks) + "\n```"
        )
    body = _json_text(source, cases, quirks, bare=wrap == "bare")
    if wrap == "bare":
        return body
    fence = "```json" if wrap == "fenced" else "```"
    text = intro + "\n\n" + fence + "\n" + body + "\n```"
    return text + ("\n\n" + outro if outro else "")

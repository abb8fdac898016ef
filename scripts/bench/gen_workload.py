"""Writes the sandbox benchmark workload: one JSONL row per verification function,
{"name", "source", "inputs"}, with a few hundred generated responses each, and prints a
one-line JSON summary (counts and response lengths).

Seeded and deterministic: the same arguments always write the same file.
Usage: /usr/bin/python3 gen_workload.py OUT.jsonl [--responses N] [--seed S]
"""

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import responses  # noqa: E402

FUNCTIONS = pathlib.Path(__file__).resolve().parent / "functions"

# The shapes of answer a model mostly gives to each function's instruction (by file number).
PREFERRED_SHAPES = {
    "03": ["bullets"], "30": ["bullets"], "04": ["essay"], "05": ["essay"], "39": ["essay"],
    "55": ["essay"], "14": ["sections"], "28": ["sections"], "37": ["sections"],
    "15": ["json"], "16": ["json"], "44": ["json"], "49": ["json"], "24": ["letter"],
    "33": ["letter"], "50": ["letter"], "51": ["letter"], "27": ["two_answers"],
    "53": ["two_answers"], "29": ["numbered"], "26": ["qa"], "43": ["qa"],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--responses", type=int, default=300, help="responses per function")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()

    sources = sorted(FUNCTIONS.glob("*.py"))
    lengths = []
    with open(args.out, "w", encoding="utf-8") as out:
        for index, path in enumerate(sources):
            prefer = PREFERRED_SHAPES.get(path.stem[:2], ())
            inputs = responses.generate(args.seed * 1000 + index, args.responses, prefer)
            row = {"name": path.stem, "source": path.read_text(encoding="utf-8"), "inputs": inputs}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            lengths += [len(text) for text in inputs]
    print(json.dumps({"functions": len(sources), "per_function": args.responses,
                      "evaluations": len(lengths), "min_chars": min(lengths),
                      "max_chars": max(lengths), "mean_chars": sum(lengths) / len(lengths)}))


if __name__ == "__main__":
    main()

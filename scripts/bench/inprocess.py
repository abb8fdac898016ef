"""The unsandboxed baseline, the way the released AutoIF scripts run verification functions:
in one interpreter, exec each source in a fresh dict, then call evaluate(response) for each
input inside try/except.

Writes one line per function to VERDICTS ("T", "F", "E" for an exception, "B" for a non-bool
return, one letter per input) so the sandbox run can check it reached the same verdicts, and
prints one JSON object with the loop's wall time on stdout: "seconds" for the first pass (a
fresh interpreter), "warm_seconds" for the last of --passes N passes in the same interpreter
(compiled regexes and specialised bytecode of the earlier passes still there).
Usage: /usr/bin/python3 inprocess.py WORKLOAD.jsonl VERDICTS [--passes N]
"""

import json
import sys
import time


def run(rows):
    verdicts = []
    for row in rows:
        namespace = {}
        try:
            exec(row["source"], namespace)
            evaluate = namespace["evaluate"]
        except Exception:
            verdicts.append("E" * len(row["inputs"]))
            continue
        letters = []
        for response in row["inputs"]:
            try:
                result = evaluate(response)
            except Exception:
                letters.append("E")
                continue
            if type(result) is bool:
                letters.append("T" if result else "F")
            else:
                letters.append("B")
        verdicts.append("".join(letters))
    return verdicts


def main():
    workload, verdict_path = sys.argv[1], sys.argv[2]
    passes = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--passes" else 1
    with open(workload, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    pass_seconds = []
    for _ in range(passes):
        start = time.perf_counter()
        verdicts = run(rows)
        pass_seconds.append(time.perf_counter() - start)
    elapsed = pass_seconds[0]
    with open(verdict_path, "w", encoding="ascii") as f:
        f.write("\n".join(verdicts) + "\n")
    evaluations = sum(len(v) for v in verdicts)
    print(json.dumps({"seconds": elapsed, "warm_seconds": pass_seconds[-1],
                      "pass_seconds": pass_seconds, "evaluations": evaluations,
                      "passed": sum(v.count("T") for v in verdicts),
                      "errors": sum(v.count("E") + v.count("B") for v in verdicts)}))


if __name__ == "__main__":
    main()

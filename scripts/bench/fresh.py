"""The naive sandbox: one fresh `/usr/bin/python3 -c` process per evaluation.

Running it over the whole workload would take minutes, so it runs a sample of evaluations
spread evenly over the workload (every function gets its share) and the caller extrapolates.
The sample runs in a seeded random order and stops early when its time budget is spent (on a
busy machine one process can take a few hundred ms), so any prefix is still a fair sample.
The processes run as many at a time as there are CPUs, as the sandbox pool runs one worker per
CPU; each gets the function source followed by a few lines that read the response from stdin
and print the verdict letter (T/F/B; an exception is a failed process: E).

Prints one JSON object: sample size, wall time of the sample, seconds per evaluation,
interpreter start-up (median of `python3 -c pass`), and how many sampled verdicts differ from
the in-process loop's.
Usage: /usr/bin/python3 fresh.py WORKLOAD.jsonl VERDICTS [--sample N] [--parallel N]
                                 [--budget-seconds S]
"""

import argparse
import concurrent.futures
import json
import os
import random
import statistics
import subprocess
import time

PYTHON = "/usr/bin/python3"  # Debian's interpreter, never a pyenv one that is first on PATH
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}  # a sandbox hands over no secrets
RUNNER = """
import sys as _sys
_result = evaluate(_sys.stdin.buffer.read().decode("utf-8", "surrogateescape"))
print("T" if _result is True else "F" if _result is False else "B")
"""


def run_one(source, response):
    done = subprocess.run([PYTHON, "-c", source + "\n" + RUNNER], input=response.encode(
        "utf-8", "surrogateescape"), capture_output=True, env=ENV, timeout=60)
    if done.returncode != 0:
        return "E"
    # The verdict is the last line: under `-c`, __name__ is "__main__", so the self-test
    # blocks models append to their functions run first and may print.
    lines = done.stdout.decode(errors="replace").split()
    return lines[-1] if lines else "E"


def startup_seconds(runs=7):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", "pass"], env=ENV, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workload")
    parser.add_argument("verdicts")
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--parallel", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--budget-seconds", type=float, default=45.0)
    args = parser.parse_args()

    with open(args.workload, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    with open(args.verdicts, encoding="ascii") as f:
        expected = f.read().split("\n")
    flat = [(r, i) for r, row in enumerate(rows) for i in range(len(row["inputs"]))]
    sample = sorted({flat[k * len(flat) // args.sample] for k in range(min(args.sample, len(flat)))})
    random.Random(0).shuffle(sample)

    start = time.perf_counter()

    def evaluate_one(ri):
        if time.perf_counter() - start > args.budget_seconds:
            return None
        return run_one(rows[ri[0]]["source"], rows[ri[0]]["inputs"][ri[1]])

    with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
        letters = list(pool.map(evaluate_one, sample))
    elapsed = time.perf_counter() - start
    done = [(ri, got) for ri, got in zip(sample, letters) if got is not None]
    differ = sum(1 for (r, i), got in done if expected[r][i] != got)
    print(json.dumps({"sample": len(done), "planned": len(sample), "seconds": elapsed,
                      "parallel": args.parallel, "seconds_per_evaluation": elapsed / len(done),
                      "evaluations": len(flat), "disagreements": differ,
                      "startup_seconds": startup_seconds()}))


if __name__ == "__main__":
    main()

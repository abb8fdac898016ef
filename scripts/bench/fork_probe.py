"""Separates the cost of the sandbox's design from the cost of its code.

Runs the workload in plain /usr/bin/python3, with the sandbox's default modules imported, three
ways, one process at a time: the in-process loop; one fork() per function (the child runs the
function over all its inputs and sends the verdict letters back over a pipe, as a sandbox
worker's child does, minus seccomp, namespaces and limits); and the same with only one input
per function, which leaves the per-job overhead alone. If the fork variant alone is already
far slower than the loop, the price is the platform's fork and copy-on-write faults, and no
change inside the sandbox short of forking less can recover it.
Usage: /usr/bin/python3 fork_probe.py WORKLOAD.jsonl
"""

import json
import os
import resource
import sys
import time

# The modules a sandbox worker imports before forking (see sandbox::default_modules()).
import bisect, collections, copy, datetime, decimal, difflib, enum, fractions  # noqa: E401,F401
import functools, heapq, html, itertools, math, operator, random, re, statistics  # noqa: E401,F401
import string, textwrap, typing, unicodedata  # noqa: E401,F401


def run(row, inputs):
    namespace = {}
    try:
        exec(row["source"], namespace)
        evaluate = namespace["evaluate"]
    except Exception:
        return "E" * len(inputs)
    letters = []
    for response in inputs:
        try:
            result = evaluate(response)
        except Exception:
            letters.append("E")
            continue
        letters.append("T" if result is True else "F" if result is False else "B")
    return "".join(letters)


def forked(row, inputs):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.write(write_end, run(row, inputs).encode())
        os._exit(0)
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 1 << 16):
        data += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    return data.decode()


def usage():
    """CPU seconds and minor page faults of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
            own.ru_minflt + children.ru_minflt)


def timed(label, rows, call, first_only=False):
    # CPU time and faults say more than wall time on a shared machine.
    cpu_before, faults_before = usage()
    start = time.perf_counter()
    for row in rows:
        call(row, row["inputs"][:1] if first_only else row["inputs"])
    elapsed = time.perf_counter() - start
    cpu_after, faults_after = usage()
    n = len(rows)
    print(f"{label:42s} wall {elapsed:7.3f} s, per function: wall {1000 * elapsed / n:6.2f} ms, "
          f"CPU {1000 * (cpu_after - cpu_before) / n:6.2f} ms, "
          f"{(faults_after - faults_before) / n:6.0f} page faults")
    return elapsed


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    evaluations = sum(len(row["inputs"]) for row in rows)
    print(f"{len(rows)} functions, {evaluations} evaluations, one process at a time")
    loop = timed("in-process loop", rows, run)
    fork = timed("one fork per function", rows, forked)
    timed("one fork per function, first input only", rows, forked, first_only=True)
    print(f"fork per function / in-process loop = {fork / loop:.2f}")


if __name__ == "__main__":
    main()

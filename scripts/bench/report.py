"""Prints the benchmark's figures from the three JSON results, clearly labelled.

Usage: /usr/bin/python3 report.py WORKLOAD_SUMMARY INPROCESS SANDBOX FRESH
(each argument is a file of JSON objects, one a line, as written by the other scripts here;
INPROCESS and SANDBOX hold one line per run, and the fastest run of each counts).

Each side runs the workload twice: the first pass is cold (a fresh interpreter; a pool that
has just started and forks its job children, which then fault in every page they touch), the
second warm (the same interpreter; the same pool and children), as in a long run, where
millions of evaluations go through one pool. The goal is taken on the warm passes; the cold
ratio and the ratio with both start-ups counted (interpreter start vs pool start, paid once per
`autoif run`) are printed beside it so the one-time costs stay in view.
"""

import json
import os
import sys

SANDBOX_GOAL = 1.0   # sandbox time / in-process time, at most
FRESH_GOAL = 100.0   # fresh-interpreter time / sandbox time, at least


def load(path):
    with open(path, encoding="utf-8") as f:
        runs = [json.loads(line) for line in f if line.strip()]
    for run in runs:
        run["batch_seconds"] = run.get("seconds", 0) - run.get("startup_seconds", 0)
    best = min(runs, key=lambda run: run.get("warm_seconds", run["batch_seconds"]))
    best["all_seconds"] = [run.get("seconds", 0) for run in runs]
    best["best_total_seconds"] = min(best["all_seconds"])
    best["best_cold_seconds"] = min(run["batch_seconds"] for run in runs)
    best["best_warm_seconds"] = min(run.get("warm_seconds", run["batch_seconds"]) for run in runs)
    if any(run.get("disagreements", 0) for run in runs):
        best["disagreements"] = max(run.get("disagreements", 0) for run in runs)
    return best


def runs(result):
    times = result["all_seconds"]
    if len(times) < 2:
        return ""
    return "; fastest of " + ", ".join(f"{t:.3f}" for t in times) + " s"


def rate(evaluations, seconds):
    return f"{evaluations / seconds:>10,.0f} eval/s" if seconds > 0 else "inf eval/s"


def verdict(ok):
    return "meets the goal" if ok else "MISSES the goal"


def main():
    workload, inproc, sandbox, fresh = (load(p) for p in sys.argv[1:5])
    n = inproc["evaluations"]
    fresh_total = fresh["seconds_per_evaluation"] * n
    print(f"workload: {workload['functions']} verification functions x "
          f"{workload['per_function']} responses = {n} evaluations, responses of "
          f"{workload['min_chars']}-{workload['max_chars']} chars (mean {workload['mean_chars']:.0f}); "
          f"{os.cpu_count()} CPUs")
    print()
    print(f"in-process loop (unsandboxed, one /usr/bin/python3, exec + evaluate per input)")
    print(f"  warm {inproc['best_warm_seconds']:9.3f} s  {rate(n, inproc['best_warm_seconds'])}"
          f"   (cold, the first pass: {inproc['best_cold_seconds']:.3f} s; interpreter start-up "
          f"{fresh['startup_seconds'] * 1000:.0f} ms, not counted{runs(inproc)})")
    print(f"sandboxed batch path (autoif::sandbox::Pool, {sandbox['workers']} workers, all jobs submitted up front)")
    print(f"  warm {sandbox['best_warm_seconds']:9.3f} s  {rate(sandbox['evaluations'], sandbox['best_warm_seconds'])}"
          f"   (cold, the first pass: {sandbox['best_cold_seconds']:.3f} s after a pool start-up of "
          f"{sandbox['startup_seconds'] * 1000:.0f} ms; with it: fastest of "
          f"{', '.join(f'{t:.3f}' for t in sandbox['all_seconds'])} s)")
    print(f"  verdicts differing from the in-process loop: {sandbox['disagreements']} of "
          f"{sandbox['compared']} (each pass); statuses (first pass): "
          + ", ".join(f"{k} {v}" for k, v in sorted(sandbox["statuses"].items())))
    print(f"  protections: {', '.join(sandbox['protections'])}")
    if "forks" in sandbox:
        reasons = "; ".join(f"{count}x {why}" for why, count in sorted(sandbox["retired"].items()))
        print(f"  job children forked: {sandbox['forks']} for {sandbox.get('passes', 1)} pass(es) of "
              f"{sandbox['jobs']} jobs"
              + (f" (retired after: {reasons})" if reasons else ""))
    print(f"fresh interpreter per evaluation (/usr/bin/python3 -c, {fresh['parallel']} at a time)")
    print(f"  time {fresh_total:9.3f} s  {rate(n, fresh_total)}"
          f"   (EXTRAPOLATED from {fresh['sample']} sampled evaluations that took "
          f"{fresh['seconds']:.2f} s; {fresh['disagreements']} sampled verdicts differ)")
    if fresh["sample"] < fresh.get("planned", fresh["sample"]):
        print(f"  (the time budget stopped the sample at {fresh['sample']} of {fresh['planned']})")
    print()
    first = sandbox["best_warm_seconds"] / inproc["best_warm_seconds"]
    cold = sandbox["best_cold_seconds"] / inproc["best_cold_seconds"]
    with_startup = sandbox["best_total_seconds"] / (inproc["best_cold_seconds"] + fresh["startup_seconds"])
    second = fresh_total / sandbox["best_total_seconds"]
    print(f"ratio sandboxed / in-process          = {first:8.2f}   (goal <= {SANDBOX_GOAL:g}: "
          f"{verdict(first <= SANDBOX_GOAL)}; warm passes)")
    print(f"  cold passes                         = {cold:8.2f}   (the pool's first jobs fork and warm its children)")
    print(f"  cold passes with start-ups counted  = {with_startup:8.2f}   (pool start-up is paid once per run)")
    print(f"ratio fresh-interpreter / sandboxed   = {second:8.2f}   (goal >= {FRESH_GOAL:g}: "
          f"{verdict(second >= FRESH_GOAL)})")


if __name__ == "__main__":
    main()

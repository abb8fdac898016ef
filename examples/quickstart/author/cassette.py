"""Turns a cassette recorded by `autoif run --record-cassette` into the committed form.

A recorded entry answers exactly the request that was sent. After a kill, though, a resumed
run asks only for the samples it has not stored: a request that first asked for samples 0-3
(seed S, n=4) may come back as samples 2-3 (seed S+2, n=2), or one sample at a time when the
server refused n. So every recorded exchange of n choices becomes n entries, one per starting
sample j, that leave out `n` and carry seed S+j with the choices j..n-1: any contiguous run of
samples then finds its entry, and a request for the whole set still gets all of it (see
pipeline/stub/CASSETTE.md, matching). Requests without a seed are kept as recorded.

The entries are sorted by request, and the answer objects lose what the stub fills in by
itself (id, created, usage), so regenerating the cassette from the same answers gives the same
file byte for byte.
"""

import json


def _response(choices):
    if all(c.get("finish_reason", "stop") == "stop" for c in choices):
        return "responses", [c["message"]["content"] for c in choices]
    return "response", {"choices": [{"message": {"role": "assistant", "content": c["message"]["content"]},
                                     "finish_reason": c.get("finish_reason", "stop")} for c in choices]}


def normalise(recorded_lines):
    entries = {}
    for line in recorded_lines:
        if not line.strip():
            continue
        exchange = json.loads(line)
        request, choices = exchange["request"], exchange["response"]["choices"]
        request.pop("n", None)
        starts = range(len(choices)) if "seed" in request else range(1)
        for j in starts:
            entry_request = dict(request)
            if "seed" in request:
                entry_request["seed"] = request["seed"] + j
            key = json.dumps(entry_request, sort_keys=True, ensure_ascii=False)
            field, value = _response(choices[j:])
            # Keep the longest answer set for a start (a single-sample fallback request may have
            # been recorded next to the n-sample one).
            if key not in entries or len(choices) - j > entries[key][2]:
                entries[key] = (entry_request, (field, value), len(choices) - j)
    lines = []
    for key in sorted(entries):
        request, (field, value), _ = entries[key]
        lines.append(json.dumps({"request": request, field: value}, ensure_ascii=False, sort_keys=True))
    return lines

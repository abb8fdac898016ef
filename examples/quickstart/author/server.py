"""A tiny OpenAI-compatible chat-completions server on 127.0.0.1 that answers every request
with a Python function, for recording cassettes (scripts/make-quickstart-cassette,
scripts/bench-pipeline). Loopback only; it serves at most `max_requests` requests and stops
with the process that started it.

    server = AuthorServer(answer, base_seed=1000)   # answer(prompt, sample) -> (text, finish)
    server.start(); ... server.port ...; server.stop()

The sample index of a choice is (request seed - base_seed) + choice index, which is how the
pipeline numbers samples (llm.seed = S sends seed S + i for sample i). A request the answer
function cannot handle gets HTTP 400 with the reason, and the reason is kept in `errors`.
"""

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the pipeline's client expects

    def log_message(self, *args):
        pass

    def _send(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        owner = self.server.owner
        length = int(self.headers.get("Content-Length", "0"))
        try:
            body = json.loads(self.rfile.read(length))
            status, reply = owner.complete(body)
        except Exception as error:  # a bug in the tables must not hang the run
            status, reply = 400, {"error": {"message": "author: %s" % error, "type": "invalid_request_error"}}
            owner.errors.append(str(error))
        self._send(status, reply)

    def do_GET(self):
        self._send(200, {"object": "list", "data": [{"id": self.server.owner.model, "object": "model"}]})


class AuthorServer:
    def __init__(self, answer, base_seed, model="quickstart-model", max_requests=100000):
        self.answer, self.base_seed, self.model = answer, base_seed, model
        self.max_requests = max_requests
        self.served = 0
        self.errors = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()

    def complete(self, body):
        with self._lock:
            self.served += 1
            if self.served > self.max_requests:
                return 429, {"error": {"message": "author: request budget exhausted", "type": "rate_limit"}}
        prompt = body["messages"][-1]["content"]
        first = int(body.get("seed", self.base_seed)) - self.base_seed
        n = int(body.get("n", 1))
        choices, completion_tokens = [], 0
        for i in range(n):
            text, finish = self.answer(prompt, first + i)
            choices.append({"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": finish})
            completion_tokens += len(text) // 4 + 1
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]
        return 200, {
            "id": "chatcmpl-author-" + digest,
            "object": "chat.completion",
            "created": 1718000000,
            "model": body.get("model", self.model),
            "choices": choices,
            "usage": {"prompt_tokens": len(prompt) // 4 + 8, "completion_tokens": completion_tokens,
                      "total_tokens": len(prompt) // 4 + 8 + completion_tokens},
        }

"""Driving `autoif run` and `autoif stub-llm` from the developer scripts (make-quickstart-cassette,
bench-pipeline): processes are started with bounded waits and always stopped, the stub on a
loopback port chosen by the kernel (port 0 + --port-file)."""

import json
import os
import signal
import subprocess
import time


class Failure(Exception):
    pass


class Stub:
    """`autoif stub-llm` on 127.0.0.1:0; use as a context manager."""

    def __init__(self, autoif, cassette, workdir, latency_ms=0):
        self.port_file = os.path.join(workdir, "stub.port")
        self.log = os.path.join(workdir, "stub.log")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        args = [autoif, "stub-llm", "--cassette", cassette, "--listen", "127.0.0.1:0", "--port-file", self.port_file]
        if latency_ms:
            args += ["--latency-ms", str(latency_ms)]
        self._log = open(self.log, "w")
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not os.path.exists(self.port_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise Failure("autoif stub-llm did not start:\n" + open(self.log).read())
            time.sleep(0.02)
        self.port = int(open(self.port_file).read())
        self.base_url = "http://127.0.0.1:%d/v1" % self.port

    def stop(self):
        """Stops the stub and returns its last line (the served / missed counts)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        lines = [line for line in open(self.log).read().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def served(self):
        """The served count from the stub's stop line (call after stop())."""
        last = [line for line in open(self.log).read().splitlines() if "served" in line]
        if not last:
            return None
        return int(last[-1].split("served ")[1].split(",")[0])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def run_pipeline(autoif, config, db, out_dir, base_url, extra=(), log=None, timeout=900, check=True):
    """One `autoif run`; returns (exit code, stdout, stderr, wall seconds)."""
    args = [autoif, "run", "--config", config, "--db", db, "--set", "llm.base_url=" + base_url,
            "--set", "run.out_dir=" + out_dir, *extra]
    start = time.monotonic()
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise Failure("autoif run did not finish within %d s: %s" % (timeout, " ".join(args))) from error
    wall = time.monotonic() - start
    if log:
        with open(log, "w") as f:
            f.write(done.stdout + "\n--- stderr ---\n" + done.stderr)
    if check and done.returncode != 0:
        raise Failure("autoif run failed (exit %d):\n%s\n%s" % (done.returncode, done.stdout[-3000:], done.stderr[-3000:]))
    return done.returncode, done.stdout, done.stderr, wall


def read_rows(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]

"""Runs the real `tidepool` binary and makes real AWS clients for it (used by conftest.py).

Contract of a started server (see `TidepoolServer`):
  * started with `--port 0` and its own temporary `--data-dir`;
  * ready when it printed `tidepool listening on http://127.0.0.1:PORT` (at most 20 s);
  * stopped with SIGTERM at teardown, and the exit code must be 0: a clean shutdown is part of
    the contract, so a crash or a sanitizer report at exit fails the test that used it;
  * its stderr goes to a file and is printed when a test fails.

The binary is $TIDEPOOL_BIN, else <repo>/build/check/tidepool.
"""

import os
import pathlib
import re
import select
import signal
import subprocess
import threading
import time

import boto3
import botocore.config
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
READY_RE = re.compile(rb"^tidepool listening on (http://127\.0\.0\.1:(\d+))\s*$")
READY_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 20.0
REGION = "us-east-1"
ACCOUNT = "000000000000"


def tidepool_binary():
    return pathlib.Path(os.environ.get("TIDEPOOL_BIN", REPO / "build" / "check" / "tidepool"))


class TidepoolServer:
    """One `tidepool serve` process. Not thread-safe: drive it from the test's thread."""

    def __init__(self, data_dir, durability="memory", extra_args=(), log_path=None):
        self.data_dir = pathlib.Path(data_dir)
        self.durability = durability
        self.extra_args = list(extra_args)
        self.log_path = pathlib.Path(log_path or (self.data_dir.parent / "tidepool-stderr.log"))
        self.proc = None
        self.endpoint = None
        self.port = None
        self._stdout_tail = []

    def start(self):
        binary = tidepool_binary()
        if not binary.exists():
            pytest.fail(f"tidepool binary not found at {binary} (build it, or set TIDEPOOL_BIN)")
        args = [str(binary), "serve", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", str(self.data_dir), "--durability", self.durability,
                "--log-level", "info", *self.extra_args]
        log = open(self.log_path, "ab")
        log.write(f"\n==== exec {' '.join(args)}\n".encode())
        log.flush()
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=log)
        log.close()
        self._await_ready()
        return self

    def _await_ready(self):
        deadline = time.monotonic() + READY_TIMEOUT_S
        buf = b""
        fd = self.proc.stdout.fileno()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                pytest.fail(f"tidepool did not print its ready line within {READY_TIMEOUT_S}s; "
                            f"stdout so far {buf!r}\n{self.stderr_tail()}")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                rc = self.proc.wait()
                pytest.fail(f"tidepool exited with {rc} before it was ready; stdout {buf!r}\n"
                            f"{self.stderr_tail()}")
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                m = READY_RE.match(line)
                if m:
                    self.endpoint = m.group(1).decode()
                    self.port = int(m.group(2))
                    self.ready_ms = (time.monotonic() - self.started_at) * 1000
                    threading.Thread(target=self._drain_stdout, daemon=True).start()
                    return
                self._stdout_tail.append(line)

    def _drain_stdout(self):
        # Keeps the pipe from filling if the server prints more; the spec says it should not.
        stream = self.proc.stdout
        for line in iter(stream.readline, b""):
            self._stdout_tail.append(line.rstrip(b"\n"))
            del self._stdout_tail[:-50]

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM and wait; returns the exit code (the caller asserts on it)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return "did not exit within %ss of SIGTERM" % STOP_TIMEOUT_S
        return self.proc.returncode

    def kill(self):
        """SIGKILL: a crash, as far as the server can tell."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr_tail(self, lines=80):
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no stderr log)"
        return "---- tidepool stderr (last %d lines of %s) ----\n%s" % (
            lines, self.log_path, "\n".join(text[-lines:]))


def store_census(endpoint):
    """GET /_tidepool/store/kinds: {"kinds":[{"service","kind","records"}], "unclassified": n,
    "unclassified_examples": [...]}, a count of the store's records by kind."""
    import json
    import urllib.request
    with urllib.request.urlopen(endpoint + "/_tidepool/store/kinds", timeout=30) as resp:
        return json.loads(resp.read())


def client_config(**overrides):
    kwargs = dict(region_name=REGION, retries={"total_max_attempts": 1, "mode": "standard"},
                  connect_timeout=5, read_timeout=30)
    kwargs.update(overrides)
    return botocore.config.Config(**kwargs)


# Names of the operations any client made here has called (whatever the outcome), so a test
# can prove that every operation of the service model was exercised.
CALLED_OPERATIONS = set()


def _record_call(model, **kwargs):
    CALLED_OPERATIONS.add(model.name)


def make_client(endpoint, service="kinesis", access_key="AKIAIOSFODNN7EXAMPLE",
                secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", **config):
    """A boto3 client with retries disabled (errors stay visible) and dummy credentials."""
    client = boto3.client(service, endpoint_url=endpoint, region_name=REGION,
                          aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                          config=client_config(**config))
    client.meta.events.register("before-call.%s" % service, _record_call)
    return client




def rss_kib(pid):
    """The resident set size of process `pid` in KiB (VmRSS), 0 when it is not known."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

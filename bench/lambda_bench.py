#!/usr/bin/env python3
"""Lambda benchmark: warm sync invokes, cold starts and sandbox memory, per runtime.

Starts `tidepool serve` (BUILD_DIR/tidepool, default build/release, --durability memory) and
deploys three no-op functions: the C++ example function built with sdk/lambda_runtime.h
(lambda_noop_function beside the binary, provided.al2023), a Python one and a Node one. Then:

  warm c=1    INVOKES (default 3000) sequential Invoke calls over one keep-alive connection:
              client-side latency p50/p99 and invokes/s.
  warm c=16   16 processes, each with its own keep-alive connection, INVOKES each: invokes/s
              and latency p50/p99 (the function's reserved concurrency is unset, so up to 16
              sandboxes run).
  in-process  the server's own invoke -> function start hop is in GET /_tidepool/metrics for
              mappings (bench/mapping_bench.py); here, `Duration` in the REPORT line (the time
              from the runtime taking the event to its response) shows the sandbox's share.
  cold start  COLD (default 10) times: a configuration change (a new revision), then one
              invoke with LogType Tail; the REPORT line's `Init Duration` is process start to
              the runtime's first `next` (tidepool's measure of a cold start, without the
              function's own imports beyond the runtime client).
  memory      RSS of each warm sandbox's process tree (from /proc), idle.

The driver sends unsigned requests (tidepool accepts them). It prints figures; it asserts
nothing. Run: python3 bench/lambda_bench.py
"""

import base64
import http.client
import io
import json
import multiprocessing
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD_DIR", os.path.join(REPO, "build", "release"))
# More `tidepool serve` options, e.g. TIDEPOOL_ARGS="--lambda-python-zygote false".
EXTRA_ARGS = os.environ.get("TIDEPOOL_ARGS", "").split()
INVOKES = int(os.environ.get("INVOKES", "3000"))
COLD = int(os.environ.get("COLD", "10"))
ROLE = "arn:aws:iam::000000000000:role/bench"

PY = "def handler(event, context):\n    return event\n"
NODE = "exports.handler = async (event) => event;\n"


def zip_files(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (data, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | mode) << 16
            z.writestr(info, data)
    return base64.b64encode(buf.getvalue()).decode()


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="tidepool-lambda-bench-")
        args = [os.path.join(BUILD, "tidepool"), "serve", "--port", "0", "--data-dir",
                os.path.join(self.dir, "data"), "--durability", "memory", "--log-level", "warn"] + EXTRA_ARGS
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        m = re.search(r"http://[\d.]+:(\d+)", line)
        if not m:
            raise SystemExit("tidepool did not start: %r" % line)
        self.port = int(m.group(1))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def request(conn, method, path, body=b"", headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError("%s %s: %d %s" % (method, path, r.status, data[:300]))
    return r, data


def deploy(port, name, runtime, handler, code):
    c = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps({"FunctionName": name, "Runtime": runtime, "Role": ROLE,
                       "Handler": handler, "MemorySize": 128, "Timeout": 10,
                       "Code": {"ZipFile": code}})
    request(c, "POST", "/2015-03-31/functions", body, {"Content-Type": "application/json"})


def quantile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def invoke_loop(port, name, n, out=None):
    c = http.client.HTTPConnection("127.0.0.1", port)
    path = "/2015-03-31/functions/%s/invocations" % name
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        request(c, "POST", path, b"{}")
        lat.append(time.perf_counter() - t)
    if out is not None:
        out.put(lat)
    return lat


def warm(port, name, concurrency):
    invoke_loop(port, name, 50)  # warm up: the sandbox(es) start
    if concurrency == 1:
        t = time.perf_counter()
        lat = invoke_loop(port, name, INVOKES)
        wall = time.perf_counter() - t
    else:
        q = multiprocessing.Queue()
        procs = [multiprocessing.Process(target=invoke_loop, args=(port, name, INVOKES, q))
                 for _ in range(concurrency)]
        t = time.perf_counter()
        for p in procs:
            p.start()
        lat = []
        for _ in procs:
            lat.extend(q.get())
        for p in procs:
            p.join()
        wall = time.perf_counter() - t
    lat.sort()
    return len(lat) / wall, quantile(lat, 0.5) * 1e6, quantile(lat, 0.99) * 1e6


def cold_starts(port, name):
    c = http.client.HTTPConnection("127.0.0.1", port)
    inits = []
    for i in range(COLD):
        body = json.dumps({"Environment": {"Variables": {"BENCH_N": str(i)}}})
        request(c, "PUT", "/2015-03-31/functions/%s/configuration" % name, body,
                {"Content-Type": "application/json"})
        r, _ = request(c, "POST", "/2015-03-31/functions/%s/invocations" % name, b"{}",
                       {"X-Amz-Log-Type": "Tail"})
        log = base64.b64decode(r.getheader("X-Amz-Log-Result") or "").decode(errors="replace")
        m = re.search(r"Init Duration: ([\d.]+) ms", log)
        if m:
            inits.append(float(m.group(1)))
    inits.sort()
    return inits


def sandbox_rss_kb(server_pid):
    """RSS (kB) of each sandbox and its descendants, and of the Python zygote (0: none)."""
    def children(pid):
        # Each thread lists the children it forked; the server forks sandboxes from its workers.
        out = []
        try:
            tasks = os.listdir("/proc/%d/task" % pid)
        except OSError:
            return out
        for tid in tasks:
            try:
                with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                    out += [int(p) for p in f.read().split()]
            except OSError:
                pass
        return out

    def rss(pid):
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def tree(pid):
        return rss(pid) + sum(tree(c) for c in children(pid))

    def is_zygote(pid):
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                return f.read().rstrip(b"\0").endswith(b"zygote.py")
        except OSError:
            return False

    # python3.* sandboxes are children of the Python zygote, which is shared by them all.
    sandboxes, zygote = [], 0
    for c in children(server_pid):
        if is_zygote(c):
            zygote += rss(c)
            sandboxes += [tree(g) for g in children(c)]
        else:
            sandboxes.append(tree(c))
    return sandboxes, zygote


def main():
    noop = os.path.join(BUILD, "lambda_noop_function")
    if not os.path.exists(noop):
        raise SystemExit("build the benchmarks first: %s is missing" % noop)
    with open(noop, "rb") as f:
        cpp_code = zip_files({"bootstrap": (f.read(), 0o755)})
    functions = [
        ("cpp", "provided.al2023", "bootstrap", cpp_code),
        ("python", "python3.12", "app.handler", zip_files({"app.py": (PY, 0o644)})),
        ("node", "nodejs20.x", "index.handler", zip_files({"index.js": (NODE, 0o644)})),
    ]
    print("Lambda benchmark (%s, memory mode, %d invokes per client)" % (BUILD, INVOKES))
    for label, runtime, handler, code in functions:
        server = Server()
        try:
            name = "bench-" + label
            deploy(server.port, name, runtime, handler, code)
            # Cold starts first, on a quiet pool: after the c=16 run each configuration update
            # would also end 16 stale sandboxes while the new one starts.
            inits = cold_starts(server.port, name)
            rate1, p50_1, p99_1 = warm(server.port, name, 1)
            time.sleep(0.5)
            rss, zygote_rss = sandbox_rss_kb(server.proc.pid)
            rate16, p50_16, p99_16 = warm(server.port, name, 16)
            print("%-7s warm c=1: %7.0f invokes/s  p50 %6.0f us  p99 %6.0f us" %
                  (label, rate1, p50_1, p99_1))
            print("%-7s warm c=16: %6.0f invokes/s  p50 %6.0f us  p99 %6.0f us" %
                  (label, rate16, p50_16, p99_16))
            if inits:
                print("%-7s cold start (Init Duration): p50 %.1f ms  min %.1f ms  max %.1f ms" %
                      (label, quantile(inits, 0.5), inits[0], inits[-1]))
            if rss:
                print("%-7s idle warm sandbox RSS: %.1f MiB%s" %
                      (label, rss[0] / 1024.0, "  (+ the shared zygote: %.1f MiB)" %
                       (zygote_rss / 1024.0) if zygote_rss else ""))
        finally:
            server.stop()
    sys.stdout.flush()


if __name__ == "__main__":
    main()

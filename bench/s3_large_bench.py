#!/usr/bin/env python3
"""S3 benchmark for what tidepool-bench's request scenarios do not cover (issue 17): one large
object streamed in and out, and a listing of many keys.

Starts `tidepool serve` (BUILD_DIR/tidepool, default build/release) per durability in
DURABILITIES (default "memory sync") and measures, with unsigned path-style requests over
http.client:

  put         PUT of a SIZE_MB object (default 1024) from a repeated 1 MiB buffer: MB/s, and the
              server's RSS growth over its idle RSS (peak, sampled every 20 ms).
  get         GET of that object, read into a reused buffer and dropped: MB/s and RSS growth.
  big put     with BIG_MB set (5120 for the issue's 5 GB upload), the same PUT of that size:
              RSS growth only (it needs BIG_MB of free disk space under the temp directory).
  list        KEYS (default 100000) objects of 16 bytes written by 8 threads, then every page of
              ListObjectsV2 (1,000 keys a page): keys/s of the listing.

It prints figures; it asserts nothing. Run: python3 bench/s3_large_bench.py
"""

import http.client
import os
import re
import sys
import threading
import time
import urllib.parse

from mapping_bench import Server  # BUILD_DIR's tidepool on a free port, in a temp data dir

BUILD = os.environ.get("BUILD_DIR", os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build", "release"))
SIZE_MB = int(os.environ.get("SIZE_MB", "1024"))
BIG_MB = int(os.environ.get("BIG_MB", "0"))
KEYS = int(os.environ.get("KEYS", "100000"))
MIB = 1024 * 1024


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssWatch:
    """The server's peak RSS while a block runs, sampled every 20 ms."""

    def __init__(self, server):
        self.server = server
        self.peak = 0
        self.stop = threading.Event()

    def __enter__(self):
        self.base = rss_kb(self.server.proc.pid)
        self.thread = threading.Thread(target=self.run)
        self.thread.start()
        return self

    def run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss_kb(self.server.proc.pid))
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def growth_mib(self):
        return max(0, self.peak - self.base) / 1024


def call(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    c.request(method, path, body=body)
    r = c.getresponse()
    data = r.read()
    if r.status >= 300:
        raise RuntimeError("%s %s: %d %s" % (method, path, r.status, data[:300]))
    c.close()
    return data


def put_big(server, key, mb):
    chunk = os.urandom(MIB)
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    with RssWatch(server) as watch:
        start = time.perf_counter()
        c.putrequest("PUT", "/bench/" + key)
        c.putheader("Content-Length", str(mb * MIB))
        c.endheaders()
        for _ in range(mb):
            c.send(chunk)
        r = c.getresponse()
        r.read()
        elapsed = time.perf_counter() - start
    if r.status != 200:
        raise RuntimeError("PUT: %d" % r.status)
    return mb / elapsed, watch.growth_mib()


def get_big(server, key, mb):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
    buf = bytearray(MIB)
    got = 0
    with RssWatch(server) as watch:
        start = time.perf_counter()
        c.request("GET", "/bench/" + key)
        r = c.getresponse()
        while True:
            n = r.readinto(buf)
            if not n:
                break
            got += n
        elapsed = time.perf_counter() - start
    if got != mb * MIB:
        raise RuntimeError("GET returned %d bytes of %d" % (got, mb * MIB))
    return mb / elapsed, watch.growth_mib()


def fill_keys(server, n):
    def work(part):
        c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for i in range(part, n, 8):
            c.request("PUT", "/listing/key-%08d" % i, body=b"0123456789abcdef")
            r = c.getresponse()
            r.read()

    threads = [threading.Thread(target=work, args=(p,)) for p in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def list_all(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    token = None
    keys = pages = 0
    start = time.perf_counter()
    while True:
        path = "/listing?list-type=2&max-keys=1000"
        if token:
            path += "&continuation-token=" + token
        c.request("GET", path)
        body = c.getresponse().read().decode()
        keys += body.count("<Key>")
        pages += 1
        m = re.search(r"<NextContinuationToken>([^<]+)</NextContinuationToken>", body)
        if not m:
            break
        token = urllib.parse.quote(m.group(1), safe="")
    return keys, pages, time.perf_counter() - start


def main():
    for durability in os.environ.get("DURABILITIES", "memory sync").split():
        print("durability %s (%s)" % (durability, BUILD))
        server = Server(durability)
        try:
            call(server.port, "PUT", "/bench")
            rate, growth = put_big(server, "big", SIZE_MB)
            print("  put %d MiB: %.0f MB/s, server RSS growth %.1f MiB" % (SIZE_MB, rate, growth))
            rate, growth = get_big(server, "big", SIZE_MB)
            print("  get %d MiB: %.0f MB/s, server RSS growth %.1f MiB" % (SIZE_MB, rate, growth))
            call(server.port, "DELETE", "/bench/big")
            if BIG_MB:
                rate, growth = put_big(server, "bigger", BIG_MB)
                print("  put %d MiB: %.0f MB/s, server RSS growth %.1f MiB" % (BIG_MB, rate,
                                                                                growth))
                call(server.port, "DELETE", "/bench/bigger")
            call(server.port, "PUT", "/listing")
            fill_keys(server, KEYS)
            keys, pages, elapsed = list_all(server)
            print("  ListObjectsV2 over %d keys: %d pages in %.2f s, %.0f keys/s" % (
                keys, pages, elapsed, keys / elapsed))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Step Functions benchmark: state transitions per second, the Task hop, and executions per
second of a Lambda machine.

Starts `tidepool serve` (BUILD_DIR/tidepool, default build/release) for each durability in
DURABILITIES (default "memory sync") and measures, over unsigned keep-alive connections:

  express     a chain of 100 Pass states run with StartSyncExecution (EXPRESS), THREADS
              clients (default 4) for SECONDS seconds (default 5): transitions/s = 100 x
              executions/s.
  standard    COUNT STANDARD executions (default 300) of the same chain started at once, then
              DescribeExecution until all have succeeded: transitions/s from the first start
              to the last end (each transition is stored in its own commit).
  task hop    StartSyncExecution latency of a 1-Task machine (Resource: the C++ no-op
              function lambda_noop_function, provided.al2023) minus that of a 1-Pass machine,
              p50/p99 over ITER sequential calls (default 2000): what one Task adds
              (dispatch -> function start -> result -> next state).
  lambda      a 3-Task machine of the same function: EXPRESS executions/s (THREADS clients)
              and STANDARD executions/s (COUNT started at once).

It prints figures; it asserts nothing. Run: python3 bench/sfn_bench.py
"""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mapping_bench  # noqa: E402  (Server, RawClient, deploy_function)

SECONDS = float(os.environ.get("SECONDS", "5"))
THREADS = int(os.environ.get("THREADS", "4"))
COUNT = int(os.environ.get("COUNT", "300"))
ITER = int(os.environ.get("ITER", "2000"))
ROLE = "arn:aws:iam::000000000000:role/bench"
TARGET = "AWSStepFunctions.%s"
CT = "application/x-amz-json-1.0"


def chain(n):
    states = {"S%d" % i: {"Type": "Pass", "Next": "S%d" % (i + 1)} for i in range(n - 1)}
    states["S%d" % (n - 1)] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def tasks(n, fn_arn):
    states = {"T%d" % i: {"Type": "Task", "Resource": fn_arn, "Next": "T%d" % (i + 1)}
              for i in range(n - 1)}
    states["T%d" % (n - 1)] = {"Type": "Task", "Resource": fn_arn, "End": True}
    return {"StartAt": "T0", "States": states}


class Sfn:
    def __init__(self, server):
        self.port = server.port
        self.local = threading.local()

    def call(self, op, body):
        c = getattr(self.local, "clients", None)
        if c is None:
            c = self.local.clients = {}
        if op not in c:
            c[op] = mapping_bench.RawClient(self.port, TARGET % op, CT)
        return json.loads(c[op].call(json.dumps(body)))

    def machine(self, name, definition, type_):
        return self.call("CreateStateMachine", {"name": name, "definition": json.dumps(definition),
                                                "roleArn": ROLE, "type": type_})["stateMachineArn"]

    def sync(self, arn):
        r = self.call("StartSyncExecution", {"stateMachineArn": arn, "input": "{}"})
        if r["status"] != "SUCCEEDED":
            raise RuntimeError(r)


def express_rate(sfn, arn):
    counts = [0] * THREADS
    stop = time.perf_counter() + SECONDS

    def worker(i):
        while time.perf_counter() < stop:
            sfn.sync(arn)
            counts[i] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def standard_rate(sfn, arn):
    start = time.perf_counter()
    arns = [sfn.call("StartExecution", {"stateMachineArn": arn, "input": "{}"})["executionArn"]
            for _ in range(COUNT)]
    pending = set(arns)
    while pending:
        for a in list(pending):
            st = sfn.call("DescribeExecution", {"executionArn": a})["status"]
            if st == "SUCCEEDED":
                pending.discard(a)
            elif st != "RUNNING":
                raise RuntimeError("%s %s" % (a, st))
        if pending:
            time.sleep(0.01)
    return COUNT / (time.perf_counter() - start)


def latencies(sfn, arn):
    out = []
    for _ in range(ITER):
        t = time.perf_counter()
        sfn.sync(arn)
        out.append((time.perf_counter() - t) * 1e6)
    out.sort()
    return out


def pct(xs, q):
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def run(durability):
    server = mapping_bench.Server(durability)
    try:
        sfn = Sfn(server)
        lam = mapping_bench.deploy_function(server, "noop")
        fn = lam.get_function(FunctionName="noop")["Configuration"]["FunctionArn"]
        lam.get_waiter("function_active_v2").wait(FunctionName="noop",
                                                  WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})
        ex = sfn.machine("chain-express", chain(100), "EXPRESS")
        st = sfn.machine("chain-standard", chain(100), "STANDARD")
        for _ in range(50):
            sfn.sync(ex)
        r = express_rate(sfn, ex)
        print("  100 Pass, EXPRESS StartSyncExecution x%d clients: %.0f executions/s = %.0f "
              "transitions/s" % (THREADS, r, r * 100))
        r = standard_rate(sfn, st)
        print("  100 Pass, STANDARD x%d at once: %.1f executions/s = %.0f transitions/s"
              % (COUNT, r, r * 100))
        one_task = sfn.machine("one-task", tasks(1, fn), "EXPRESS")
        one_pass = sfn.machine("one-pass", chain(1), "EXPRESS")
        for _ in range(100):
            sfn.sync(one_task)
        lt, lp = latencies(sfn, one_task), latencies(sfn, one_pass)
        print("  task hop (1-Task minus 1-Pass sync execution, %d calls): p50 %.0f us, p99 %.0f us"
              " (1-Task p50 %.0f / p99 %.0f us; 1-Pass p50 %.0f / p99 %.0f us)"
              % (ITER, pct(lt, 0.5) - pct(lp, 0.5), pct(lt, 0.99) - pct(lp, 0.99),
                 pct(lt, 0.5), pct(lt, 0.99), pct(lp, 0.5), pct(lp, 0.99)))
        three_ex = sfn.machine("three-express", tasks(3, fn), "EXPRESS")
        three_st = sfn.machine("three-standard", tasks(3, fn), "STANDARD")
        r = express_rate(sfn, three_ex)
        print("  3 Lambda Tasks, EXPRESS x%d clients: %.0f executions/s" % (THREADS, r))
        r = standard_rate(sfn, three_st)
        print("  3 Lambda Tasks, STANDARD x%d at once: %.1f executions/s" % (COUNT, r))
    finally:
        server.stop()


def main():
    for durability in os.environ.get("DURABILITIES", "memory sync").split():
        print("durability %s" % durability)
        run(durability)


if __name__ == "__main__":
    main()

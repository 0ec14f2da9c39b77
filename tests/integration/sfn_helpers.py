"""Helpers for the Step Functions tests: waiting for an execution to end, reading a history."""

import time


def wait_done(sfn, arn, timeout=30):
    """DescribeExecution until the status is no longer RUNNING and the history's last event,
    which becomes readable once durable, is the execution's end; returns the description."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        d = sfn.describe_execution(executionArn=arn)
        if d["status"] != "RUNNING":
            last = sfn.get_execution_history(executionArn=arn, reverseOrder=True,
                                             maxResults=1)["events"][0]["type"]
            if last.startswith("Execution") and last != "ExecutionStarted":
                return d
        time.sleep(0.02)
    raise AssertionError("execution %s still running" % arn)


def history(sfn, arn):
    """Every event of the execution, paging with nextToken; checks ids are 1, 2, 3..."""
    events, token = [], None
    while True:
        kw = {"executionArn": arn, "maxResults": 100}
        if token:
            kw["nextToken"] = token
        page = sfn.get_execution_history(**kw)
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    return events


def kill_and_restart(tidepool_factory, server, data_dir, args):
    """kill -9 of `server`, then a new server on the same data dir (durability sync, `args`);
    returns it and a Step Functions client for it."""
    from harness import make_client
    server.kill()
    server = tidepool_factory(durability="sync", args=args, data_dir=data_dir)
    return server, make_client(server.endpoint, "stepfunctions")

"""Function output in CloudWatch Logs: a Python and a Node function are invoked, then their
log group /aws/lambda/<name> is read back with the Logs API (and the aws CLI) as on AWS:
START, the function's print/logging/console output, END and REPORT, one stream per sandbox."""

import io
import json
import re
import stat
import textwrap
import time
import zipfile

import pytest

from cli_helpers import aws_cli_runner
from harness import make_client

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

PY = textwrap.dedent("""
    import logging
    logger = logging.getLogger()
    logger.setLevel(logging.INFO)
    def handler(event, context):
        print("plain print", event.get("n"))
        logger.info("info via logging %s", event.get("n"))
        logger.warning(json.dumps({"level": "WARN", "n": event.get("n")}))
        logger.error("two\\nlines")
        if event.get("fail"):
            raise ValueError("boom")
        return {"ok": True}
    import json
""")

NODE = textwrap.dedent("""
    exports.handler = async (event) => {
      console.log('node says', event.n);
      console.error('node error', event.n);
      console.warn({ nested: { a: 1 } });
      console.log('multi\\nline');
      return { ok: true };
    };
""")


def make_zip(name, text):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo(name)
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        z.writestr(info, text)
    return buf.getvalue()


@pytest.fixture
def clients(endpoint):
    return (make_client(endpoint, service="lambda", access_key="000000000000", read_timeout=60),
            make_client(endpoint, service="logs", access_key="000000000000"))


def create(lam, name, runtime, handler, zipped):
    lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                        Code={"ZipFile": zipped}, MemorySize=256)
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 100})


def events_of(logs, group, want, pattern=""):
    """The group's events once at least `want` arrived (delivery is asynchronous)."""
    deadline = time.time() + 15
    while True:
        try:
            events = [e for page in logs.get_paginator("filter_log_events").paginate(
                logGroupName=group, filterPattern=pattern) for e in page["events"]]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        if len(events) >= want or time.time() > deadline:
            return events
        time.sleep(0.05)


def test_python_function_logs(clients, endpoint, tmp_path):
    lam, logs = clients
    create(lam, "py-logs", "python3.12", "app.handler", make_zip("app.py", PY))
    for n in range(2):
        lam.invoke(FunctionName="py-logs", Payload=json.dumps({"n": n}))
    failed = lam.invoke(FunctionName="py-logs", Payload=json.dumps({"n": 9, "fail": True}))
    assert failed["FunctionError"] == "Unhandled"

    group = "/aws/lambda/py-logs"
    events = events_of(logs, group, 3 * 7 + 1)
    messages = [e["message"] for e in events]
    assert messages[0].startswith("INIT_START Runtime Version: python3.12")
    starts = [m for m in messages if m.startswith("START RequestId: ")]
    assert len(starts) == 3 and all(m.endswith(" Version: $LATEST\n") for m in starts)
    request_ids = [m.split()[2] for m in starts]
    assert "plain print 0\n" in messages and "plain print 1\n" in messages
    info = [m for m in messages if m.startswith("[INFO]")]
    assert len(info) == 3
    assert re.match(r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t%s\tinfo via logging 0\n" %
                    request_ids[0], info[0]), info[0]
    assert any(m.startswith("[ERROR]") and m.endswith("\ttwo\nlines\n") for m in messages)
    # An unhandled error's traceback is one event, as on AWS.
    tb = [m for m in messages if m.startswith("[ERROR] ValueError: boom")]
    assert len(tb) == 1 and "\nTraceback (most recent call last):\n" in tb[0], messages
    ends = [m for m in messages if m.startswith("END RequestId: ")]
    reports = [m for m in messages if m.startswith("REPORT RequestId: ")]
    assert [m.split()[2] for m in ends] == request_ids
    assert len(reports) == 3
    assert re.match(r"REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\t"
                    r"Memory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t\n$",
                    reports[0]), reports[0]
    assert "Init Duration" not in reports[1]
    # Order within the invocation: START, output, END, REPORT.
    first = messages.index(starts[0])
    assert messages[first + 1] == "plain print 0\n"
    assert messages.index(ends[0]) + 1 == messages.index(reports[0])

    # One stream per sandbox, named as AWS names them.
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert len(streams) == 1
    assert re.match(r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$", streams[0]["logStreamName"])
    page = logs.get_log_events(logGroupName=group, logStreamName=streams[0]["logStreamName"],
                               startFromHead=True)
    assert [e["message"] for e in page["events"]] == messages
    # Filter patterns over function output.
    assert len(events_of(logs, group, 3, '"plain print"')) == 3
    assert len(events_of(logs, group, 0, "ERROR -Traceback")) == 3

    # `sam logs -n py-logs` calls FilterLogEvents on the group with a start time.
    sam = logs.filter_log_events(logGroupName=group, startTime=int(time.time() * 1000) - 600_000,
                                 interleaved=True)
    assert len(sam["events"]) == len(messages)
    aws = aws_cli_runner(endpoint, tmp_path)
    out = aws("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern",
              '"START RequestId"')
    assert len(out["events"]) == 3


def test_node_function_logs(clients):
    lam, logs = clients
    create(lam, "node-logs", "nodejs20.x", "index.handler", make_zip("index.js", NODE))
    out = lam.invoke(FunctionName="node-logs", Payload=json.dumps({"n": 5}), LogType="Tail")
    events = events_of(logs, "/aws/lambda/node-logs", 8)
    messages = [e["message"] for e in events]
    assert re.match(r"START RequestId: \S+ Version: \$LATEST\n$", messages[1]), messages
    request_id = messages[1].split()[2]
    body = messages[2:6]
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
    assert re.match(r"%s\t%s\tINFO\tnode says 5\n$" % (stamp, request_id), body[0]), body
    assert re.match(r"%s\t%s\tERROR\tnode error 5\n$" % (stamp, request_id), body[1]), body
    assert re.match(r"%s\t%s\tWARN\t\{ nested: \{ a: 1 \} \}\n$" % (stamp, request_id),
                    body[2]), body
    assert body[3].endswith("\tINFO\tmulti\nline\n"), body
    assert messages[6] == "END RequestId: %s\n" % request_id
    assert messages[7].startswith("REPORT RequestId: %s\tDuration: " % request_id)
    assert "Init Duration" in messages[7]
    # The tail the invoke returned shows the same lines.
    import base64
    tail = base64.b64decode(out["LogResult"]).decode()
    assert "node says 5" in tail and "multi\nline" in tail and "\r" not in tail

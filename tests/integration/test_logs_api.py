"""CloudWatch Logs with boto3 and the aws CLI: groups, streams, PutLogEvents, GetLogEvents
tokens, FilterLogEvents with every kind of filter pattern, paging, retention and tags."""

import json
import time
import urllib.request

import botocore.exceptions
import pytest

from cli_helpers import aws_cli_runner
from harness import make_client

DAY_MS = 86_400_000


@pytest.fixture
def logs(endpoint):
    return make_client(endpoint, service="logs", access_key="000000000000")


def now_ms():
    return int(time.time() * 1000)


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def put(logs, group, stream, messages, start=None):
    t = start if start is not None else now_ms() - len(messages)
    events = [{"timestamp": t + i, "message": m} for i, m in enumerate(messages)]
    return logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def filter_messages(logs, group, pattern, **kwargs):
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, filterPattern=pattern, **kwargs)
    return [e["message"] for page in pages for e in page["events"]]


def test_groups_and_streams(logs):
    logs.create_log_group(logGroupName="/app/one", tags={"team": "a"})
    logs.create_log_group(logGroupName="/app/two")
    logs.create_log_group(logGroupName="/other/three")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_group(logGroupName="/app/one")
    assert error_code(e) == "ResourceAlreadyExistsException"

    groups = logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == ["/app/one", "/app/two"]
    g = groups[0]
    assert g["arn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/app/one:*"
    assert g["logGroupArn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/app/one"
    assert g["creationTime"] > 0 and "retentionInDays" not in g
    pattern = logs.describe_log_groups(logGroupNamePattern="THREE")["logGroups"]
    assert [g["logGroupName"] for g in pattern] == ["/other/three"]
    listed = logs.list_log_groups()["logGroups"]
    assert len(listed) == 3

    # Paging: one group a page.
    names, kwargs = [], {}
    while True:
        page = logs.describe_log_groups(limit=1, **kwargs)
        names += [g["logGroupName"] for g in page["logGroups"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert names == ["/app/one", "/app/two", "/other/three"]

    for s in ["b-stream", "a-stream", "c-other"]:
        logs.create_log_stream(logGroupName="/app/one", logStreamName=s)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_stream(logGroupName="/app/one", logStreamName="a-stream")
    assert error_code(e) == "ResourceAlreadyExistsException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.create_log_stream(logGroupName="/nope", logStreamName="x")
    assert error_code(e) == "ResourceNotFoundException"

    streams = logs.describe_log_streams(logGroupName="/app/one")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a-stream", "b-stream", "c-other"]
    assert streams[0]["arn"].endswith(":log-group:/app/one:log-stream:a-stream")
    prefixed = logs.describe_log_streams(logGroupName="/app/one", logStreamNamePrefix="c")
    assert [s["logStreamName"] for s in prefixed["logStreams"]] == ["c-other"]
    put(logs, "/app/one", "b-stream", ["x"], start=now_ms() - 1000)
    put(logs, "/app/one", "a-stream", ["y"], start=now_ms())
    by_time = logs.describe_log_streams(logGroupIdentifier="/app/one", orderBy="LastEventTime",
                                        descending=True)["logStreams"]
    assert [s["logStreamName"] for s in by_time][:2] == ["a-stream", "b-stream"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.describe_log_streams(logGroupName="/app/one", orderBy="LastEventTime",
                                  logStreamNamePrefix="a")
    assert error_code(e) == "InvalidParameterException"
    paged = [s["logStreamName"]
             for page in logs.get_paginator("describe_log_streams").paginate(
                 logGroupName="/app/one", PaginationConfig={"PageSize": 2})
             for s in page["logStreams"]]
    assert paged == ["a-stream", "b-stream", "c-other"]

    logs.delete_log_stream(logGroupName="/app/one", logStreamName="b-stream")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.delete_log_stream(logGroupName="/app/one", logStreamName="b-stream")
    assert error_code(e) == "ResourceNotFoundException"
    assert filter_messages(logs, "/app/one", "") == ["y"]
    logs.delete_log_group(logGroupName="/app/two")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.delete_log_group(logGroupName="/app/two")
    assert error_code(e) == "ResourceNotFoundException"
    assert len(logs.describe_log_groups()["logGroups"]) == 2


def test_put_and_get_log_events_tokens(logs):
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    with pytest.raises(botocore.exceptions.ClientError) as e:
        put(logs, "g", "missing", ["x"])
    assert error_code(e) == "ResourceNotFoundException"
    base = now_ms() - 100_000
    reply = put(logs, "g", "s", ["m%02d" % i for i in range(25)], start=base)
    assert reply["nextSequenceToken"]
    assert "rejectedLogEventsInfo" not in reply

    # Default: the newest events, read backwards.
    tail = logs.get_log_events(logGroupName="g", logStreamName="s", limit=10)
    assert [e["message"] for e in tail["events"]] == ["m%02d" % i for i in range(15, 25)]
    assert tail["events"][0]["timestamp"] == base + 15
    assert tail["events"][0]["ingestionTime"] >= tail["events"][0]["timestamp"]
    # Back through the rest, 10 at a time, until the token stops moving.
    token, seen = tail["nextBackwardToken"], [e["message"] for e in tail["events"]]
    while True:
        page = logs.get_log_events(logGroupName="g", logStreamName="s", limit=10, nextToken=token)
        seen = [e["message"] for e in page["events"]] + seen
        if page["nextBackwardToken"] == token:
            break
        token = page["nextBackwardToken"]
    assert seen == ["m%02d" % i for i in range(25)]

    # From the head, forwards.
    head = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True, limit=10)
    assert [e["message"] for e in head["events"]] == ["m%02d" % i for i in range(10)]
    token, seen = head["nextForwardToken"], [e["message"] for e in head["events"]]
    while True:
        page = logs.get_log_events(logGroupName="g", logStreamName="s", limit=10, nextToken=token)
        seen += [e["message"] for e in page["events"]]
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == ["m%02d" % i for i in range(25)]
    # New events appear after the last forward token.
    put(logs, "g", "s", ["late"], start=base + 50)
    page = logs.get_log_events(logGroupName="g", logStreamName="s", nextToken=token)
    assert [e["message"] for e in page["events"]] == ["late"]

    # startTime inclusive, endTime exclusive.
    window = logs.get_log_events(logGroupName="g", logStreamName="s", startFromHead=True,
                                 startTime=base + 3, endTime=base + 6)
    assert [e["message"] for e in window["events"]] == ["m03", "m04", "m05"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.get_log_events(logGroupName="g", logStreamName="s", nextToken="f/bogus")
    assert error_code(e) == "InvalidParameterException"

    # Order and age rules.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
            {"timestamp": now_ms(), "message": "b"}, {"timestamp": now_ms() - 10, "message": "a"}])
    assert error_code(e) == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
            {"timestamp": now_ms() - 2 * DAY_MS, "message": "a"},
            {"timestamp": now_ms(), "message": "b"}])
    assert error_code(e) == "InvalidParameterException"
    assert "24 hours" in e.value.response["Error"]["Message"]
    reply = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
        {"timestamp": now_ms() - 20 * DAY_MS, "message": "ancient"},
        {"timestamp": now_ms() - 20 * DAY_MS + 1, "message": "ancient2"},
    ])
    assert reply["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 1}
    put(logs, "g", "s", ["fine"])
    reply = logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[
        {"timestamp": now_ms() + 3 * 3_600_000, "message": "future"}])
    assert reply["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 0}
    messages = filter_messages(logs, "g", "")
    assert "fine" in messages and "ancient" not in messages and "future" not in messages


def test_filter_patterns(logs):
    logs.create_log_group(logGroupName="f")
    logs.create_log_stream(logGroupName="f", logStreamName="api-1")
    logs.create_log_stream(logGroupName="f", logStreamName="api-2")
    logs.create_log_stream(logGroupName="f", logStreamName="worker")
    base = now_ms() - 60_000
    put(logs, "f", "api-1", [
        "[ERROR] disk full on /dev/sda",
        "[WARN] low memory",
        "[INFO] request served",
        json.dumps({"level": "ERROR", "code": 503, "user": {"id": "u-1"}}),
    ], start=base)
    put(logs, "f", "api-2", [
        json.dumps({"level": "INFO", "code": 200, "latency": 12.5, "flag": None, "ok": True}),
        json.dumps({"level": "WARN", "code": 404, "tags": ["a", "b"]}),
        '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 404 2326',
    ], start=base + 10)
    put(logs, "f", "worker", ["[ERROR] timeout talking to db", "job done"], start=base + 20)

    assert len(filter_messages(logs, "f", "")) == 9
    assert filter_messages(logs, "f", "ERROR") == [
        "[ERROR] disk full on /dev/sda",
        json.dumps({"level": "ERROR", "code": 503, "user": {"id": "u-1"}}),
        "[ERROR] timeout talking to db"]
    assert filter_messages(logs, "f", '"disk full"') == ["[ERROR] disk full on /dev/sda"]
    assert filter_messages(logs, "f", "?WARN ?timeout") == [
        "[WARN] low memory", json.dumps({"level": "WARN", "code": 404, "tags": ["a", "b"]}),
        "[ERROR] timeout talking to db"]
    assert filter_messages(logs, "f", '"[ERROR]" -timeout -level') == [
        "[ERROR] disk full on /dev/sda"]
    assert filter_messages(logs, "f", "%u-[0-9]%") == [
        json.dumps({"level": "ERROR", "code": 503, "user": {"id": "u-1"}})]
    # JSON patterns.
    assert len(filter_messages(logs, "f", '{ $.level = "ERROR" }')) == 1
    assert len(filter_messages(logs, "f", '{ $.level != "ERROR" }')) == 2
    assert len(filter_messages(logs, "f", "{ $.code >= 400 }")) == 2
    assert len(filter_messages(logs, "f", "{ $.code > 100 && $.code < 300 }")) == 1
    assert len(filter_messages(logs, "f", '{ $.level = "WARN" || $.code = 503 }')) == 2
    assert len(filter_messages(logs, "f", '{ $.user.id = "u-*" }')) == 1
    assert len(filter_messages(logs, "f", '{ $.tags[1] = "b" }')) == 1
    assert len(filter_messages(logs, "f", "{ $.flag IS NULL }")) == 1
    assert len(filter_messages(logs, "f", "{ $.ok IS TRUE }")) == 1
    assert len(filter_messages(logs, "f", "{ $.latency NOT EXISTS }")) == 2
    # Space-delimited.
    assert len(filter_messages(
        logs, "f", "[ip, user, username, timestamp, request, status_code = 4*, bytes]")) == 1
    assert len(filter_messages(logs, "f", "[..., status_code = 404, bytes > 1000]")) == 1
    assert filter_messages(logs, "f", "[a, b]") == ["job done"]
    # Streams by name and by prefix.
    assert len(filter_messages(logs, "f", "", logStreamNames=["worker"])) == 2
    assert len(filter_messages(logs, "f", "", logStreamNamePrefix="api-")) == 7
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.filter_log_events(logGroupName="f", logStreamNames=["a"], logStreamNamePrefix="a")
    assert error_code(e) == "InvalidParameterException"
    # Time window: both ends inclusive.
    assert filter_messages(logs, "f", "", startTime=base + 1, endTime=base + 2) == [
        "[WARN] low memory", "[INFO] request served"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.filter_log_events(logGroupName="f", filterPattern="{ $.a = }")
    assert error_code(e) == "InvalidParameterException"
    # Events carry their stream, ids and ingestion times.
    event = logs.filter_log_events(logGroupName="f", limit=1)["events"][0]
    assert event["logStreamName"] == "api-1" and event["timestamp"] == base
    assert len(event["eventId"]) == 56 and event["ingestionTime"] > 0


def test_filter_paging(logs):
    logs.create_log_group(logGroupName="p")
    logs.create_log_stream(logGroupName="p", logStreamName="s1")
    logs.create_log_stream(logGroupName="p", logStreamName="s2")
    base = now_ms() - 50_000
    for batch in range(5):
        put(logs, "p", "s1", ["s1-%03d" % (batch * 100 + i) for i in range(100)],
            start=base + batch * 1000)
        put(logs, "p", "s2", ["s2-%03d" % (batch * 100 + i) for i in range(100)],
            start=base + batch * 1000 + 500)
    pages, messages, kwargs = 0, [], {}
    while True:
        page = logs.filter_log_events(logGroupName="p", limit=150, **kwargs)
        pages += 1
        messages += [e["message"] for e in page["events"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert len(messages) == 1000 and len(set(messages)) == 1000 and pages >= 7
    times = [e["timestamp"] for p in logs.get_paginator("filter_log_events").paginate(
        logGroupName="p") for e in p["events"]]
    assert times == sorted(times)
    odd = filter_messages(logs, "p", "%-[0-9][0-9][13579]$%", logStreamNames=["s2"])
    assert len(odd) == 250 and all(m.startswith("s2-") for m in odd)


def test_retention_and_sweep(tidepool_factory):
    server = tidepool_factory(durability="sync", args=["--time-scale", "0.001"])
    logs = make_client(server.endpoint, service="logs", access_key="000000000000")
    logs.create_log_group(logGroupName="r")
    logs.create_log_stream(logGroupName="r", logStreamName="old")
    logs.create_log_stream(logGroupName="r", logStreamName="new")
    put(logs, "r", "old", ["two days ago %d" % i for i in range(5)], start=now_ms() - 2 * DAY_MS)
    put(logs, "r", "new", ["now"])
    assert len(filter_messages(logs, "r", "")) == 6
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.put_retention_policy(logGroupName="r", retentionInDays=2)
    assert error_code(e) == "InvalidParameterException"
    logs.put_retention_policy(logGroupName="r", retentionInDays=1)
    assert logs.describe_log_groups(logGroupNamePrefix="r")["logGroups"][0]["retentionInDays"] == 1
    # Expired events are gone from reads at once...
    assert filter_messages(logs, "r", "") == ["now"]
    # ... and from the store once the sweeper ran (every 60 s of AWS time: 60 ms here), with
    # the stream that held only them.
    deadline = time.time() + 10
    while time.time() < deadline:
        kinds = census(server.endpoint)
        if kinds.get("log-event") == 1 and kinds.get("log-stream") == 1:
            break
        time.sleep(0.1)
    assert kinds.get("log-event") == 1 and kinds.get("log-stream") == 1, kinds
    # An event older than the retention is refused as expired.
    reply = logs.put_log_events(logGroupName="r", logStreamName="new", logEvents=[
        {"timestamp": now_ms() - 2 * DAY_MS, "message": "expired"}])
    assert reply["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 0}
    logs.delete_retention_policy(logGroupName="r")
    assert "retentionInDays" not in logs.describe_log_groups(
        logGroupNamePrefix="r")["logGroups"][0]


def census(endpoint):
    with urllib.request.urlopen(endpoint + "/_tidepool/store/kinds", timeout=10) as resp:
        body = json.loads(resp.read())
    return {k["kind"]: k["records"] for k in body["kinds"] if k["service"] == "logs"}


def test_tags(logs):
    logs.create_log_group(logGroupName="t", tags={"a": "1"})
    arn = logs.describe_log_groups(logGroupNamePrefix="t")["logGroups"][0]["logGroupArn"]
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "1"}
    logs.tag_resource(resourceArn=arn, tags={"b": "2"})
    logs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    logs.tag_log_group(logGroupName="t", tags={"c": "3"})
    logs.untag_log_group(logGroupName="t", tags=["b"])
    assert logs.list_tags_log_group(logGroupName="t")["tags"] == {"c": "3"}
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.list_tags_for_resource(
            resourceArn="arn:aws:logs:us-east-1:000000000000:log-group:none")
    assert error_code(e) == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.tag_resource(resourceArn=arn, tags={"k%d" % i: "v" for i in range(60)})
    # The model's limit (50): the codec's validation answers first, as AWS's does.
    assert error_code(e) == "ValidationException"


def test_unbuilt_operations_answer_clearly(logs):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.describe_metric_filters()
    assert error_code(e) == "UnsupportedOperationException"
    assert "DescribeMetricFilters" in e.value.response["Error"]["Message"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        logs.start_query(logGroupName="x", startTime=0, endTime=1, queryString="fields @message")
    assert error_code(e) == "UnsupportedOperationException"


def test_cli(endpoint, tmp_path):
    aws = aws_cli_runner(endpoint, tmp_path)
    aws("logs", "create-log-group", "--log-group-name", "cli")
    aws("logs", "create-log-stream", "--log-group-name", "cli", "--log-stream-name", "s")
    t = now_ms()
    aws("logs", "put-log-events", "--log-group-name", "cli", "--log-stream-name", "s",
        "--log-events", "timestamp=%d,message=hello world" % t,
        "timestamp=%d,message=goodbye" % (t + 1))
    out = aws("logs", "get-log-events", "--log-group-name", "cli", "--log-stream-name", "s",
              "--start-from-head")
    assert [e["message"] for e in out["events"]] == ["hello world", "goodbye"]
    out = aws("logs", "filter-log-events", "--log-group-name", "cli", "--filter-pattern", "hello")
    assert [e["message"] for e in out["events"]] == ["hello world"]
    out = aws("logs", "describe-log-streams", "--log-group-name", "cli")
    assert out["logStreams"][0]["logStreamName"] == "s"
    aws("logs", "put-retention-policy", "--log-group-name", "cli", "--retention-in-days", "7")
    out = aws("logs", "describe-log-groups", "--log-group-name-prefix", "cli")
    assert out["logGroups"][0]["retentionInDays"] == 7
    aws("logs", "delete-log-group", "--log-group-name", "cli")
    proc = aws("logs", "describe-log-streams", "--log-group-name", "cli", check=False)
    assert proc.returncode != 0 and "ResourceNotFoundException" in proc.stderr

"""examples/async-fanout deployed with `aws cloudformation package` + `deploy` to a fresh
tidepool, then driven over HTTP as its README says; the outcomes of PIPELINES.md section 5:
403 without (or with a wrong) API key, 400 for a bad number or operation, 202 with the request
id in the body and in x-amzn-RequestId, [] then the worker's result from GET /response/{id}
(1000 -> "500" by division, "2500" by multiplication), and a message a worker fails on three
times in the dead-letter queue."""

import json
import time

import pytest

from apigateway_helpers import body_json, invoke_path, request
from example_helpers import EXAMPLES, deploy_example
from harness import make_client

EVENTS = EXAMPLES / "async-fanout" / "events"


@pytest.mark.tidepool(args=["--time-scale", "0.1"])  # visibility timeouts of 1 s, not 10
def test_async_fanout_example(endpoint, tmp_path):
    out = deploy_example(endpoint, tmp_path, "async-fanout", "async-fanout")
    api = out["ApiId"]
    apigw = make_client(endpoint, "apigateway", access_key="000000000000")
    key = apigw.get_api_key(apiKey=out["ApiKeyId"], includeValue=True)["value"]

    def call(method, path, body=None, api_key=key):
        headers = {"Content-Type": "application/json"}
        if api_key is not None:
            headers["x-api-key"] = api_key
        status, hdrs, data = request(endpoint, method, invoke_path(api, "dev", path), body=body,
                                     headers=headers)
        return status, hdrs, body_json(data)

    def result(request_id, timeout=60):
        deadline = time.time() + timeout
        while True:
            status, _, items = call("GET", "/response/" + request_id)
            assert status == 200, items
            if items or time.time() > deadline:
                return items
            time.sleep(0.2)

    divide = (EVENTS / "divideTest.json").read_bytes()  # the seed's odd whitespace kept
    multiply = (EVENTS / "multiplyTest.json").read_bytes()

    assert call("POST", "/inbound", divide, api_key=None)[0] == 403
    assert call("POST", "/inbound", divide, api_key="not-the-key-0123456789")[0] == 403
    assert call("GET", "/response/x", api_key=None)[0] == 403
    assert call("POST", "/inbound", b'{"operation": "division", "number": "x"}')[::2] == \
        (400, {"message": "Invalid number."})
    assert call("POST", "/inbound", b'{"operation": "power", "number": 2}')[::2] == \
        (400, {"message": "Invalid operation."})

    expected = {}
    for body, want in ((divide, "500"), (multiply, "2500")):
        status, hdrs, reply = call("POST", "/inbound", body)
        assert status == 202, reply
        assert reply["message"] == "Request published to SNS"
        assert hdrs["x-amzn-requestid"] == reply["requestId"]
        expected[reply["requestId"]] = want
    for request_id, want in expected.items():
        items = result(request_id)
        assert [item["resultant"] for item in items] == [want], items
        assert items[0]["requestId"] == request_id
        assert isinstance(items[0]["timestamp"], int)
        assert items[0]["timestamp"] <= int(time.time() * 1000)

    # Each queue got only its operation (filter policies), and nothing reached the DLQ.
    sqs = make_client(endpoint, "sqs")
    dlq = out["DeadLetterQueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1)

    # A message the worker cannot parse fails three receives, then sits in the DLQ.
    sns = make_client(endpoint, "sns")
    sns.publish(TopicArn=out["TopicArn"], Message="not a job", MessageAttributes={
        "operation": {"DataType": "String", "StringValue": "division"}})
    deadline = time.time() + 90
    got = []
    while not got and time.time() < deadline:
        got = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=5).get("Messages", [])
    assert [m["Body"] for m in got] == ["not a job"]

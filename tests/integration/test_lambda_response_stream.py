"""Response streaming: a Node handler wrapped in awslambda.streamifyResponse streams its response
through the Runtime API (a chunked POST /response), and InvokeWithResponseStream hands each piece
to the caller as it arrives (boto3's event stream). AWS's reference:
https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html"""

import base64
import http.client
import json

import pytest

from harness import make_client
from lambda_helpers import zip_one

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

# Writes a first piece, then waits until the test (having read that piece from the stream)
# sends a message to the queue: a response that is not streamed never lets it go on.
GATED = r"""
const { SQSClient, ReceiveMessageCommand } = require('@aws-sdk/client-sqs');
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  responseStream.setContentType('text/plain');
  responseStream.write('first;');
  const sqs = new SQSClient({});
  let released = false;
  for (let i = 0; i < 15 && !released; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: event.queue, WaitTimeSeconds: 1 }));
    released = (r.Messages || []).length > 0;
  }
  responseStream.write(released ? 'second' : 'never-released');
  responseStream.end();
});
"""

FAILING = r"""
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write('partial');
  await new Promise((r) => setTimeout(r, 10));
  throw new TypeError('boom after bytes');
});
"""

HTTP_STREAM = r"""
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const out = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 201, headers: { 'x-custom': 'yes' } });
  console.log('streaming for', event.who);
  out.write('hello ');
  out.end(event.who);
});
"""


@pytest.fixture
def lam(endpoint):
    return make_client(endpoint, service="lambda", access_key="000000000000", read_timeout=60)


def deploy(lam, name, source, timeout=30):
    lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE,
                        Handler="index.handler", Timeout=timeout,
                        Code={"ZipFile": zip_one("index.js", source)})


def events_of(resp):
    out = []
    for event in resp["EventStream"]:
        out.append(event)
    return out


def test_pieces_reach_the_caller_as_the_function_writes_them(lam, endpoint):
    sqs = make_client(endpoint, service="sqs", access_key="000000000000")
    queue = sqs.create_queue(QueueName="release")["QueueUrl"]
    deploy(lam, "gated", GATED)
    resp = lam.invoke_with_response_stream(FunctionName="gated",
                                           Payload=json.dumps({"queue": queue}).encode())
    assert resp["StatusCode"] == 200
    assert resp["ResponseStreamContentType"] == "text/plain"
    assert resp["ExecutedVersion"] == "$LATEST"
    stream = iter(resp["EventStream"])
    first = next(stream)
    assert first == {"PayloadChunk": {"Payload": b"first;"}}
    sqs.send_message(QueueUrl=queue, MessageBody="go")
    rest = list(stream)
    payload = b"".join(e["PayloadChunk"]["Payload"] for e in rest if "PayloadChunk" in e)
    assert payload == b"second"
    assert rest[-1] == {"InvokeComplete": {}}


def test_an_error_after_the_first_bytes_ends_the_stream_with_it(lam):
    deploy(lam, "failing", FAILING)
    events = events_of(lam.invoke_with_response_stream(FunctionName="failing", Payload=b"{}"))
    assert events[0] == {"PayloadChunk": {"Payload": b"partial"}}
    complete = events[-1]["InvokeComplete"]
    assert complete["ErrorCode"] == "TypeError"
    assert complete["ErrorDetails"] == "boom after bytes"


def test_http_response_stream_prelude_and_the_log(lam):
    deploy(lam, "http-stream", HTTP_STREAM)
    resp = lam.invoke_with_response_stream(FunctionName="http-stream", LogType="Tail",
                                           Payload=b'{"who": "world"}')
    assert resp["ResponseStreamContentType"] == \
        "application/vnd.awslambda.http-integration-response"
    events = events_of(resp)
    body = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    prelude, _, rest = body.partition(b"\0" * 8)
    assert json.loads(prelude) == {"statusCode": 201, "headers": {"x-custom": "yes"}}
    assert rest == b"hello world"
    log = base64.b64decode(events[-1]["InvokeComplete"]["LogResult"]).decode()
    assert "streaming for world" in log and "REPORT RequestId:" in log


def test_a_streaming_function_invoked_plainly_answers_the_whole_response(lam):
    deploy(lam, "http-stream-2", HTTP_STREAM)
    out = lam.invoke(FunctionName="http-stream-2", Payload=b'{"who": "all"}')
    assert "FunctionError" not in out
    assert out["Payload"].read().endswith(b"\0" * 8 + b"hello all")


def test_function_url_in_response_stream_mode(lam, endpoint):
    """The URL's response starts when the function's prelude is complete and its body arrives
    piece by piece: the function goes on only once the client has read the first piece."""
    sqs = make_client(endpoint, service="sqs", access_key="000000000000")
    queue = sqs.create_queue(QueueName="url-release")["QueueUrl"]
    deploy(lam, "url-stream", r"""
const { SQSClient, ReceiveMessageCommand } = require('@aws-sdk/client-sqs');
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const out = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 202, headers: { 'content-type': 'text/event-stream', 'x-fn': 'yes' },
    cookies: ['a=1'] });
  out.write('data: one\n\n');
  const sqs = new SQSClient({});
  const queue = JSON.parse(event.body).queue;
  let released = false;
  for (let i = 0; i < 15 && !released; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, WaitTimeSeconds: 1 }));
    released = (r.Messages || []).length > 0;
  }
  out.end(released ? 'data: two\n\n' : 'data: never\n\n');
});
""")
    created = lam.create_function_url_config(FunctionName="url-stream", AuthType="NONE",
                                             InvokeMode="RESPONSE_STREAM",
                                             Cors={"AllowOrigins": ["*"]})
    assert created["InvokeMode"] == "RESPONSE_STREAM"
    assert lam.get_function_url_config(FunctionName="url-stream")["InvokeMode"] == \
        "RESPONSE_STREAM"
    url_id = created["FunctionUrl"].split("//")[1].split(".")[0]
    host, port = endpoint.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.request("POST", "/_tidepool/lambda-url/%s/" % url_id,
                 body=json.dumps({"queue": queue}), headers={"Origin": "https://x.example"})
    resp = conn.getresponse()
    assert resp.status == 202, (resp.getheaders(), resp.read())
    assert resp.getheader("content-type") == "text/event-stream"
    assert resp.getheader("x-fn") == "yes" and resp.getheader("set-cookie") == "a=1"
    assert resp.getheader("access-control-allow-origin") == "*"
    assert resp.read1(64) == b"data: one\n\n"
    sqs.send_message(QueueUrl=queue, MessageBody="go")
    assert resp.read() == b"data: two\n\n"
    conn.close()
    # Back to BUFFERED: the same function answers its whole response at once.
    lam.update_function_url_config(FunctionName="url-stream", InvokeMode="BUFFERED")
    assert lam.get_function_url_config(FunctionName="url-stream")["InvokeMode"] == "BUFFERED"

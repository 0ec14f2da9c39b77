"""Lambda over rest-json with boto3: functions of all three runtimes (python, node, a provided
bootstrap) as local processes, from zip files built here and from a hot-reload directory."""

import base64
import io
import json
import os
import signal
import stat
import textwrap
import threading
import time
import zipfile

import botocore.exceptions
import pytest

from harness import make_client
from lambda_helpers import child_pids, sandbox_pids

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


@pytest.fixture
def lam(endpoint):
    return make_client(endpoint, service="lambda", access_key="000000000000", read_timeout=60)


def make_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)
    return buf.getvalue()


PY_HANDLER = textwrap.dedent("""
    import json, os, time
    import boto3  # importable, as on AWS
    def handler(event, context):
        print("hello from python", event.get("n"))
        if event.get("fail"):
            raise ValueError("boom " + str(event.get("n")))
        if event.get("sleep"):
            time.sleep(event["sleep"])
        if event.get("exit"):
            os._exit(3)
        return {"n": event.get("n"), "fn": context.function_name,
                "arn": context.invoked_function_arn, "request": context.aws_request_id,
                "remaining": context.get_remaining_time_in_millis(),
                "env": os.environ.get("GREETING"), "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
                "region": os.environ.get("AWS_REGION"), "cwd": os.getcwd(),
                "task_root": os.environ.get("LAMBDA_TASK_ROOT")}
""")

NODE_CJS = textwrap.dedent("""
    exports.handler = async (event, context) => {
      console.log('hello from node', event.n);
      if (event.fail) throw new TypeError('node boom');
      return { n: event.n, fn: context.functionName, left: context.getRemainingTimeInMillis() > 0 };
    };
    exports.callback = (event, context, callback) => {
      setTimeout(() => callback(null, { cb: event.n }), 5);
    };
""")

NODE_ESM = textwrap.dedent("""
    export const handler = async (event) => ({ esm: true, n: event.n });
""")

BOOTSTRAP = textwrap.dedent("""\
    #!/bin/sh
    # A provided.al2023 function in shell: echo the event back, upper-cased.
    set -eu
    API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
    while true; do
      HEADERS=$(mktemp)
      EVENT=$(curl -sS -D "$HEADERS" "$API/invocation/next")
      ID=$(grep -i Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '\\r' | cut -d' ' -f2)
      echo "bootstrap got $EVENT"
      echo "$EVENT" | tr a-z A-Z | curl -sS -X POST "$API/invocation/$ID/response" -d @- >/dev/null
    done
""")


def create(lam, name, runtime, handler, files, **kwargs):
    out = lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE, Handler=handler,
                              Code={"ZipFile": make_zip(files)}, **kwargs)
    lam.get_waiter("function_active_v2").wait(FunctionName=name,
                                                WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    return out


def invoke(lam, name, event, **kwargs):
    r = lam.invoke(FunctionName=name, Payload=json.dumps(event).encode(), **kwargs)
    return r, json.loads(r["Payload"].read())


def expect_error(fn, code, status, message=None):
    with pytest.raises(botocore.exceptions.ClientError) as e:
        fn()
    err = e.value.response
    assert err["Error"]["Code"] == code, err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == status, err
    if message is not None:
        assert message in err["Error"]["Message"], err
    return err


def test_python_function_lifecycle_and_invoke(lam, server):
    out = create(lam, "py-fn", "python3.12", "app.handler", {"app.py": (PY_HANDLER, 0o644)},
                 Environment={"Variables": {"GREETING": "hi"}}, Timeout=5, Tags={"team": "a"})
    assert out["State"] == "Pending"
    assert out["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:py-fn"
    assert out["CodeSize"] > 0 and out["CodeSha256"]

    cfg = lam.get_function_configuration(FunctionName="py-fn")
    assert cfg["State"] == "Active" and cfg["LastUpdateStatus"] == "Successful"
    assert cfg["Timeout"] == 5 and cfg["MemorySize"] == 128
    got = lam.get_function(FunctionName="arn:aws:lambda:us-east-1:000000000000:function:py-fn")
    assert got["Configuration"]["FunctionName"] == "py-fn"
    assert got["Tags"] == {"team": "a"}
    assert lam.list_tags(Resource=cfg["FunctionArn"])["Tags"] == {"team": "a"}

    r, body = invoke(lam, "py-fn", {"n": 1}, LogType="Tail")
    assert r["StatusCode"] == 200 and "FunctionError" not in r
    assert r["ExecutedVersion"] == "$LATEST"
    assert body["n"] == 1 and body["fn"] == "py-fn" and body["env"] == "hi"
    assert body["endpoint"] == server.endpoint
    assert body["region"] == "us-east-1"
    assert 0 < body["remaining"] <= 5000
    log = base64.b64decode(r["LogResult"]).decode()
    assert "START RequestId: " in log and "hello from python 1" in log
    assert "END RequestId: " in log and "REPORT RequestId: " in log

    # Warm: the same sandbox answers the next invocations.
    for n in range(2, 6):
        r, body = invoke(lam, "py-fn", {"n": n})
        assert body["n"] == n

    r, body = invoke(lam, "py-fn", {"n": 7, "fail": True})
    assert r["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError" and body["errorMessage"] == "boom 7"
    assert isinstance(body["stackTrace"], list)

    assert lam.invoke(FunctionName="py-fn", InvocationType="DryRun")["StatusCode"] == 204
    assert lam.invoke(FunctionName="py-fn", InvocationType="Event",
                      Payload=b'{"n": 9}')["StatusCode"] == 202

    lam.update_function_configuration(FunctionName="py-fn", Environment={"Variables": {"GREETING": "yo"}})
    lam.get_waiter("function_updated_v2").wait(FunctionName="py-fn",
                                                 WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    assert invoke(lam, "py-fn", {"n": 10})[1]["env"] == "yo"

    new_code = PY_HANDLER.replace('"n": event.get("n")', '"n": event.get("n") * 100')
    lam.update_function_code(FunctionName="py-fn", ZipFile=make_zip({"app.py": (new_code, 0o644)}))
    lam.get_waiter("function_updated_v2").wait(FunctionName="py-fn",
                                                 WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    assert invoke(lam, "py-fn", {"n": 2})[1]["n"] == 200

    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert names == ["py-fn"]
    lam.delete_function(FunctionName="py-fn")
    expect_error(lambda: lam.get_function(FunctionName="py-fn"), "ResourceNotFoundException", 404,
                 "Function not found: arn:aws:lambda:us-east-1:000000000000:function:py-fn")


def test_node_functions_cjs_esm_callback(lam):
    create(lam, "node-cjs", "nodejs20.x", "index.handler", {"index.js": (NODE_CJS, 0o644)})
    r, body = invoke(lam, "node-cjs", {"n": 4}, LogType="Tail")
    assert body == {"n": 4, "fn": "node-cjs", "left": True}
    assert "hello from node 4" in base64.b64decode(r["LogResult"]).decode()
    r, body = invoke(lam, "node-cjs", {"fail": True})
    assert r["FunctionError"] == "Unhandled"
    assert body["errorType"] == "TypeError" and body["errorMessage"] == "node boom"

    create(lam, "node-cb", "nodejs20.x", "index.callback", {"index.js": (NODE_CJS, 0o644)})
    assert invoke(lam, "node-cb", {"n": 5})[1] == {"cb": 5}

    create(lam, "node-esm", "nodejs22.x", "app.handler", {"app.mjs": (NODE_ESM, 0o644)})
    assert invoke(lam, "node-esm", {"n": 6})[1] == {"esm": True, "n": 6}


def test_provided_bootstrap(lam):
    create(lam, "shell-fn", "provided.al2023", "unused", {"bootstrap": (BOOTSTRAP, 0o755)})
    r = lam.invoke(FunctionName="shell-fn", Payload=b'{"word":"quiet"}')
    assert r["Payload"].read().strip() == b'{"WORD":"QUIET"}'


def test_errors_timeout_crash_init(lam):
    expect_error(lambda: lam.get_function(FunctionName="nope"), "ResourceNotFoundException", 404,
                 "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
    expect_error(lambda: lam.create_function(FunctionName="old", Runtime="python2.7", Role=ROLE,
                                             Handler="a.b", Code={"ZipFile": make_zip({})}),
                 "InvalidParameterValueException", 400, "python3")
    expect_error(lambda: lam.create_function(FunctionName="bad", Runtime="python3.12", Role=ROLE,
                                             Handler="a.b", Code={"ZipFile": b"not a zip"}),
                 "InvalidParameterValueException", 400, "Could not unzip uploaded file")
    create(lam, "t", "python3.12", "app.handler", {"app.py": (PY_HANDLER, 0o644)}, Timeout=1)
    expect_error(lambda: lam.create_function(FunctionName="t", Runtime="python3.12", Role=ROLE,
                                             Handler="a.b",
                                             Code={"ZipFile": make_zip({"a.py": ("", 0o644)})}),
                 "ResourceConflictException", 409, "Function already exist: t")

    start = time.time()
    r, body = invoke(lam, "t", {"sleep": 5})
    assert time.time() - start < 4
    assert r["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    # A new sandbox takes the next invocation.
    assert invoke(lam, "t", {"n": 1})[1]["n"] == 1

    r, body = invoke(lam, "t", {"exit": True})
    assert r["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ExitError"
    assert "exit status 3" in body["errorMessage"]
    assert invoke(lam, "t", {"n": 2})[1]["n"] == 2

    create(lam, "broken", "python3.12", "missing.handler", {"app.py": (PY_HANDLER, 0o644)})
    r, body = invoke(lam, "broken", {})
    assert r["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"

    expect_error(lambda: lam.invoke(FunctionName="t", Payload=b"{not json"),
                 "InvalidRequestContentException", 400)
    # Code signing is not built: a clear 501, never a silent fake.
    expect_error(lambda: lam.get_function_code_signing_config(FunctionName="t"),
                 "UnsupportedOperationException", 501)


MEMORY_HANDLER = textwrap.dedent("""
    import time
    def handler(event, context):
        block = b"x" * (event["mb"] << 20)  # written, so resident
        time.sleep(event.get("sleep", 0))
        return len(block) >> 20
""")


def max_memory_used(r):
    log = base64.b64decode(r["LogResult"]).decode()
    report = [line for line in log.splitlines() if line.startswith("REPORT")][-1]
    return int(report.split("Max Memory Used: ")[1].split(" MB")[0]), report


def test_memory_size_measured_and_enforced(lam):
    """REPORT's Max Memory Used is the sandbox's measured peak, and a function whose memory
    passes MemorySize is killed with Runtime.OutOfMemory as on AWS, both when the peak is seen
    at the end of the invocation and while it still runs (long before its timeout)."""
    create(lam, "mem", "python3.12", "app.handler", {"app.py": (MEMORY_HANDLER, 0o644)},
           MemorySize=128, Timeout=30)
    r, body = invoke(lam, "mem", {"mb": 40}, LogType="Tail")
    assert body == 40 and "FunctionError" not in r
    used, report = max_memory_used(r)
    assert 40 <= used < 128, report
    assert "Memory Size: 128 MB" in report

    r, body = invoke(lam, "mem", {"mb": 200}, LogType="Tail")
    assert r["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.OutOfMemory", body
    assert "Runtime exited with error: signal: killed" in body["errorMessage"]
    used, report = max_memory_used(r)
    assert used > 128 and "Error Type: Runtime.OutOfMemory" in report, report

    start = time.time()
    r, body = invoke(lam, "mem", {"mb": 200, "sleep": 20})
    assert body["errorType"] == "Runtime.OutOfMemory", body
    assert time.time() - start < 15  # killed by the poll, not by the 30 s timeout

    # A new sandbox takes the next invocation; more MemorySize lets the same work pass.
    assert invoke(lam, "mem", {"mb": 1})[1] == 1
    lam.update_function_configuration(FunctionName="mem", MemorySize=512)
    lam.get_waiter("function_updated_v2").wait(FunctionName="mem",
                                               WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    r, body = invoke(lam, "mem", {"mb": 200}, LogType="Tail")
    assert body == 200, body
    assert 200 <= max_memory_used(r)[0] < 512


def test_hot_reload_directory(lam, tmp_path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text("def handler(event, context):\n    return 'one'\n")
    lam.create_function(FunctionName="hot", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler",
                        Code={"S3Bucket": "hot-reload", "S3Key": str(code)})
    assert invoke(lam, "hot", {})[1] == "one"
    time.sleep(0.05)
    (code / "app.py").write_text("def handler(event, context):\n    return 'two'\n")
    os.utime(code / "app.py", (time.time() + 5, time.time() + 5))
    assert invoke(lam, "hot", {})[1] == "two"


def test_function_calls_back_into_tidepool(lam, endpoint):
    handler = textwrap.dedent("""
        import boto3
        def handler(event, context):
            sqs = boto3.client("sqs")
            url = sqs.create_queue(QueueName="from-lambda")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody="hi")
            return url
    """)
    create(lam, "caller", "python3.12", "app.handler", {"app.py": (handler, 0o644)}, Timeout=30)
    r, url = invoke(lam, "caller", {})
    assert "FunctionError" not in r, url
    sqs = make_client(endpoint, service="sqs", access_key="000000000000")
    msgs = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    assert msgs[0]["Body"] == "hi"


def test_reserved_concurrency_and_account_settings(lam):
    create(lam, "c", "python3.12", "app.handler", {"app.py": (PY_HANDLER, 0o644)})
    lam.put_function_concurrency(FunctionName="c", ReservedConcurrentExecutions=0)
    assert lam.get_function_concurrency(FunctionName="c")["ReservedConcurrentExecutions"] == 0
    err = expect_error(lambda: lam.invoke(FunctionName="c", Payload=b"{}"),
                       "TooManyRequestsException", 429)
    # AWS's Reason member says which limit it was.
    assert err["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded", err
    lam.delete_function_concurrency(FunctionName="c")
    assert invoke(lam, "c", {"n": 1})[1]["n"] == 1
    settings = lam.get_account_settings()
    assert settings["AccountUsage"]["FunctionCount"] == 1


@pytest.mark.tidepool(args=["--lambda-max-sandboxes", "2"])
def test_machine_cap_evicts_idle_sandboxes_before_throttling(lam):
    """At the machine-wide sandbox cap an idle sandbox of another function ends to make room
    (AWS has no such cap); only when every sandbox is busy is an invoke throttled."""
    for name in ("cap-a", "cap-b", "cap-c"):
        create(lam, name, "python3.12", "app.handler", {"app.py": (PY_HANDLER, 0o644)},
               Timeout=10)
    assert invoke(lam, "cap-a", {"n": 1})[1]["n"] == 1
    assert invoke(lam, "cap-b", {"n": 2})[1]["n"] == 2
    # Two idle sandboxes fill the cap; a third function evicts the older (cap-a's).
    assert invoke(lam, "cap-c", {"n": 3})[1]["n"] == 3
    assert invoke(lam, "cap-a", {"n": 4})[1]["n"] == 4

    # Two busy sandboxes: a third concurrent invoke has nothing to evict.
    lam_async = make_client(lam.meta.endpoint_url, service="lambda", access_key="000000000000",
                            read_timeout=60)
    results = []
    threads = [threading.Thread(target=lambda n=n: results.append(
        invoke(lam_async, n, {"sleep": 3})[0]["StatusCode"])) for n in ("cap-a", "cap-b")]
    for t in threads:
        t.start()
    time.sleep(1.5)
    err = expect_error(lambda: lam.invoke(FunctionName="cap-c", Payload=b"{}"),
                       "TooManyRequestsException", 429)
    assert err["Reason"] == "ConcurrentInvocationLimitExceeded", err
    for t in threads:
        t.join()
    assert results == [200, 200]


@pytest.mark.tidepool(durability="sync")
def test_functions_survive_restart_and_no_orphans(tidepool_factory, tmp_path):
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "d")
    lam = make_client(server.endpoint, service="lambda", access_key="000000000000")
    create(lam, "keep", "python3.12", "app.handler", {"app.py": (PY_HANDLER, 0o644)})
    assert invoke(lam, "keep", {"n": 1})[1]["n"] == 1
    # Every process tidepool started: sandboxes, and the Python zygote that forked them.
    sandboxes = sandbox_pids(server.proc.pid)
    assert sandboxes
    children = child_pids(server.proc.pid) + sandboxes
    server.kill()
    deadline = time.time() + 5
    while time.time() < deadline:
        alive = [p for p in children if os.path.exists("/proc/%s" % p) and
                 "Z" not in open("/proc/%s/stat" % p).read().split()[2]]
        if not alive:
            break
        time.sleep(0.05)
    assert not alive, "sandbox processes outlived tidepool"
    server2 = tidepool_factory(durability="sync", data_dir=tmp_path / "d")
    lam2 = make_client(server2.endpoint, service="lambda", access_key="000000000000")
    assert lam2.get_function(FunctionName="keep")["Configuration"]["State"] == "Active"
    assert invoke(lam2, "keep", {"n": 2})[1]["n"] == 2


def test_sns_subscription_invokes_function(lam, endpoint):
    handler = textwrap.dedent("""
        import boto3, json
        def handler(event, context):
            record = event["Records"][0]
            sqs = boto3.client("sqs")
            url = sqs.get_queue_url(QueueName="sns-seen")["QueueUrl"]
            sqs.send_message(QueueUrl=url, MessageBody=record["Sns"]["Message"] + "|" +
                             record["EventSource"])
            return "ok"
    """)
    sqs = make_client(endpoint, service="sqs", access_key="000000000000")
    url = sqs.create_queue(QueueName="sns-seen")["QueueUrl"]
    fn = create(lam, "on-sns", "python3.12", "app.handler", {"app.py": (handler, 0o644)},
                Timeout=30)
    sns = make_client(endpoint, service="sns", access_key="000000000000")
    topic = sns.create_topic(Name="t")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn["FunctionArn"])
    sns.publish(TopicArn=topic, Message="hello lambda")
    deadline = time.time() + 20
    bodies = []
    while time.time() < deadline and not bodies:
        bodies = [m["Body"] for m in
                  sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])]
    assert bodies == ["hello lambda|aws:sns"]


def test_cpp_function_with_sdk_runtime_client(lam):
    binary = os.path.join(os.path.dirname(os.environ.get("TIDEPOOL_BIN", "build/check/tidepool")),
                          "lambda_echo_function")
    if not os.path.exists(binary):
        pytest.skip("lambda_echo_function not built")
    with open(binary, "rb") as f:
        exe = f.read()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = (stat.S_IFREG | 0o755) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, exe)
    lam.create_function(FunctionName="cpp", Runtime="provided.al2023", Role=ROLE,
                        Handler="bootstrap", Code={"ZipFile": buf.getvalue()})
    r, body = invoke(lam, "cpp", {"x": 1}, LogType="Tail")
    assert body["echo"] == {"x": 1} and body["request_id"]
    assert 'echo function got {"x": 1}' in base64.b64decode(r["LogResult"]).decode()
    r, body = invoke(lam, "cpp", {"fail": True})
    assert r["FunctionError"] == "Unhandled"
    assert body == {"errorType": "EchoError", "errorMessage": "asked to fail"}


RETRY_HANDLER = textwrap.dedent("""
    import os
    def handler(event, context):
        path = event["path"]
        with open(path, "a") as f:
            f.write(context.aws_request_id + "\\n")
        attempts = len(open(path).read().split())
        if attempts <= event.get("fail_times", 0):
            raise RuntimeError("attempt %d fails" % attempts)
        if event.get("sleep"):
            import time
            time.sleep(event["sleep"])
        return attempts
""")


def wait_for_lines(path, n, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if os.path.exists(path) and len(open(path).read().split()) >= n:
            return open(path).read().split()
        time.sleep(0.05)
    return open(path).read().split() if os.path.exists(path) else []


@pytest.mark.tidepool(args=["--time-scale", "0.001"])
def test_event_invocations_are_retried_after_function_errors(lam, tmp_path):
    create(lam, "retry", "python3.12", "app.handler", {"app.py": (RETRY_HANDLER, 0o644)})
    path = str(tmp_path / "attempts")
    r = lam.invoke(FunctionName="retry", InvocationType="Event",
                   Payload=json.dumps({"path": path, "fail_times": 2}).encode())
    assert r["StatusCode"] == 202
    lines = wait_for_lines(path, 3)
    assert len(lines) == 3
    assert len(set(lines)) == 1  # every attempt carries the invocation's request id
    time.sleep(0.5)
    assert len(open(path).read().split()) == 3  # the third attempt succeeded: no more


def test_queued_event_invocations_survive_kill9(tidepool_factory, tmp_path):
    data = tmp_path / "d"
    server = tidepool_factory(durability="sync", data_dir=data)
    lam = make_client(server.endpoint, service="lambda", access_key="000000000000")
    create(lam, "slow", "python3.12", "app.handler", {"app.py": (RETRY_HANDLER, 0o644)},
           Timeout=30)
    path = str(tmp_path / "runs")
    lam.invoke(FunctionName="slow", InvocationType="Event",
               Payload=json.dumps({"path": path, "sleep": 30}).encode())
    assert wait_for_lines(path, 1)  # running, not finished
    server.kill()
    server2 = tidepool_factory(durability="sync", data_dir=data)
    lam2 = make_client(server2.endpoint, service="lambda", access_key="000000000000")
    assert len(wait_for_lines(path, 2)) == 2  # the accepted event ran again after the restart
    assert lam2.get_function(FunctionName="slow")["Configuration"]["State"] == "Active"


NODE_SDK_CJS = """
const { SQSClient, SendMessageCommand } = require("@aws-sdk/client-sqs");
const sqs = new SQSClient({});
exports.handler = async (event) => {
  await sqs.send(new SendMessageCommand({ QueueUrl: event.queue, MessageBody: "from cjs" }));
  return "sent";
};
"""

NODE_SDK_ESM = """
import { SNSClient, ListTopicsCommand } from "@aws-sdk/client-sns";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, GetCommand } from "@aws-sdk/lib-dynamodb";
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
export const handler = async (event) => {
  await doc.send(new PutCommand({ TableName: event.table, Item: { id: "x", n: 7 } }));
  const got = await doc.send(new GetCommand({ TableName: event.table, Key: { id: "x" } }));
  const topics = await new SNSClient({}).send(new ListTopicsCommand({}));
  return { n: got.Item.n, topics: topics.Topics.length };
};
"""


def test_node_functions_use_the_bundled_aws_sdk(lam, endpoint):
    sqs = make_client(endpoint, "sqs")
    ddb = make_client(endpoint, "dynamodb")
    url = sqs.create_queue(QueueName="node-sdk")["QueueUrl"]
    ddb.create_table(TableName="node-sdk", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    create(lam, "sdk-cjs", "nodejs20.x", "index.handler", {"index.js": (NODE_SDK_CJS, 0o644)})
    create(lam, "sdk-esm", "nodejs22.x", "app.handler", {"app.mjs": (NODE_SDK_ESM, 0o644)})
    r = lam.invoke(FunctionName="sdk-cjs", Payload=json.dumps({"queue": url}).encode())
    assert json.loads(r["Payload"].read()) == "sent", r
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"][0]["Body"] == "from cjs"
    r = lam.invoke(FunctionName="sdk-esm", Payload=json.dumps({"table": "node-sdk"}).encode())
    assert json.loads(r["Payload"].read()) == {"n": 7, "topics": 0}, r
    # A .js ES module by its package.json's "type" finds the SDK too (the runtime registers its
    # resolve hook only for ES module handlers).
    create(lam, "sdk-esm-pkg", "nodejs20.x", "index.handler",
           {"index.js": (NODE_SDK_ESM, 0o644), "package.json": ('{"type": "module"}', 0o644)})
    r = lam.invoke(FunctionName="sdk-esm-pkg", Payload=json.dumps({"table": "node-sdk"}).encode())
    assert json.loads(r["Payload"].read()) == {"n": 7, "topics": 0}, r

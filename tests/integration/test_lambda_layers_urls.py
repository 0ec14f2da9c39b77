"""Lambda layers (on the runtimes' search paths, as /opt is on AWS) and function URLs (served
over HTTP with the payload format 2.0), with boto3, the aws CLI and plain HTTP."""

import io
import json
import os
import stat
import subprocess
import urllib.error
import urllib.request
import zipfile

import botocore.exceptions
import pytest

from harness import make_client

ROLE = "arn:aws:iam::000000000000:role/lambda-role"


def make_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | mode) << 16
            z.writestr(info, text)
    return buf.getvalue()


@pytest.fixture
def lam(endpoint):
    return make_client(endpoint, service="lambda", access_key="000000000000", read_timeout=60)


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_layer_versions_api(lam):
    content = make_zip({"python/helper.py": ("X = 1\n", 0o644)})
    v1 = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": content},
                                   CompatibleRuntimes=["python3.12"], Description="one")
    assert v1["Version"] == 1 and v1["LayerVersionArn"].endswith(":layer:shared:1")
    v2 = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": content},
                                   CompatibleRuntimes=["nodejs20.x"])
    assert v2["Version"] == 2
    got = lam.get_layer_version(LayerName="shared", VersionNumber=1)
    assert got["Description"] == "one" and got["Content"]["CodeSize"] == len(content)
    assert lam.get_layer_version_by_arn(Arn=v2["LayerVersionArn"])["Version"] == 2
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="shared")["LayerVersions"]] \
        == [2, 1]
    assert [v["Version"] for v in lam.list_layer_versions(
        LayerName="shared", CompatibleRuntime="python3.12")["LayerVersions"]] == [1]
    layers = lam.list_layers()["Layers"]
    assert [(l["LayerName"], l["LatestMatchingVersion"]["Version"]) for l in layers] == \
        [("shared", 2)]
    lam.delete_layer_version(LayerName="shared", VersionNumber=2)
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_layer_version(LayerName="shared", VersionNumber=2)
    assert error_code(e) == "ResourceNotFoundException"
    # A deleted version's number is not given again.
    assert lam.publish_layer_version(LayerName="shared",
                                     Content={"ZipFile": content})["Version"] == 3
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.create_function(FunctionName="bad-layer", Runtime="python3.12", Role=ROLE,
                            Handler="app.handler",
                            Code={"ZipFile": make_zip({"app.py": ("", 0o644)})},
                            Layers=[v1["LayerArn"] + ":9"])
    assert error_code(e) == "InvalidParameterValueException"


def test_functions_import_from_their_layers(lam):
    py_layer = lam.publish_layer_version(
        LayerName="py-lib",
        Content={"ZipFile": make_zip({"python/greeting.py": ("WORD = 'from-layer'\n", 0o644)})})
    node_layer = lam.publish_layer_version(
        LayerName="node-lib",
        Content={"ZipFile": make_zip({"nodejs/node_modules/greeting/index.js":
                                      ("exports.word = 'node-layer';\n", 0o644)})})
    bin_layer = lam.publish_layer_version(
        LayerName="tool",
        Content={"ZipFile": make_zip({"bin/layer-tool": ("#!/bin/sh\necho tool-ran\n", 0o755)})})
    lam.create_function(
        FunctionName="py-layered", Runtime="python3.12", Role=ROLE, Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": (
            "import subprocess, greeting\n"
            "def handler(e, c):\n"
            "    return [greeting.WORD, subprocess.run(['layer-tool'], capture_output=True,"
            " text=True).stdout.strip()]\n", 0o644)})},
        Layers=[py_layer["LayerVersionArn"], bin_layer["LayerVersionArn"]])
    lam.create_function(
        FunctionName="node-layered", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": (
            "const g = require('greeting');\n"
            "exports.handler = async () => g.word;\n", 0o644)})},
        Layers=[node_layer["LayerVersionArn"]])
    conf = lam.get_function_configuration(FunctionName="py-layered")
    assert [l["Arn"] for l in conf["Layers"]] == [py_layer["LayerVersionArn"],
                                                 bin_layer["LayerVersionArn"]]
    out = lam.invoke(FunctionName="py-layered", Payload=b"{}")
    assert json.loads(out["Payload"].read()) == ["from-layer", "tool-ran"], out
    out = lam.invoke(FunctionName="node-layered", Payload=b"{}")
    assert json.loads(out["Payload"].read()) == "node-layer"
    # Removing the layers takes effect on the next invocation.
    lam.update_function_configuration(FunctionName="node-layered", Layers=[])
    lam.get_waiter("function_updated_v2").wait(FunctionName="node-layered")
    out = lam.invoke(FunctionName="node-layered", Payload=b"{}")
    assert out.get("FunctionError") == "Unhandled"


URL_HANDLER = """
import json
def handler(event, context):
    if event["rawPath"] == "/plain":
        return {"plain": True, "method": event["requestContext"]["http"]["method"]}
    if event["rawPath"] == "/fail":
        raise ValueError("nope")
    return {"statusCode": 201, "headers": {"x-from": "fn", "content-type": "application/json"},
            "cookies": ["a=1", "b=2"],
            "body": json.dumps({"event": event})}
"""


def http(url, data=None, headers=None, method=None):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_function_urls(lam, endpoint):
    lam.create_function(FunctionName="url-fn", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler",
                        Code={"ZipFile": make_zip({"app.py": (URL_HANDLER, 0o644)})})
    lam.get_waiter("function_active_v2").wait(FunctionName="url-fn")
    created = lam.create_function_url_config(
        FunctionName="url-fn", AuthType="NONE",
        Cors={"AllowOrigins": ["https://example.com"], "AllowMethods": ["POST"],
              "MaxAge": 60})
    url = created["FunctionUrl"]
    assert ".lambda-url.us-east-1." in url and url.endswith("/")
    url_id = url.split("//")[1].split(".")[0]
    assert len(url_id) == 32
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.create_function_url_config(FunctionName="url-fn", AuthType="NONE")
    assert error_code(e) == "ResourceConflictException"
    assert lam.get_function_url_config(FunctionName="url-fn")["FunctionUrl"] == url
    assert len(lam.list_function_url_configs(FunctionName="url-fn")["FunctionUrlConfigs"]) == 1

    base = endpoint + "/_tidepool/lambda-url/" + url_id
    status, headers, body = http(base + "/items/7?x=1&x=2&y=z", data=b'{"k": 1}',
                                 headers={"Content-Type": "application/json",
                                          "Origin": "https://example.com",
                                          "Cookie": "c1=v1; c2=v2"}, method="POST")
    assert status == 201, body
    assert headers["x-from"] == "fn"
    assert headers["Access-Control-Allow-Origin"] == "https://example.com"
    event = json.loads(body)["event"]
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/items/7" and event["rawQueryString"] == "x=1&x=2&y=z"
    assert event["queryStringParameters"] == {"x": "1,2", "y": "z"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert event["body"] == '{"k": 1}' and event["isBase64Encoded"] is False
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["apiId"] == url_id
    assert event["requestContext"]["accountId"] == "anonymous"
    assert event["headers"]["content-type"] == "application/json"

    # The host form, as the URL AWS gives: the Host header names the function.
    status, _, body = http(endpoint + "/plain", headers={
        "Host": url_id + ".lambda-url.us-east-1.localhost"})
    assert status == 200 and json.loads(body) == {"plain": True, "method": "GET"}
    status, headers, _ = http(base + "/x", method="OPTIONS", headers={
        "Origin": "https://example.com", "Access-Control-Request-Method": "POST"})
    assert status == 200 and headers["Access-Control-Allow-Methods"] == "POST"
    status, _, body = http(base + "/fail")
    assert status == 502 and json.loads(body) == {"Message": "Internal Server Error"}

    # AWS_IAM needs a signed request.
    lam.update_function_url_config(FunctionName="url-fn", AuthType="AWS_IAM")
    status, _, _ = http(base + "/plain")
    assert status == 403
    lam.delete_function_url_config(FunctionName="url-fn")
    status, _, _ = http(base + "/plain")
    assert status == 403
    with pytest.raises(botocore.exceptions.ClientError) as e:
        lam.get_function_url_config(FunctionName="url-fn")
    assert error_code(e) == "ResourceNotFoundException"


def test_function_url_with_the_cli(lam, endpoint):
    lam.create_function(FunctionName="url-cli", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler",
                        Code={"ZipFile": make_zip({"app.py": (URL_HANDLER, 0o644)})})
    env = dict(os.environ, AWS_ACCESS_KEY_ID="000000000000", AWS_SECRET_ACCESS_KEY="x",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.pop("AWS_PROFILE", None)
    out = subprocess.run(["aws", "--endpoint-url", endpoint, "--region", "us-east-1", "lambda",
                          "create-function-url-config", "--function-name", "url-cli",
                          "--auth-type", "NONE", "--output", "json"], env=env, check=True,
                         capture_output=True, text=True).stdout
    url_id = json.loads(out)["FunctionUrl"].split("//")[1].split(".")[0]
    status, _, body = http(endpoint + "/_tidepool/lambda-url/" + url_id + "/plain")
    assert status == 200 and json.loads(body)["plain"] is True


def test_code_from_s3(lam, endpoint):
    s3 = make_client(endpoint, service="s3", access_key="000000000000")
    s3.create_bucket(Bucket="code-bucket")
    s3.put_object(Bucket="code-bucket", Key="fn.zip", Body=make_zip(
        {"app.py": ("def handler(e, c):\n    return 'from-s3'\n", 0o644)}))
    s3.put_object(Bucket="code-bucket", Key="v2.zip", Body=make_zip(
        {"app.py": ("def handler(e, c):\n    return 'v2-from-s3'\n", 0o644)}))
    lam.create_function(FunctionName="s3-fn", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"S3Bucket": "code-bucket", "S3Key": "fn.zip"})
    out = lam.invoke(FunctionName="s3-fn", Payload=b"{}")
    assert json.loads(out["Payload"].read()) == "from-s3"
    lam.update_function_code(FunctionName="s3-fn", S3Bucket="code-bucket", S3Key="v2.zip")
    lam.get_waiter("function_updated_v2").wait(FunctionName="s3-fn")
    assert json.loads(lam.invoke(FunctionName="s3-fn", Payload=b"{}")["Payload"].read()) == \
        "v2-from-s3"
    layer = lam.publish_layer_version(LayerName="s3-layer",
                                      Content={"S3Bucket": "code-bucket", "S3Key": "fn.zip"})
    assert layer["Version"] == 1
    for code in [{"S3Bucket": "code-bucket", "S3Key": "missing.zip"},
                 {"S3Bucket": "no-such-bucket", "S3Key": "fn.zip"}]:
        with pytest.raises(botocore.exceptions.ClientError) as e:
            lam.create_function(FunctionName="s3-missing", Runtime="python3.12", Role=ROLE,
                                Handler="app.handler", Code=code)
        assert error_code(e) == "InvalidParameterValueException"
        assert "S3 Error Code: NoSuch" in e.value.response["Error"]["Message"]


def test_invoke_with_response_stream(lam):
    lam.create_function(FunctionName="stream-fn", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Code={"ZipFile": make_zip({"app.py": (
                            "def handler(e, c):\n"
                            "    if e.get('fail'):\n"
                            "        raise KeyError('missing')\n"
                            "    return {'streamed': e.get('n')}\n", 0o644)})})
    lam.get_waiter("function_active_v2").wait(FunctionName="stream-fn")
    out = lam.invoke_with_response_stream(FunctionName="stream-fn", Payload=b'{"n": 5}',
                                          LogType="Tail")
    assert out["StatusCode"] == 200 and out["ExecutedVersion"] == "$LATEST"
    events = list(out["EventStream"])
    body = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
    assert json.loads(body) == {"streamed": 5}
    (complete,) = [e["InvokeComplete"] for e in events if "InvokeComplete" in e]
    assert "ErrorCode" not in complete
    import base64
    assert "REPORT RequestId" in base64.b64decode(complete["LogResult"]).decode()
    out = lam.invoke_with_response_stream(FunctionName="stream-fn", Payload=b'{"fail": 1}')
    events = list(out["EventStream"])
    (complete,) = [e["InvokeComplete"] for e in events if "InvokeComplete" in e]
    assert complete["ErrorCode"] == "KeyError"
    assert "missing" in complete["ErrorDetails"]

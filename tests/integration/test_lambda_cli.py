"""The aws CLI against Lambda: the walkthrough's create-function from a zip file, invoke with
an outfile and a log tail, get/list/update/delete, and an error as the CLI prints it."""

import base64
import json
import os
import re
import subprocess
import zipfile

import pytest


@pytest.fixture
def aws(endpoint, tmp_path):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": "000000000000",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    })
    env.pop("AWS_PROFILE", None)
    version = subprocess.run(["aws", "--version"], capture_output=True, text=True, env=env,
                             check=True)
    major = int(re.search(r"aws-cli/(\d+)", version.stdout + version.stderr).group(1))
    blob_flags = ["--cli-binary-format", "raw-in-base64-out"] if major >= 2 else []

    def run(*args, check=True):
        argv = ["aws", "--endpoint-url", endpoint, *args]
        if "invoke" in args:
            argv += blob_flags
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        if check:
            assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (argv, proc.stdout,
                                                                        proc.stderr)
            return json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc
    return run


def test_cli_walkthrough(aws, tmp_path):
    src = tmp_path / "index.mjs"
    src.write_text("export const handler = async (event) => {\n"
                   "  console.log('event', JSON.stringify(event));\n"
                   "  return { statusCode: 200, body: 'hello ' + event.name };\n};\n")
    package = tmp_path / "function.zip"
    with zipfile.ZipFile(package, "w") as z:
        z.write(src, "index.mjs")
    created = aws("lambda", "create-function", "--function-name", "my-function",
                  "--runtime", "nodejs20.x", "--handler", "index.handler",
                  "--role", "arn:aws:iam::000000000000:role/lambda-ex",
                  "--zip-file", "fileb://%s" % package)
    assert created["FunctionName"] == "my-function"
    aws("lambda", "wait", "function-active-v2", "--function-name", "my-function")

    out = tmp_path / "response.json"
    meta = aws("lambda", "invoke", "--function-name", "my-function", "--payload",
               '{"name": "cli"}', "--log-type", "Tail", str(out))
    assert meta["StatusCode"] == 200 and meta["ExecutedVersion"] == "$LATEST"
    assert json.loads(out.read_text()) == {"statusCode": 200, "body": "hello cli"}
    assert 'event {"name":"cli"}' in base64.b64decode(meta["LogResult"]).decode()

    listed = aws("lambda", "list-functions")
    assert [f["FunctionName"] for f in listed["Functions"]] == ["my-function"]
    aws("lambda", "update-function-configuration", "--function-name", "my-function",
        "--timeout", "10")
    aws("lambda", "wait", "function-updated-v2", "--function-name", "my-function")
    assert aws("lambda", "get-function", "--function-name",
               "my-function")["Configuration"]["Timeout"] == 10
    aws("lambda", "delete-function", "--function-name", "my-function")

    proc = aws("lambda", "get-function", "--function-name", "my-function", check=False)
    assert proc.returncode != 0
    assert "ResourceNotFoundException" in proc.stderr
    assert "Function not found: arn:aws:lambda:us-east-1:000000000000:function:my-function" \
        in proc.stderr

"""Runs tests/js (AWS SDK for JavaScript v3, `node --test`), one file per fresh server."""

import os
import pathlib
import shutil
import subprocess

import pytest

JS_DIR = pathlib.Path(__file__).resolve().parents[1] / "js"
# The packages the .mjs files import; a node_modules from an older package-lock (say, Kinesis
# only) lacks some, and `npm ci` brings it in line with the lock file.
REQUIRED_MODULES = ("@aws-sdk/client-kinesis", "@aws-sdk/client-sqs", "@aws-sdk/client-sns",
                    "@aws-sdk/client-s3", "@aws-sdk/lib-storage",
                    "@aws-sdk/client-api-gateway", "@aws-sdk/client-cloudwatch-logs",
                    "@aws-sdk/client-dynamodb", "@aws-sdk/lib-dynamodb", "@aws-sdk/client-iam",
                    "@aws-sdk/client-lambda", "@aws-sdk/client-sfn", "@aws-sdk/client-sts",
                    "@smithy/node-http-handler")
JS_TEST_FILES = sorted(p.name for p in JS_DIR.glob("*.test.mjs"))


def _ensure_modules():
    if all((JS_DIR / "node_modules" / m).is_dir() for m in REQUIRED_MODULES):
        return
    install = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR,
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, "npm ci failed:\n%s\n%s" % (install.stdout, install.stderr)


def test_js_files_found():
    """An empty glob would parametrize nothing and pass silently."""
    assert {"kinesis.test.mjs", "sns.test.mjs", "sqs.test.mjs"} <= set(JS_TEST_FILES)


@pytest.mark.parametrize("js_file", JS_TEST_FILES)
def test_js_sdk_v3(endpoint, js_file):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the JS SDK tests need Node.js 20+")
    _ensure_modules()
    env = dict(os.environ, TIDEPOOL_ENDPOINT=endpoint)
    proc = subprocess.run([node, "--test", js_file], cwd=JS_DIR, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, "node --test %s failed:\n%s\n%s" % (js_file, proc.stdout,
                                                                    proc.stderr)

"""Runs tests/js (AWS SDK for JavaScript v3, `node --test`) against a fresh server."""

import os
import pathlib
import shutil
import subprocess

import pytest

JS_DIR = pathlib.Path(__file__).resolve().parents[1] / "js"


def test_js_sdk_v3(endpoint):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the JS SDK tests need Node.js 20+")
    if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-kinesis").is_dir():
        install = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR,
                                 capture_output=True, text=True, timeout=300)
        assert install.returncode == 0, "npm ci failed:\n%s\n%s" % (install.stdout,
                                                                    install.stderr)
    env = dict(os.environ, TIDEPOOL_ENDPOINT=endpoint)
    proc = subprocess.run([node, "--test"], cwd=JS_DIR, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, "node --test failed:\n%s\n%s" % (proc.stdout, proc.stderr)

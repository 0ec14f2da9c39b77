"""The aws CLI as tests run it: isolated config, no pager, no retries."""

import json
import os
import subprocess


def cli_env(tmp_path, account="000000000000"):
    """The environment the aws CLI (and boto3 in a child process) runs with in tests."""
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": account,
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    })
    env.pop("AWS_PROFILE", None)
    return env


def aws_cli_runner(endpoint, tmp_path, account="000000000000"):
    """run(*args, check=True): the CLI's parsed JSON output (check) or the CompletedProcess."""
    env = cli_env(tmp_path, account)

    def run(*args, check=True):
        argv = ["aws", "--endpoint-url", endpoint, *args]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        if check:
            assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (argv, proc.stdout,
                                                                        proc.stderr)
            return json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc
    return run

"""The aws CLI against DynamoDB: the commands a user types first."""

import json
import os
import subprocess

import pytest


@pytest.fixture
def aws(endpoint, tmp_path):
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    })
    env.pop("AWS_PROFILE", None)

    def run(*args, check=True):
        argv = ["aws", "--endpoint-url", endpoint, "dynamodb", *args]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        if check:
            assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (argv, proc.stdout,
                                                                        proc.stderr)
            return json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc

    return run


def test_cli_table_and_items(aws):
    aws("create-table", "--table-name", "Music",
        "--attribute-definitions", "AttributeName=Artist,AttributeType=S",
        "AttributeName=SongTitle,AttributeType=S",
        "--key-schema", "AttributeName=Artist,KeyType=HASH", "AttributeName=SongTitle,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST")
    aws("wait", "table-exists", "--table-name", "Music")
    aws("put-item", "--table-name", "Music", "--item",
        '{"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}, '
        '"Plays": {"N": "1"}}')
    aws("update-item", "--table-name", "Music", "--key",
        '{"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}}',
        "--update-expression", "ADD Plays :one", "--expression-attribute-values",
        '{":one": {"N": "1"}}')
    got = aws("get-item", "--table-name", "Music", "--key",
              '{"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}}')
    assert got["Item"]["Plays"] == {"N": "2"}
    q = aws("query", "--table-name", "Music", "--key-condition-expression", "Artist = :a",
            "--expression-attribute-values", '{":a": {"S": "No One You Know"}}')
    assert q["Count"] == 1
    failed = aws("put-item", "--table-name", "Music", "--item",
                 '{"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}}',
                 "--condition-expression", "attribute_not_exists(Artist)", check=False)
    assert failed.returncode != 0
    assert "ConditionalCheckFailedException" in failed.stderr
    assert aws("list-tables")["TableNames"] == ["Music"]

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

    def run(*args, check=True, service="dynamodb"):
        argv = ["aws", "--endpoint-url", endpoint, service, *args]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
        if check:
            assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (argv, proc.stdout,
                                                                        proc.stderr)
            return json.loads(proc.stdout) if proc.stdout.strip() else None
        return proc

    run.streams = lambda *args: run(*args, service="dynamodbstreams")
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


def test_cli_over_the_rest_of_the_api(aws, tmp_path):
    """Batches, transactions, scans, indexes, TTL, tags, streams, PartiQL, backups and the
    errors the CLI prints, as a user's shell session would run them."""
    aws("create-table", "--table-name", "Orders",
        "--attribute-definitions", "AttributeName=pk,AttributeType=S",
        "AttributeName=sk,AttributeType=N", "AttributeName=status,AttributeType=S",
        "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
        "--global-secondary-indexes",
        '[{"IndexName": "by-status", "KeySchema": [{"AttributeName": "status", '
        '"KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}]',
        "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
        "--billing-mode", "PAY_PER_REQUEST", "--tags", "Key=team,Value=pipes")
    aws("wait", "table-exists", "--table-name", "Orders")
    desc = aws("describe-table", "--table-name", "Orders")["Table"]
    assert desc["TableStatus"] == "ACTIVE" and desc["StreamSpecification"]["StreamEnabled"]
    assert aws("list-tables")["TableNames"] == ["Orders"]

    items = {"Orders": [{"PutRequest": {"Item": {"pk": {"S": "c1"}, "sk": {"N": str(i)},
                                                 "status": {"S": "open" if i % 2 else "done"}}}}
                        for i in range(5)]}
    (tmp_path / "batch.json").write_text(json.dumps(items))
    out = aws("batch-write-item", "--request-items", "file://" + str(tmp_path / "batch.json"))
    assert out["UnprocessedItems"] == {}
    got = aws("batch-get-item", "--request-items",
              '{"Orders": {"Keys": [{"pk": {"S": "c1"}, "sk": {"N": "1"}}, '
              '{"pk": {"S": "c1"}, "sk": {"N": "2"}}]}}')
    assert len(got["Responses"]["Orders"]) == 2
    scan = aws("scan", "--table-name", "Orders", "--filter-expression", "#s = :o",
               "--expression-attribute-names", '{"#s": "status"}',
               "--expression-attribute-values", '{":o": {"S": "open"}}')
    assert scan["Count"] == 2
    by_status = aws("query", "--table-name", "Orders", "--index-name", "by-status",
                    "--key-condition-expression", "#s = :d",
                    "--expression-attribute-names", '{"#s": "status"}',
                    "--expression-attribute-values", '{":d": {"S": "done"}}')
    assert by_status["Count"] == 3

    aws("transact-write-items", "--transact-items",
        '[{"Update": {"TableName": "Orders", "Key": {"pk": {"S": "c1"}, "sk": {"N": "0"}}, '
        '"UpdateExpression": "SET #s = :p", "ExpressionAttributeNames": {"#s": "status"}, '
        '"ExpressionAttributeValues": {":p": {"S": "paid"}}}}, '
        '{"Delete": {"TableName": "Orders", "Key": {"pk": {"S": "c1"}, "sk": {"N": "4"}}}}]')
    tg = aws("transact-get-items", "--transact-items",
             '[{"Get": {"TableName": "Orders", "Key": {"pk": {"S": "c1"}, "sk": {"N": "0"}}}}]')
    assert tg["Responses"][0]["Item"]["status"] == {"S": "paid"}
    canceled = aws("transact-write-items", "--transact-items",
                   '[{"ConditionCheck": {"TableName": "Orders", "Key": {"pk": {"S": "c1"}, '
                   '"sk": {"N": "4"}}, "ConditionExpression": "attribute_exists(pk)"}}]',
                   check=False)
    assert canceled.returncode != 0 and "TransactionCanceledException" in canceled.stderr
    assert "ConditionalCheckFailed" in canceled.stderr

    stmt = aws("execute-statement", "--statement",
               "SELECT * FROM \"Orders\" WHERE pk = 'c1' AND sk = 1")
    assert stmt["Items"][0]["status"] == {"S": "open"}

    aws("update-time-to-live", "--table-name", "Orders",
        "--time-to-live-specification", "Enabled=true,AttributeName=expires")
    ttl = aws("describe-time-to-live", "--table-name", "Orders")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires"
    arn = desc["TableArn"]
    aws("tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=dev")
    tags = aws("list-tags-of-resource", "--resource-arn", arn)["Tags"]
    assert {"Key": "env", "Value": "dev"} in tags and {"Key": "team", "Value": "pipes"} in tags

    streams = aws.streams  # `aws dynamodbstreams ...`
    stream_arn = streams("list-streams", "--table-name", "Orders")["Streams"][0]["StreamArn"]
    shard = streams("describe-stream", "--stream-arn", stream_arn)["StreamDescription"][
        "Shards"][0]["ShardId"]
    it = streams("get-shard-iterator", "--stream-arn", stream_arn, "--shard-id", shard,
                 "--shard-iterator-type", "TRIM_HORIZON")["ShardIterator"]
    records = streams("get-records", "--shard-iterator", it)["Records"]
    assert [r["eventName"] for r in records][:5] == ["INSERT"] * 5
    assert "REMOVE" in [r["eventName"] for r in records]

    backup = aws("create-backup", "--table-name", "Orders", "--backup-name", "orders-b1")
    assert backup["BackupDetails"]["BackupStatus"] in ("CREATING", "AVAILABLE")
    missing = aws("describe-table", "--table-name", "Nope", check=False)
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr
    aws("delete-table", "--table-name", "Orders")
    aws("wait", "table-not-exists", "--table-name", "Orders")


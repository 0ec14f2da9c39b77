"""CloudFormation through the aws CLI: `deploy` (change sets and their waiters, a template
uploaded to our S3 with --s3-bucket), `package` (local code uploaded to our S3),
`describe-stacks`, `delete-stack` with its waiter, and errors as the CLI prints them."""

import json
import time

from cli_helpers import aws_cli_runner

TEMPLATE = """
AWSTemplateFormatVersion: '2010-09-09'
Description: cli stack
Parameters:
  Visibility:
    Type: Number
    Default: 30
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 14
Outputs:
  QueueUrl:
    Value: !Ref Queue
  QueueArn:
    Value: !GetAtt Queue.Arn
"""


def outputs(aws, stack):
    stack = aws("cloudformation", "describe-stacks", "--stack-name", stack)["Stacks"][0]
    return stack, {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_deploy_update_and_delete(endpoint, tmp_path):
    aws = aws_cli_runner(endpoint, tmp_path)
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    proc = aws("cloudformation", "deploy", "--template-file", str(template), "--stack-name",
               "cli", check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Successfully created/updated stack - cli" in proc.stdout
    stack, out = outputs(aws, "cli")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    attrs = aws("sqs", "get-queue-attributes", "--queue-url", out["QueueUrl"],
                "--attribute-names", "VisibilityTimeout")["Attributes"]
    assert attrs == {"VisibilityTimeout": "30"}

    # An update through a change set; then nothing to change.
    proc = aws("cloudformation", "deploy", "--template-file", str(template), "--stack-name",
               "cli", "--parameter-overrides", "Visibility=60", check=False)
    assert proc.returncode == 0, proc.stderr
    stack, out2 = outputs(aws, "cli")
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert out2["QueueUrl"] == out["QueueUrl"]
    attrs = aws("sqs", "get-queue-attributes", "--queue-url", out["QueueUrl"],
                "--attribute-names", "VisibilityTimeout")["Attributes"]
    assert attrs == {"VisibilityTimeout": "60"}
    proc = aws("cloudformation", "deploy", "--template-file", str(template), "--stack-name",
               "cli", "--parameter-overrides", "Visibility=60", check=False)
    assert proc.returncode == 255
    assert "No changes to deploy. Stack cli is up to date" in proc.stderr
    time.sleep(1)  # the CLI names change sets by the second
    proc = aws("cloudformation", "deploy", "--template-file", str(template), "--stack-name",
               "cli", "--parameter-overrides", "Visibility=60", "--no-fail-on-empty-changeset",
               check=False)
    assert proc.returncode == 0, proc.stderr

    resources = aws("cloudformation", "list-stack-resources", "--stack-name", "cli")
    assert sorted(r["LogicalResourceId"] for r in resources["StackResourceSummaries"]) == [
        "Logs", "Queue"]
    aws("cloudformation", "delete-stack", "--stack-name", "cli")
    aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", "cli")
    assert aws("sqs", "list-queues") is None or aws("sqs", "list-queues").get("QueueUrls") in (
        None, [])
    proc = aws("cloudformation", "describe-stacks", "--stack-name", "cli", check=False)
    assert proc.returncode != 0
    assert "Stack with id cli does not exist" in proc.stderr


def test_deploy_with_a_template_in_s3(endpoint, tmp_path, monkeypatch):
    # The CLI's uploads use an S3 client of their own, which --endpoint-url does not reach:
    # AWS_ENDPOINT_URL does (docs/differences.md).
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    aws = aws_cli_runner(endpoint, tmp_path)
    aws("s3api", "create-bucket", "--bucket", "artifacts")
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    proc = aws("cloudformation", "deploy", "--template-file", str(template), "--stack-name",
               "from-s3", "--s3-bucket", "artifacts", "--s3-prefix", "cfn", check=False)
    assert proc.returncode == 0, proc.stderr
    keys = [o["Key"] for o in aws("s3api", "list-objects-v2", "--bucket", "artifacts")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("cfn/") and keys[0].endswith(".template")
    stack, _ = outputs(aws, "from-s3")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    body = aws("cloudformation", "get-template", "--stack-name", "from-s3")["TemplateBody"]
    assert "AWS::SQS::Queue" in body


def test_package_uploads_local_code(endpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    aws = aws_cli_runner(endpoint, tmp_path)
    aws("s3api", "create-bucket", "--bucket", "code")
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text("def handler(event, context):\n    return 1\n")
    template = tmp_path / "template.yaml"
    template.write_text("""
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src
""")
    packaged = tmp_path / "packaged.json"
    proc = aws("cloudformation", "package", "--template-file", str(template), "--s3-bucket",
               "code", "--output-template-file", str(packaged), "--use-json", check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Successfully packaged artifacts" in proc.stdout
    code_uri = json.loads(packaged.read_text())["Resources"]["Fn"]["Properties"]["CodeUri"]
    assert code_uri.startswith("s3://code/")
    key = code_uri[len("s3://code/"):]
    head = aws("s3api", "head-object", "--bucket", "code", "--key", key)
    assert head["ContentLength"] > 0


def test_errors_as_the_cli_prints_them(endpoint, tmp_path):
    aws = aws_cli_runner(endpoint, tmp_path)
    template = tmp_path / "ec2.yaml"
    template.write_text("Resources:\n  I:\n    Type: AWS::EC2::Instance\n")
    proc = aws("cloudformation", "deploy", "--template-file", str(template), "--stack-name",
               "ec2", check=False)
    assert proc.returncode != 0
    assert "Template format error: Unrecognized resource types: [AWS::EC2::Instance]" in \
        proc.stderr
    proc = aws("cloudformation", "validate-template", "--template-body", "Resources: [",
               check=False)
    assert proc.returncode != 0
    assert "ValidationError" in proc.stderr


def test_deploy_a_sam_template(endpoint, tmp_path):
    import pytest
    pytest.importorskip("samtranslator")
    aws = aws_cli_runner(endpoint, tmp_path)
    template = tmp_path / "sam.yaml"
    template.write_text("""
Transform: AWS::Serverless-2016-10-31
Resources:
  Items:
    Type: AWS::Serverless::SimpleTable
Outputs:
  Table:
    Value: !Ref Items
""")
    proc = aws("cloudformation", "deploy", "--template-file", str(template), "--stack-name",
               "sam-cli", check=False)
    assert proc.returncode == 0, proc.stderr
    _, out = outputs(aws, "sam-cli")
    table = aws("dynamodb", "describe-table", "--table-name", out["Table"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    aws("cloudformation", "delete-stack", "--stack-name", "sam-cli")
    aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", "sam-cli")

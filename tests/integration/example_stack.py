"""Deploys an example of examples/ to a test's tidepool the way its README says: the real aws
CLI's `cloudformation package` (code uploaded to this tidepool's S3) then `cloudformation
deploy`."""

import json
import pathlib
import time

from cli_helpers import aws_cli_runner

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def deploy_example(endpoint, tmp_path, monkeypatch, name, stack=None):
    """Packages and deploys examples/<name>/template.yaml as stack `stack` (default: name);
    returns (aws CLI runner, the stack's outputs)."""
    # The CLI's uploads use an S3 client of their own, which --endpoint-url does not reach:
    # AWS_ENDPOINT_URL does (docs/differences.md).
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    aws = aws_cli_runner(endpoint, tmp_path)
    stack = stack or name
    aws("s3api", "create-bucket", "--bucket", "example-artifacts")
    packaged = tmp_path / "packaged.yaml"
    proc = aws("cloudformation", "package", "--template-file",
               str(EXAMPLES / name / "template.yaml"), "--s3-bucket", "example-artifacts",
               "--output-template-file", str(packaged), check=False)
    assert proc.returncode == 0, proc.stderr
    proc = aws("cloudformation", "deploy", "--template-file", str(packaged), "--stack-name",
               stack, "--capabilities", "CAPABILITY_IAM", check=False)
    if proc.returncode != 0:
        events = aws("cloudformation", "describe-stack-events", "--stack-name", stack)
        failed = [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
                  for e in events["StackEvents"] if e["ResourceStatus"].endswith("FAILED")]
        raise AssertionError("deploy failed:\n%s\n%s\n%s" % (
            proc.stdout, proc.stderr, json.dumps(failed, indent=1)))
    described = aws("cloudformation", "describe-stacks", "--stack-name", stack)["Stacks"][0]
    return aws, {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def wait_mapping_enabled(lam, function):
    """The function's event source mappings once all are Enabled (a LATEST mapping reads only
    what is written after that)."""
    deadline = time.time() + 30
    while True:
        mappings = lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]
        if mappings and all(m["State"] == "Enabled" for m in mappings):
            return mappings
        assert time.time() < deadline, mappings
        time.sleep(0.2)

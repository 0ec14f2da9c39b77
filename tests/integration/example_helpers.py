"""Deploys an example of examples/<name>/ to a tidepool the way its README says: a copy of the
example's folder (so built artifacts never land in the source tree), an artifacts bucket,
`aws cloudformation package` then `aws cloudformation deploy`, all with the real aws CLI."""

import shutil
import subprocess
import time

from cli_helpers import cli_env
from harness import REPO, make_client, tidepool_binary

EXAMPLES = REPO / "examples"
ARTIFACTS_BUCKET = "tidepool-example-artifacts"


def built_binary(name):
    """A C++ function's `bootstrap` that ./scripts/build.sh builds beside tidepool."""
    path = tidepool_binary().parent / name
    assert path.exists(), "%s is not built (ninja -C %s %s)" % (path, path.parent, name)
    return path


def aws(endpoint, tmp_path, *args, cwd=None, env=None, timeout=300):
    """The aws CLI's stdout; `env` adds variables to the tests' CLI environment."""
    argv = ["aws", "--endpoint-url", endpoint, *args]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env=dict(cli_env(tmp_path), **(env or {})))
    assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (argv, proc.stdout, proc.stderr)
    return proc.stdout


def stack_failure(endpoint, stack):
    """The stack's failed resource events, for an assertion message."""
    cfn = make_client(endpoint, "cloudformation", access_key="000000000000")
    try:
        events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    except Exception as e:  # the stack may not exist at all
        return repr(e)
    return "\n".join("%s %s %s" % (e["LogicalResourceId"], e["ResourceStatus"],
                                   e.get("ResourceStatusReason", "")) for e in events
                     if "FAILED" in e["ResourceStatus"])


def deploy_example(endpoint, tmp_path, name, stack, bootstraps=(), parameters=None):
    """Copies examples/<name> to tmp_path, puts each built C++ `bootstrap` in place
    (bootstraps: (target name, folder inside the example)), packages and deploys it as `stack`;
    returns the stack's outputs {key: value}."""
    work = tmp_path / name
    shutil.copytree(EXAMPLES / name, work)
    for target, folder in bootstraps:
        dest = work / folder / "bootstrap"
        shutil.copy2(built_binary(target), dest)
        dest.chmod(0o755)
    make_client(endpoint, "s3").create_bucket(Bucket=ARTIFACTS_BUCKET)
    # package's S3 client ignores --endpoint-url (aws/aws-cli#9629): AWS_ENDPOINT_URL_S3 it is.
    aws(endpoint, tmp_path, "cloudformation", "package", "--template-file", "template.yaml",
        "--s3-bucket", ARTIFACTS_BUCKET, "--output-template-file", "packaged.yaml", cwd=work,
        env={"AWS_ENDPOINT_URL_S3": endpoint})
    args = ["cloudformation", "deploy", "--template-file", "packaged.yaml", "--stack-name", stack,
            "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
    if parameters:
        args += ["--parameter-overrides"] + ["%s=%s" % kv for kv in parameters.items()]
    argv = ["aws", "--endpoint-url", endpoint, *args]
    proc = subprocess.run(argv, capture_output=True, text=True, env=cli_env(tmp_path), cwd=work,
                          timeout=600)
    assert proc.returncode == 0, "%s\nstdout: %s\nstderr: %s\nfailed resources:\n%s" % (
        argv, proc.stdout, proc.stderr, stack_failure(endpoint, stack))
    cfn = make_client(endpoint, "cloudformation", access_key="000000000000")
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE", described
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


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

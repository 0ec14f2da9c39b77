"""python3.* sandboxes forked from the Python zygote (src/functions/python_zygote.h) must be what
a new interpreter (`--lambda-python-zygote false`) would be: the same environment, search path,
working directory, time zone, flags, process group and stdin, and the same exits. Each case runs
against both servers and compares what the function reports."""

import base64
import json

from harness import make_client
from lambda_helpers import zip_one

ROLE = "arn:aws:iam::000000000000:role/lambda-role"

FINGERPRINT = r'''
import os, sys, time, stat, json

def handler(event, context):
    env = dict(os.environ)
    task = env["LAMBDA_TASK_ROOT"]
    layers = [p for p in env.get("PYTHONPATH", "").split(":") if p]
    def norm(p):
        if p == task:
            return "<task>"
        for i, layer in enumerate(layers):
            if p == layer:
                return "<layer%d>" % i
        return p
    for varying in ("AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME", "TMPDIR",
                    "AWS_ENDPOINT_URL", "_X_AMZN_TRACE_ID", "LAMBDA_TASK_ROOT", "PYTHONPATH"):
        env[varying] = "<%s>" % ("set" if varying in env else "unset")
    with open("/proc/%d/cmdline" % os.getppid(), "rb") as f:
        parent = f.read().split(b"\0")
    return {
        "env": env,
        "path": [norm(p) for p in sys.path],
        "cwd_is_task_root": os.getcwd() == task,
        "tz": [time.tzname, time.timezone, os.environ.get("TZ")],
        "argv": [os.path.basename(a) for a in sys.argv],
        "own_group": os.getpgid(0) == os.getpid(),
        "stdin_is_devnull": os.path.samestat(os.fstat(0), os.stat(os.devnull)),
        "stdout_is_pipe": stat.S_ISFIFO(os.fstat(1).st_mode),
        "flags": [sys.flags.dont_write_bytecode, sys.flags.optimize, sys.flags.no_site,
                  sys.flags.ignore_environment],
        "main": sys.modules["__main__"].__name__,
        "forked": any(a.endswith(b"zygote.py") for a in parent),
        "event": event,
    }
'''

EXIT = r'''
import atexit, sys

def handler(event, context):
    print("about to exit", flush=True)
    atexit.register(lambda: print("atexit ran", flush=True))
    sys.exit(event["code"])
'''


def deploy(lam, name, source, env=None, layers=None):
    kwargs = {}
    if env:
        kwargs["Environment"] = {"Variables": env}
    if layers:
        kwargs["Layers"] = layers
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                        Code={"ZipFile": zip_one("app.py", source)}, **kwargs)


def run(endpoint):
    """Deploys the cases on a server and returns what each function reported."""
    lam = make_client(endpoint, service="lambda", access_key="000000000000", read_timeout=60)
    layer = lam.publish_layer_version(
        LayerName="lib", Content={"ZipFile": zip_one("python/lib_mod.py", "X = 1\n")})
    deploy(lam, "plain", FINGERPRINT, env={"MY_SETTING": "a b=c"},
           layers=[layer["LayerVersionArn"]])
    # A variable that shapes interpreter start-up: this one never comes from the zygote.
    deploy(lam, "no-bytecode", FINGERPRINT, env={"PYTHONDONTWRITEBYTECODE": "1"})
    deploy(lam, "exits", EXIT)
    out = {}
    for name in ("plain", "no-bytecode"):
        resp = lam.invoke(FunctionName=name, Payload=json.dumps({"n": name}).encode())
        assert "FunctionError" not in resp, resp["Payload"].read()
        out[name] = json.loads(resp["Payload"].read())
    resp = lam.invoke(FunctionName="exits", Payload=b'{"code": 3}', LogType="Tail")
    body = json.loads(resp["Payload"].read())
    out["exit"] = [resp.get("FunctionError"), body["errorType"],
                   body["errorMessage"].split(" Error: ", 1)[-1]]
    log = base64.b64decode(resp["LogResult"]).decode()
    out["exit_log"] = ["about to exit" in log, "atexit ran" in log]
    return out


def test_a_forked_sandbox_is_what_a_new_interpreter_would_be(tidepool_factory):
    forked = run(tidepool_factory(args=["--lambda-python-zygote", "true"]).endpoint)
    execed = run(tidepool_factory(args=["--lambda-python-zygote", "false"]).endpoint)
    # The zygote served the first server's plain function, not the one that sets PYTHON*.
    assert forked["plain"].pop("forked") is True
    assert forked["no-bytecode"].pop("forked") is False
    for case in ("plain", "no-bytecode"):
        assert execed[case].pop("forked") is False
    assert forked == execed
    plain = forked["plain"]
    assert plain["env"]["MY_SETTING"] == "a b=c"
    assert plain["path"][0] == "<task>" and plain["path"][2] == "<layer0>"
    assert plain["path"][1].endswith("runtimes/python")
    assert plain["cwd_is_task_root"] and plain["own_group"] and plain["stdin_is_devnull"]
    assert plain["tz"][2] == ":UTC" and plain["tz"][1] == 0
    assert forked["no-bytecode"]["flags"][0] == 1
    assert forked["exit"] == ["Unhandled", "Runtime.ExitError",
                              "Runtime exited with error: exit status 3"]
    assert forked["exit_log"] == [True, True]

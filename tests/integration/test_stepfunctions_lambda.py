"""Step Functions Tasks that run Lambda functions in-process: seed 000's shape (a bare
function ARN as Resource, Retry before Catch, a custom errorType caught by name) and the
optimized arn:aws:states:::lambda:invoke."""

import json
import textwrap

import pytest

from harness import ACCOUNT, make_client
from lambda_helpers import zip_one
from sfn_helpers import history, wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT

CHECK_COUNTRY = textwrap.dedent("""
    class ErrInvalidCountryCode(Exception):
        pass
    def handler(event, context):
        if event["country_code"] != "GB":
            raise ErrInvalidCountryCode("Invalid country code: " + event["country_code"])
        return dict(event, checked=True)
""")



@pytest.mark.tidepool(args=["--time-scale", "0.001"])
def test_lambda_tasks_retry_before_catch(endpoint):
    lam = make_client(endpoint, "lambda", read_timeout=60)
    sfn = make_client(endpoint, "stepfunctions")
    fn = lam.create_function(FunctionName="check_country", Runtime="python3.12", Role=ROLE,
                             Handler="app.handler", Timeout=30,
                             Code={"ZipFile": zip_one("app.py", CHECK_COUNTRY)})["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName="check_country",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    definition = {"StartAt": "CheckCountry", "States": {
        "CheckCountry": {"Type": "Task", "Resource": fn, "Next": "Valid",
                         "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1,
                                    "BackoffRate": 2.0, "MaxAttempts": 2}],
                         "Catch": [{"ErrorEquals": ["ErrInvalidCountryCode"],
                                    "ResultPath": "$.error", "Next": "Invalid"}]},
        "Valid": {"Type": "Pass", "End": True},
        "Invalid": {"Type": "Pass", "End": True}}}
    arn = sfn.create_state_machine(name="orders", roleArn=ROLE,
                                   definition=json.dumps(definition))["stateMachineArn"]

    good = sfn.start_execution(stateMachineArn=arn, input=json.dumps(
        {"id": "1", "country_code": "GB", "attempt": 0}))["executionArn"]
    assert wait_done(sfn, good)["status"] == "SUCCEEDED"
    out = json.loads(sfn.describe_execution(executionArn=good)["output"])
    assert out == {"id": "1", "country_code": "GB", "attempt": 0, "checked": True}

    bad = sfn.start_execution(stateMachineArn=arn, input=json.dumps(
        {"id": "2", "country_code": "FR", "attempt": 0}))["executionArn"]
    assert wait_done(sfn, bad)["status"] == "SUCCEEDED"
    out = json.loads(sfn.describe_execution(executionArn=bad)["output"])
    assert out["error"]["Error"] == "ErrInvalidCountryCode"
    assert "Invalid country code: FR" in out["error"]["Cause"]
    failed = [e for e in history(sfn, bad) if e["type"].endswith("Failed") and
              not e["type"].startswith("Execution")]
    assert len(failed) == 3, [e["type"] for e in history(sfn, bad)]  # Retry ran before Catch

    # The optimized integration: Payload in, {Payload, StatusCode, ExecutedVersion} out.
    optimized = sfn.create_state_machine(name="invoke", roleArn=ROLE, definition=json.dumps({
        "StartAt": "Call", "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "check_country", "Payload.$": "$"},
            "ResultSelector": {"body.$": "$.Payload", "status.$": "$.StatusCode"},
            "End": True}}}))["stateMachineArn"]
    run = sfn.start_execution(stateMachineArn=optimized, input=json.dumps(
        {"id": "3", "country_code": "GB"}))["executionArn"]
    assert wait_done(sfn, run)["status"] == "SUCCEEDED"
    out = json.loads(sfn.describe_execution(executionArn=run)["output"])
    assert out == {"body": {"id": "3", "country_code": "GB", "checked": True}, "status": 200}


def test_lambda_invoke_wait_for_task_token(endpoint):
    """arn:aws:states:::lambda:invoke.waitForTaskToken: the function gets the token in its
    payload, the Task records TaskSubmitted with the invoke's reply and waits for
    SendTaskSuccess (AWS's "Wait for a Callback with Task Token" pattern)."""
    lam = make_client(endpoint, "lambda", read_timeout=60)
    sfn = make_client(endpoint, "stepfunctions")
    lam.create_function(FunctionName="notify", Runtime="python3.12", Role=ROLE,
                        Handler="app.handler", Timeout=30,
                        Code={"ZipFile": zip_one("app.py", "def handler(event, context):\n"
                                                           "    return {'sent': event['order']}\n")})
    lam.get_waiter("function_active_v2").wait(FunctionName="notify",
                                              WaiterConfig={"Delay": 0.1, "MaxAttempts": 50})
    definition = {"StartAt": "Notify", "States": {
        "Notify": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                   "Parameters": {"FunctionName": "notify",
                                  "Payload": {"order.$": "$.order", "token.$": "$$.Task.Token"}},
                   "ResultPath": "$.approval", "End": True}}}
    arn = sfn.create_state_machine(name="callback", roleArn=ROLE,
                                   definition=json.dumps(definition))["stateMachineArn"]
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"order": "o-1"}))["executionArn"]
    token = None
    for _ in range(500):
        events = history(sfn, ex)
        submitted = [e for e in events if e["type"] == "TaskSubmitted"]
        if submitted:
            details = submitted[0]["taskSubmittedEventDetails"]
            assert details["resourceType"] == "lambda"
            assert details["resource"] == "invoke.waitForTaskToken"
            assert json.loads(details["output"])["Payload"] == {"sent": "o-1"}
            scheduled = [e for e in events if e["type"] == "TaskScheduled"][0]
            token = json.loads(scheduled["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]
            break
        import time
        time.sleep(0.02)
    assert token, "no TaskSubmitted event"
    assert sfn.describe_execution(executionArn=ex)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output=json.dumps({"approved": True}))
    d = wait_done(sfn, ex)
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == {"order": "o-1", "approval": {"approved": True}}

"""Tasks for services tidepool does not run (ECS, Glue, Batch, Athena, CodeBuild, EventBridge,
the SDK integrations of API Gateway and CloudWatch Logs...): as on AWS, a definition that names them is accepted
(CreateStateMachine does not check a Resource's service); when such a Task runs it fails with
States.TaskFailed and a cause that names the service, in every integration pattern
(request-response, .sync, .sync:2, .waitForTaskToken), so a Catch can handle it."""

import json

import pytest

from harness import ACCOUNT, make_client
from sfn_helpers import wait_done

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT

RESOURCES = [
    ("ecs", "arn:aws:states:::ecs:runTask.sync"),
    ("ecs", "arn:aws:states:::ecs:runTask.waitForTaskToken"),
    ("glue", "arn:aws:states:::glue:startJobRun.sync"),
    ("batch", "arn:aws:states:::batch:submitJob.sync"),
    ("athena", "arn:aws:states:::athena:startQueryExecution.sync"),
    ("codebuild", "arn:aws:states:::codebuild:startBuild.sync"),
    ("events", "arn:aws:states:::events:putEvents"),
    ("apigateway", "arn:aws:states:::aws-sdk:apigateway:getRestApis"),
    ("cloudwatchlogs", "arn:aws:states:::aws-sdk:cloudwatchlogs:describeLogGroups"),
    ("eks", "arn:aws:states:::eks:runJob.sync:2"),
]


@pytest.mark.parametrize("service,resource", RESOURCES)
def test_accepted_then_failed_naming_the_service(endpoint, service, resource):
    sfn = make_client(endpoint, "stepfunctions")
    name = "unserved-" + resource.rsplit(":", 1)[-1].replace(".", "-")[:40] + service
    params = {"Param": "x"}
    if resource.endswith(".waitForTaskToken"):
        params["Token.$"] = "$$.Task.Token"
    definition = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": resource, "Parameters": params,
              "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}], "End": True},
        "Caught": {"Type": "Pass", "End": True}}}
    arn = sfn.create_state_machine(name=name, roleArn=ROLE,
                                   definition=json.dumps(definition))["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    d = wait_done(sfn, execution)
    assert d["status"] == "SUCCEEDED"
    error = json.loads(d["output"])
    assert error["Error"] == "States.TaskFailed"
    assert "'%s'" % service in error["Cause"] and resource.split(".waitFor")[0] in error["Cause"]

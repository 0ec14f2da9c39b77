"""Step Functions with QueryLanguage JSONata (boto3): Arguments, Output, Assign and variables,
Choice Conditions, Wait from expressions, Map Items/ItemSelector, Parallel, Catch with
$states.errorOutput, States.QueryEvaluationError, the functions AWS adds ($partition, $range,
$hash, $random, $uuid, $parse), and Assign in JSONPath states. Expected values follow AWS's
"Transforming data with JSONata" and "Passing data between states with variables" guides."""

import hashlib
import json

import pytest

from harness import make_client
from sfn_helpers import history, wait_done

ROLE = "arn:aws:iam::000000000000:role/sfn"


@pytest.fixture
def sfn(endpoint):
    return make_client(endpoint, "stepfunctions", inject_host_prefix=False)


def run(sfn, name, definition, payload, type_="STANDARD"):
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE,
                                   type=type_)["stateMachineArn"]
    if type_ == "EXPRESS":
        r = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps(payload))
        return r
    ex = sfn.start_execution(stateMachineArn=arn, input=json.dumps(payload))["executionArn"]
    d = wait_done(sfn, ex)
    d["events"] = history(sfn, ex)
    return d


def test_pass_choice_variables_and_states(sfn):
    d = run(sfn, "vars", {
        "QueryLanguage": "JSONata", "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.items.price) %}",
                                                 "who": "{% $states.input.customer %}"},
                     "Output": {"n": "{% $count($states.input.items) %}"}, "Next": "Big?"},
            "Big?": {"Type": "Choice", "Choices": [
                {"Condition": "{% $total > 100 %}", "Next": "Big",
                 "Assign": {"label": "big"}}],
                "Default": "Small"},
            "Big": {"Type": "Pass", "Output": {
                "who": "{% $who %}", "total": "{% $total %}", "label": "{% $label %}",
                "n": "{% $states.input.n %}",
                "name": "{% $states.context.Execution.Name != '' %}"}, "End": True},
            "Small": {"Type": "Succeed"}}},
        {"customer": "ana", "items": [{"price": 60}, {"price": 70.5}]})
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == {"who": "ana", "total": 130.5, "label": "big", "n": 2,
                                       "name": True}


def test_aws_functions_express(sfn):
    r = run(sfn, "fns", {
        "QueryLanguage": "JSONata", "StartAt": "F",
        "States": {"F": {"Type": "Pass", "Output": {
            "parts": "{% $partition([1,2,3,4,5], 2) %}",
            "range": "{% $range(0, 10, 5) %}",
            "hash": "{% $hash('abc', 'SHA-256') %}",
            "md5": "{% $hash('abc', 'MD5') %}",
            "uuid": "{% $length($uuid()) %}",
            "parsed": "{% $parse('{\"a\": [1, 2]}').a[1] %}",
            "rand": "{% $random() < 1 %}",
            "upper": "{% $uppercase($states.input.s) %}"}, "End": True}}},
        {"s": "hi"}, type_="EXPRESS")
    assert r["status"] == "SUCCEEDED", r
    assert json.loads(r["output"]) == {
        "parts": [[1, 2], [3, 4], [5]], "range": [0, 5, 10],
        "hash": hashlib.sha256(b"abc").hexdigest(), "md5": hashlib.md5(b"abc").hexdigest(),
        "uuid": 36, "parsed": 2, "rand": True, "upper": "HI"}


def test_map_parallel_wait(sfn):
    d = run(sfn, "mpw", {
        "QueryLanguage": "JSONata", "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "M"},
            "M": {"Type": "Map", "Items": "{% $states.input.xs %}",
                  "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}",
                                   "i": "{% $states.context.Map.Item.Index %}"},
                  "ItemProcessor": {"StartAt": "Sq", "States": {
                      "Sq": {"Type": "Pass", "Output": "{% $states.input.v * $states.input.v + $states.input.i %}",
                             "End": True}}},
                  "Assign": {"squares": "{% $states.result %}"},
                  "Output": "{% $sum($states.result) %}", "Next": "P"},
            "P": {"Type": "Parallel", "Arguments": {"base": "{% $states.input %}"},
                  "Branches": [
                      {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input.base + 1 %}", "End": True}}},
                      {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": "{% $squares %}", "End": True}}}],
                  "Output": {"results": "{% $states.result %}"}, "End": True}}},
        {"delay": 0, "xs": [1, 2, 3]})
    assert d["status"] == "SUCCEEDED", d
    # squares: 1+0, 4+1, 9+2 -> [1, 5, 11], sum 17
    assert json.loads(d["output"]) == {"results": [18, [1, 5, 11]]}


def test_catch_error_output_and_query_errors(sfn):
    d = run(sfn, "catch", {
        "QueryLanguage": "JSONata", "StartAt": "Boom",
        "States": {
            "Boom": {"Type": "Parallel", "Arguments": "{% $number('not a number') %}",
                     "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}],
                     "Next": "Never",
                     "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Caught",
                                "Assign": {"err": "{% $states.errorOutput.Error %}"},
                                "Output": {"cause": "{% $contains($states.errorOutput.Cause, 'D3030') %}"}}]},
            "Never": {"Type": "Succeed"},
            "Caught": {"Type": "Pass", "Output": {"err": "{% $err %}", "cause": "{% $states.input.cause %}"},
                       "Next": "Fail"},
            "Fail": {"Type": "Fail", "Error": "{% 'Custom.' & $err %}", "Cause": "{% $string($states.input) %}"}}},
        {})
    assert d["status"] == "FAILED", d
    failed = [e for e in d["events"] if e["type"] == "ExecutionFailed"][0]["executionFailedEventDetails"]
    assert failed["error"] == "Custom.States.QueryEvaluationError"
    assert json.loads(failed["cause"]) == {"err": "States.QueryEvaluationError", "cause": True}


def test_choice_condition_must_be_boolean(sfn):
    d = run(sfn, "cond", {
        "QueryLanguage": "JSONata", "StartAt": "C",
        "States": {"C": {"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "D"}],
                         "Default": "D"},
                   "D": {"Type": "Succeed"}}}, {})
    assert d["status"] == "FAILED"
    failed = [e for e in d["events"] if e["type"] == "ExecutionFailed"][0]["executionFailedEventDetails"]
    assert failed["error"] == "States.QueryEvaluationError"


def test_jsonpath_assign_and_mixed_states(sfn):
    # Variables assigned by a JSONPath state are read by a JSONata state.
    d = run(sfn, "mixed", {
        "StartAt": "J",
        "States": {
            "J": {"Type": "Pass", "Parameters": {"v.$": "$.x"}, "Assign": {"saved.$": "$.v"},
                  "Next": "N"},
            "N": {"Type": "Pass", "QueryLanguage": "JSONata",
                  "Output": {"saved": "{% $saved %}", "input": "{% $states.input %}"},
                  "Assign": {"obj": {"deep": [1, "{% $saved + 1 %}"]}}, "Next": "R"},
            "R": {"Type": "Pass", "Parameters": {"again.$": "$saved", "deep.$": "$obj.deep[1]"},
                  "End": True}}},
        {"x": 7})
    assert d["status"] == "SUCCEEDED", d
    assert json.loads(d["output"]) == {"again": 7, "deep": 8}


def test_jsonata_definition_errors(sfn):
    def invalid(definition):
        v = sfn.validate_state_machine_definition(definition=json.dumps(definition))
        assert v["result"] == "FAIL", v
        return v["diagnostics"][0]
    diag = invalid({"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "InputPath": "$.x", "End": True}}})
    assert diag["code"] == "SCHEMA_VALIDATION_FAILED"
    diag = invalid({"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $.a[ %}", "End": True}}})
    assert diag["location"] == "/States/A/Output"
    diag = invalid({"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}})
    assert diag["code"] == "SCHEMA_VALIDATION_FAILED"
    ok = sfn.validate_state_machine_definition(definition=json.dumps({
        "StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONata",
                                         "Output": "{% $states.input %}", "End": True}}}))
    assert ok["result"] == "OK", ok

"""TestState's inspectionData at DEBUG and TRACE: which data-flow steps AWS reports for each
kind of state.

The references are AWS's answers as recorded against the real service (LocalStack's
snapshot tests of TestState, recorded November 2025): a JSONPath Pass state reports
afterInputPath, afterParameters, afterResultSelector and afterResultPath (and `result`, not
afterInputPath/afterParameters, when it has a Result); a Task adds `result`; Succeed, Fail,
Choice report afterInputPath; JSONata states report afterArguments, result and `variables`
but none of the JSONPath steps; INFO reports nothing. The Map item steps (afterItemsPath,
afterItemSelector, afterItemBatcher) follow the API reference's descriptions."""

import json

import pytest

from harness import ACCOUNT, make_client

ROLE = "arn:aws:iam::%s:role/sfn" % ACCOUNT


@pytest.fixture
def sfn(endpoint):
    return make_client(endpoint, "stepfunctions", inject_host_prefix=False)


def inspect(sfn, state, level="DEBUG", **kw):
    r = sfn.test_state(definition=json.dumps(state), roleArn=ROLE, inspectionLevel=level, **kw)
    return {k: (v if isinstance(v, (int, float, dict)) else json.loads(v))
            for k, v in r.get("inspectionData", {}).items()}


def test_a_pass_state_reports_each_jsonpath_step(sfn):
    doc = json.dumps({"initialData": {"fieldFromInput": "v", "otherField": "o"}, "x": 1})
    state = {"Type": "Pass", "InputPath": "$.initialData",
             "Parameters": {"static": "s", "fromInput.$": "$.fieldFromInput"},
             "ResultPath": "$.modified", "OutputPath": "$.modified", "End": True}
    for level in ("DEBUG", "TRACE"):
        d = inspect(sfn, state, level, input=doc)
        assert d == {
            "input": json.loads(doc),
            "afterInputPath": {"fieldFromInput": "v", "otherField": "o"},
            "afterParameters": {"static": "s", "fromInput": "v"},
            "afterResultSelector": {"static": "s", "fromInput": "v"},
            "afterResultPath": {"initialData": {"fieldFromInput": "v", "otherField": "o"},
                                "x": 1, "modified": {"static": "s", "fromInput": "v"}},
        }
    assert inspect(sfn, state, "INFO", input=doc) == {}
    with_result = {"Type": "Pass", "Result": {"k": "r"}, "ResultPath": "$.r", "End": True}
    assert inspect(sfn, with_result, input='{"a": 1}') == {
        "input": {"a": 1}, "result": {"k": "r"}, "afterResultSelector": {"k": "r"},
        "afterResultPath": {"a": 1, "r": {"k": "r"}}}


def test_a_task_reports_parameters_result_and_result_selector(sfn):
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
            "InputPath": "$.req", "Parameters": {"QueueUrl": "q", "MessageBody.$": "$.m"},
            "ResultSelector": {"id.$": "$.MessageId"}, "ResultPath": "$.sent", "End": True}
    d = inspect(sfn, task, input='{"req": {"m": "hi"}}',
                mock={"result": '{"MessageId": "m-1", "MD5OfMessageBody": "x"}'})
    assert d == {
        "input": {"req": {"m": "hi"}},
        "afterInputPath": {"m": "hi"},
        "afterParameters": {"QueueUrl": "q", "MessageBody": "hi"},
        "result": {"MessageId": "m-1", "MD5OfMessageBody": "x"},
        "afterResultSelector": {"id": "m-1"},
        "afterResultPath": {"req": {"m": "hi"}, "sent": {"id": "m-1"}},
    }


def test_succeed_fail_and_choice_report_the_input_path(sfn):
    doc = '{"type": "Private", "value": 22}'
    for state in ({"Type": "Succeed"}, {"Type": "Fail", "Error": "E", "Cause": "c"},
                  {"Type": "Choice", "Default": "D",
                   "Choices": [{"Variable": "$.value", "NumericEquals": 22, "Next": "N"}]}):
        assert inspect(sfn, state, input=doc) == {"input": json.loads(doc),
                                                  "afterInputPath": json.loads(doc)}


def test_jsonata_states_report_arguments_result_and_variables(sfn):
    task = {"Type": "Task", "QueryLanguage": "JSONata",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "f", "Payload": "{% $states.input.v %}"},
            "Assign": {"got": "{% $states.result.ok %}"}, "End": True}
    d = inspect(sfn, task, input='{"v": 1}', mock={"result": '{"ok": true}'},
                variables='{"before": 2}')
    assert d == {"input": {"v": 1}, "afterArguments": {"FunctionName": "f", "Payload": 1},
                 "result": {"ok": True}, "variables": {"before": 2, "got": True}}
    caught = dict(task, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}])
    del caught["End"], caught["Assign"]
    caught["Next"] = "N"
    d = inspect(sfn, caught, input='{"v": 1}', mock={"errorOutput": {"error": "E", "cause": "c"}})
    assert d == {"input": {"v": 1}, "afterArguments": {"FunctionName": "f", "Payload": 1},
                 "errorDetails": {"catchIndex": 0}}
    plain = {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}",
             "End": True}
    assert inspect(sfn, plain, input='{"a": 1}') == {"input": {"a": 1}}


def test_a_mocked_map_reports_its_item_steps(sfn):
    doc = json.dumps({"data": {"items": [1, 2, 3], "tag": "t"}})
    state = {"Type": "Map", "InputPath": "$.data", "ItemsPath": "$.items",
             "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index",
                              "tag.$": "$.tag"},
             "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"t.$": "$.tag"}},
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                   "ExecutionType": "STANDARD"},
                               "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
             "MaxConcurrency": 3, "ResultPath": "$.out", "End": True}
    d = inspect(sfn, state, input=doc, mock={"result": "[1, 2]"})
    sel = [{"v": 1, "i": 0, "tag": "t"}, {"v": 2, "i": 1, "tag": "t"},
           {"v": 3, "i": 2, "tag": "t"}]
    assert d == {
        "input": json.loads(doc),
        "afterInputPath": {"items": [1, 2, 3], "tag": "t"},
        "afterItemsPath": [1, 2, 3],
        "afterItemSelector": sel,
        "afterItemBatcher": [{"Items": sel[:2], "BatchInput": {"t": "t"}},
                             {"Items": sel[2:], "BatchInput": {"t": "t"}}],
        "afterResultSelector": [1, 2],
        "afterResultPath": {"data": {"items": [1, 2, 3], "tag": "t"}, "out": [1, 2]},
        "maxConcurrency": 3,
    }
    jsonata = {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.Values %}",
               "MaxConcurrency": 1,
               "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
               "End": True}
    assert inspect(sfn, jsonata, input='{"Values": [1]}', mock={"result": "[1]"}) == {
        "input": {"Values": [1]}, "maxConcurrency": 1}


def test_a_map_reading_items_reports_the_items_pointer_step(sfn):
    state = {"Type": "Map", "End": True, "MaxConcurrency": 2,
             "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                            "ReaderConfig": {"InputType": "JSON", "ItemsPointer": "/data/rows"},
                            "Parameters": {"Bucket": "b", "Key": "k"}},
             "ItemSelector": {"row.$": "$$.Map.Item.Value"},
             "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED",
                                                   "ExecutionType": "EXPRESS"},
                               "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
    d = inspect(sfn, state, mock={"result": "[1, 2]"}, stateConfiguration={
        "mapItemReaderData": json.dumps({"data": {"rows": [{"a": 1}, {"a": 2}]}})})
    assert d["afterItemsPointer"] == [{"a": 1}, {"a": 2}]
    assert d["afterItemSelector"] == [{"row": {"a": 1}}, {"row": {"a": 2}}]
    assert "afterItemsPath" not in d and d["maxConcurrency"] == 2

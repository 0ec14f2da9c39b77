"""Shared helpers for the SQS/SNS integration tests."""

import time

import botocore.exceptions
import pytest


def expect_error(fn, code, status=400, **kwargs):
    """Calls fn(**kwargs); asserts a ClientError with this code (as botocore reports it)."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        fn(**kwargs)
    err = info.value.response
    assert err["Error"]["Code"] == code, err
    assert err["ResponseMetadata"]["HTTPStatusCode"] == status, err
    return err


def receive_all(sqs, url, want, timeout=5.0, **kwargs):
    """Receives until `want` messages arrived or `timeout` seconds passed; returns them."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                   **kwargs)
        got.extend(resp.get("Messages", []))
    return got


def queue_arn(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url,
                                    AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def wait_move_task(sqs, source_arn, timeout=10.0):
    """Polls ListMessageMoveTasks until the newest task is COMPLETED (bounded); returns it."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        tasks = sqs.list_message_move_tasks(SourceArn=source_arn)["Results"]
        if tasks:
            last = tasks[0]
            if last["Status"] == "COMPLETED":
                return last
            assert last["Status"] in ("RUNNING", "CANCELLING"), last
        time.sleep(0.2)
    pytest.fail("move task not COMPLETED within %ss: %r" % (timeout, last))

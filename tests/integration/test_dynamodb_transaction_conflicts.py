"""DynamoDB transaction conflicts under concurrency, through boto3 (retries off).

Threads hammer one hot item with TransactWriteItems (the hot item and a mirror, +1 each),
UpdateItem (the hot item, +1), BatchWriteItem (a side item per thread, and the mirror's
neighbour) and TransactGetItems (hot and mirror). Every reply must be a success or one of
AWS's conflict shapes, and the final items must add up to the successes: no lost update, no
torn read.
"""

import random
import threading

import botocore.exceptions
import pytest

from harness import make_client

THREADS = 8
ROUNDS = 50
CONFLICT_REASON = {"Code": "TransactionConflict",
                   "Message": "Transaction is ongoing for the item"}


def make_table(ddb, name):
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1})


def key(pk):
    return {"pk": {"S": pk}}


def check_canceled(err, size):
    """A TransactionCanceledException caused by conflicts only: reasons None/TransactionConflict."""
    assert err.response["Error"]["Code"] == "TransactionCanceledException", err.response
    reasons = err.response["CancellationReasons"]
    assert len(reasons) == size
    assert all(r == {"Code": "None"} or r == CONFLICT_REASON for r in reasons), reasons
    assert CONFLICT_REASON in reasons
    listed = ", ".join(r["Code"] for r in reasons)
    assert err.response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[%s]" % listed)


def hammer(endpoint, table, seed, tally, problems):
    ddb = make_client(endpoint, "dynamodb")
    rng = random.Random(seed)
    mine = {"txn": 0, "update": 0, "conflicts": 0, "gets": 0, "unprocessed": 0}
    try:
        for _ in range(ROUNDS):
            kind = rng.choice(["txn", "txn", "update", "get", "batch"])
            try:
                if kind == "txn":
                    ddb.transact_write_items(TransactItems=[
                        {"Update": {"TableName": table, "Key": key("hot"),
                                    "UpdateExpression": "ADD n :one",
                                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                        {"Update": {"TableName": table, "Key": key("mirror"),
                                    "UpdateExpression": "ADD n :one",
                                    "ExpressionAttributeValues": {":one": {"N": "1"}}}}])
                    mine["txn"] += 1
                elif kind == "update":
                    ddb.update_item(TableName=table, Key=key("hot"),
                                    UpdateExpression="ADD n :one",
                                    ExpressionAttributeValues={":one": {"N": "1"}})
                    mine["update"] += 1
                elif kind == "get":
                    got = ddb.transact_get_items(TransactItems=[
                        {"Get": {"TableName": table, "Key": key("hot")}},
                        {"Get": {"TableName": table, "Key": key("mirror")}}])["Responses"]
                    n = [int(r["Item"]["n"]["N"]) if "Item" in r else 0 for r in got]
                    # Every transaction moves both; single updates move hot only.
                    if n[0] < n[1]:
                        problems.append("torn TransactGetItems: hot %d < mirror %d" % tuple(n))
                    mine["gets"] += 1
                else:
                    out = ddb.batch_write_item(RequestItems={table: [
                        {"PutRequest": {"Item": {"pk": {"S": "side-%d" % seed},
                                                 "at": {"N": str(rng.randrange(10**6))}}}},
                        {"DeleteRequest": {"Key": key("mirror-neighbour")}}]})
                    if out["UnprocessedItems"]:
                        problems.append("unprocessed items without a transaction on them: %r"
                                        % out["UnprocessedItems"])
            except botocore.exceptions.ClientError as err:
                code = err.response["Error"]["Code"]
                if kind == "update" and code == "TransactionConflictException":
                    assert err.response["Error"]["Message"] == (
                        "Transaction is ongoing for the item")
                elif kind in ("txn", "get"):
                    check_canceled(err, 2)
                else:
                    raise
                mine["conflicts"] += 1
    except Exception as e:  # noqa: BLE001 - reported by the main thread
        problems.append("%s: %r" % (type(e).__name__, e))
    with tally["lock"]:
        for k, v in mine.items():
            tally[k] += v


@pytest.mark.parametrize("durability", ["memory", "sync"])
def test_concurrent_transactions_and_writes_on_one_hot_item(tidepool_factory, durability):
    endpoint = tidepool_factory(durability=durability).endpoint
    ddb = make_client(endpoint, "dynamodb")
    make_table(ddb, "hot")
    tally = {"lock": threading.Lock(), "txn": 0, "update": 0, "conflicts": 0, "gets": 0,
             "unprocessed": 0}
    problems = []
    threads = [threading.Thread(target=hammer, args=(endpoint, "hot", i, tally, problems))
               for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    hot = ddb.get_item(TableName="hot", Key=key("hot"), ConsistentRead=True).get("Item", {})
    mirror = ddb.get_item(TableName="hot", Key=key("mirror"), ConsistentRead=True).get("Item", {})
    assert int(hot.get("n", {"N": "0"})["N"]) == tally["txn"] + tally["update"]
    assert int(mirror.get("n", {"N": "0"})["N"]) == tally["txn"]
    assert tally["txn"] > 0 and tally["update"] > 0
    print("%s: %d transactions, %d updates, %d gets committed; %d conflicts" % (
        durability, tally["txn"], tally["update"], tally["gets"], tally["conflicts"]))
    if durability == "sync":
        # An fsync per group keeps each transaction ongoing long enough for others to meet it.
        assert tally["conflicts"] > 0


def test_batch_write_of_an_item_in_a_transaction_is_unprocessed_or_written(endpoint):
    """A BatchWriteItem racing transactions on its item: each write is made or unprocessed."""
    ddb = make_client(endpoint, "dynamodb")
    make_table(ddb, "race")
    stop = threading.Event()

    def transactions():
        c = make_client(endpoint, "dynamodb")
        while not stop.is_set():
            try:
                c.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "race", "Item": {"pk": {"S": "x"}, "by": {"S": "txn"}}}}])
            except botocore.exceptions.ClientError as err:
                check_canceled(err, 1)

    runner = threading.Thread(target=transactions)
    runner.start()
    try:
        unprocessed = 0
        for i in range(200):
            item = {"pk": {"S": "x"}, "by": {"S": "batch"}, "i": {"N": str(i)}}
            out = ddb.batch_write_item(RequestItems={"race": [{"PutRequest": {"Item": item}}]})
            if out["UnprocessedItems"]:
                assert out["UnprocessedItems"] == {"race": [{"PutRequest": {"Item": item}}]}
                unprocessed += 1
    finally:
        stop.set()
        runner.join()
    print("batch writes unprocessed: %d of 200" % unprocessed)

"""DynamoDB limits and shapes issue 16 names that no other test checked: the 1 MB page of
Query and Scan, batch size limits, key size limits, Select validation, the table_not_exists
waiter, and stream records of every view type with AWS's record shape and all four shard
iterator types."""

import pytest

from test_dynamodb_boto3 import ddb, error_of, make_table, streams  # noqa: F401 (fixtures)


def test_query_and_scan_stop_at_one_megabyte(ddb):
    make_table(ddb, "big", "N")
    blob = "x" * (100 * 1024)
    for i in range(15):
        ddb.put_item(TableName="big", Item={"pk": {"S": "p"}, "sk": {"N": str(i)},
                                            "blob": {"S": blob}})
    for read in (lambda **kw: ddb.query(TableName="big", KeyConditionExpression="pk = :p",
                                        ExpressionAttributeValues={":p": {"S": "p"}}, **kw),
                 lambda **kw: ddb.scan(TableName="big", **kw)):
        first = read()
        assert 9 <= first["Count"] <= 11  # ~1 MB of 100 KB items
        assert "LastEvaluatedKey" in first
        seen, start = [], None
        while True:
            page = read(**({"ExclusiveStartKey": start} if start else {}))
            seen += [int(i["sk"]["N"]) for i in page["Items"]]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        assert seen == list(range(15))
    # Select=COUNT pages the same way: the limit is on data read, not returned.
    counted = ddb.scan(TableName="big", Select="COUNT")
    assert "LastEvaluatedKey" in counted and counted["Count"] < 15


def test_batch_limits(ddb):
    make_table(ddb, "lim")
    make_table(ddb, "lim2")
    # 100 keys per table at most (the model's constraint), and 100 in all.
    code, msg = error_of(ddb.batch_get_item, RequestItems={"lim": {
        "Keys": [{"pk": {"S": str(i)}} for i in range(101)]}})
    assert code == "ValidationException"
    assert "Member must have length less than or equal to 100" in msg
    code, msg = error_of(ddb.batch_get_item, RequestItems={
        t: {"Keys": [{"pk": {"S": str(i)}} for i in range(60)]} for t in ("lim", "lim2")})
    assert (code, msg) == ("ValidationException",
                           "Too many items requested for the BatchGetItem call")
    code, msg = error_of(ddb.batch_write_item, RequestItems={"lim": [
        {"PutRequest": {"Item": {"pk": {"S": str(i)}}}} for i in range(26)]})
    assert code == "ValidationException"
    assert "Member must have length less than or equal to 25" in msg


def test_key_size_limits(ddb):
    make_table(ddb, "keys", "S")
    ddb.put_item(TableName="keys", Item={"pk": {"S": "h" * 2048}, "sk": {"S": "r" * 1024}})
    code, msg = error_of(ddb.put_item, TableName="keys",
                         Item={"pk": {"S": "h" * 2049}, "sk": {"S": "r"}})
    assert (code, msg) == ("ValidationException",
                           "One or more parameter values were invalid: Size of hashkey has "
                           "exceeded the maximum size limit of2048 bytes")
    code, msg = error_of(ddb.put_item, TableName="keys",
                         Item={"pk": {"S": "h"}, "sk": {"S": "r" * 1025}})
    assert (code, msg) == ("ValidationException",
                           "One or more parameter values were invalid: Aggregated size of all "
                           "range keys has exceeded the size limit of 1024 bytes")


def test_select_validation(ddb):
    make_table(ddb, "sel")
    code, msg = error_of(ddb.scan, TableName="sel", Select="SPECIFIC_ATTRIBUTES")
    assert code == "ValidationException"
    assert "SPECIFIC_ATTRIBUTES" in msg
    code, msg = error_of(ddb.scan, TableName="sel", Select="ALL_PROJECTED_ATTRIBUTES")
    assert code == "ValidationException"
    assert "ALL_PROJECTED_ATTRIBUTES" in msg
    code, msg = error_of(ddb.scan, TableName="sel", Select="COUNT", ProjectionExpression="pk")
    assert code == "ValidationException"


def test_table_not_exists_waiter(ddb):
    make_table(ddb, "gone")
    ddb.delete_table(TableName="gone")
    ddb.get_waiter("table_not_exists").wait(TableName="gone", WaiterConfig={"Delay": 0.1})


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_stream_records_of_every_view_type(ddb, streams, view):
    name = "v_" + view.lower()
    make_table(ddb, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    arn = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    ddb.update_item(TableName=name, Key={"pk": {"S": "k"}}, UpdateExpression="SET v = :two",
                    ExpressionAttributeValues={":two": {"N": "2"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=it)["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    new = {"INSERT": {"pk": {"S": "k"}, "v": {"N": "1"}},
           "MODIFY": {"pk": {"S": "k"}, "v": {"N": "2"}}}
    old = {"MODIFY": {"pk": {"S": "k"}, "v": {"N": "1"}},
           "REMOVE": {"pk": {"S": "k"}, "v": {"N": "2"}}}
    seqs = []
    for r in records:
        assert r["eventSource"] == "aws:dynamodb"
        assert r["eventVersion"] == "1.1"
        assert r["awsRegion"] == "us-east-1"
        assert r["eventID"]
        d = r["dynamodb"]
        assert d["StreamViewType"] == view
        assert d["Keys"] == {"pk": {"S": "k"}}
        assert d["SizeBytes"] > 0
        assert d["ApproximateCreationDateTime"]
        seqs.append(d["SequenceNumber"])
        event = r["eventName"]
        if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and event in new:
            assert d["NewImage"] == new[event]
        else:
            assert "NewImage" not in d
        if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and event in old:
            assert d["OldImage"] == old[event]
        else:
            assert "OldImage" not in d
    assert seqs == sorted(seqs, key=int) and len(set(seqs)) == 3
    # AT_ and AFTER_SEQUENCE_NUMBER start at and after the middle record.
    for kind, first in (("AT_SEQUENCE_NUMBER", "MODIFY"), ("AFTER_SEQUENCE_NUMBER", "REMOVE")):
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind,
                                        SequenceNumber=seqs[1])["ShardIterator"]
        assert streams.get_records(ShardIterator=it)["Records"][0]["eventName"] == first


def test_consistent_read_on_a_global_index_is_refused(ddb):
    ddb.create_table(
        TableName="gsi", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    code, msg = error_of(ddb.query, TableName="gsi", IndexName="by_g", ConsistentRead=True,
                         KeyConditionExpression="g = :g",
                         ExpressionAttributeValues={":g": {"S": "x"}})
    assert (code, msg) == ("ValidationException",
                           "Consistent reads are not supported on global secondary indexes")

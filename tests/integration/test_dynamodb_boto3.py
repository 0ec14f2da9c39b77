"""DynamoDB and DynamoDB Streams through boto3: tables, items, expressions, queries, streams."""

import decimal

import botocore.exceptions
import pytest

from harness import make_client


@pytest.fixture
def ddb(endpoint):
    return make_client(endpoint, "dynamodb")


@pytest.fixture
def streams(endpoint):
    return make_client(endpoint, "dynamodbstreams")


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    err = info.value.response["Error"]
    return err["Code"], err["Message"]


def make_table(ddb, name="tbl", range_type=None, **extra):
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_type:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": range_type})
    attrs += extra.pop("more_attrs", [])
    ddb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs,
                     BillingMode="PAY_PER_REQUEST", **extra)
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.1})


def test_table_lifecycle(ddb):
    make_table(ddb, "orders", "N")
    desc = ddb.describe_table(TableName="orders")["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["KeySchema"][1] == {"AttributeName": "sk", "KeyType": "RANGE"}
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    code, msg = error_of(ddb.create_table, TableName="orders",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    assert (code, msg) == ("ResourceInUseException", "Table already exists: orders")
    for i in range(3):
        make_table(ddb, "tbl%d" % i)
    page = ddb.list_tables(Limit=2)
    assert page["TableNames"] == ["orders", "tbl0"]
    assert ddb.list_tables(ExclusiveStartTableName=page["LastEvaluatedTableName"])[
        "TableNames"] == ["tbl1", "tbl2"]
    ddb.delete_table(TableName="tbl0")
    code, msg = error_of(ddb.describe_table, TableName="tbl0")
    assert code == "ResourceNotFoundException"
    assert msg == "Requested resource not found: Table: tbl0 not found"
    code, msg = error_of(ddb.create_table, TableName="bad",
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
    assert code == "ValidationException"
    assert "Some index key attributes are not defined in AttributeDefinitions" in msg


def test_tags_and_ttl(ddb):
    make_table(ddb)
    arn = ddb.describe_table(TableName="tbl")["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "a", "Value": "1"}]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    ddb.update_time_to_live(TableName="tbl", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "exp"})
    d = ddb.describe_time_to_live(TableName="tbl")["TimeToLiveDescription"]
    assert d == {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


def test_put_get_update_delete(ddb):
    make_table(ddb)
    item = {"pk": {"S": "a"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\xff"},
            "ss": {"SS": ["x", "y"]}, "ts": {"SS": ["x", "y"]}, "l": {"L": [{"S": "q"}, {"BOOL": True}, {"NULL": True}]},
            "m": {"M": {"nested": {"N": "-0"}}}}
    ddb.put_item(TableName="tbl", Item=item)
    got = ddb.get_item(TableName="tbl", Key={"pk": {"S": "a"}})["Item"]
    assert got["n"] == {"N": "1.5"}
    assert got["b"] == {"B": b"\x00\xff"}
    assert got["m"] == {"M": {"nested": {"N": "0"}}}
    assert sorted(got["ss"]["SS"]) == ["x", "y"]
    proj = ddb.get_item(TableName="tbl", Key={"pk": {"S": "a"}},
                        ProjectionExpression="#l[1], m.nested",
                        ExpressionAttributeNames={"#l": "l"})["Item"]
    assert proj == {"l": {"L": [{"BOOL": True}]}, "m": {"M": {"nested": {"N": "0"}}}}

    out = ddb.update_item(
        TableName="tbl", Key={"pk": {"S": "a"}},
        UpdateExpression="SET n = n + :big, c = if_not_exists(c, :zero) REMOVE l[0] "
                         "ADD ss :more DELETE ts :x",
        ExpressionAttributeValues={":big": {"N": "12345678901234567890123456789012345"},
                                   ":zero": {"N": "0"}, ":more": {"SS": ["z"]},
                                   ":x": {"SS": ["x"]}},
        ReturnValues="ALL_NEW")["Attributes"]
    assert out["n"] == {"N": "12345678901234567890123456789012346.5"}
    assert out["c"] == {"N": "0"}
    assert out["l"]["L"] == [{"BOOL": True}, {"NULL": True}]
    assert sorted(out["ss"]["SS"]) == ["x", "y", "z"]
    assert out["ts"]["SS"] == ["y"]

    code, msg = error_of(ddb.put_item, TableName="tbl", Item={"pk": {"S": "a"}},
                         ConditionExpression="attribute_not_exists(pk)")
    assert (code, msg) == ("ConditionalCheckFailedException", "The conditional request failed")
    code, msg = error_of(ddb.update_item, TableName="tbl", Key={"pk": {"S": "a"}},
                         UpdateExpression="SET #s = :v", ExpressionAttributeNames={"#s": "s"},
                         ExpressionAttributeValues={":v": {"S": "1"}, ":w": {"S": "2"}})
    assert code == "ValidationException"
    assert msg == ("Value provided in ExpressionAttributeValues unused in expressions: "
                   "keys: {:w}")
    code, msg = error_of(ddb.update_item, TableName="tbl", Key={"pk": {"S": "a"}},
                         UpdateExpression="SET status = :v",
                         ExpressionAttributeValues={":v": {"S": "1"}})
    assert msg == ("Invalid UpdateExpression: Attribute name is a reserved keyword; "
                   "reserved keyword: status")
    code, msg = error_of(ddb.update_item, TableName="tbl", Key={"pk": {"S": "a"}},
                         UpdateExpression="SET a = :v, a.b = :v",
                         ExpressionAttributeValues={":v": {"S": "1"}})
    assert msg == ("Invalid UpdateExpression: Two document paths overlap with each other; must "
                   "remove or rewrite one of these paths; path one: [a], path two: [a, b]")
    code, msg = error_of(ddb.get_item, TableName="tbl", Key={"nope": {"S": "a"}})
    assert msg == "The provided key element does not match the schema"
    code, msg = error_of(ddb.put_item, TableName="tbl", Item={"pk": {"N": "1"}})
    assert msg == ("One or more parameter values were invalid: Type mismatch for key pk "
                   "expected: S actual: N")
    code, msg = error_of(ddb.put_item, TableName="tbl",
                         Item={"pk": {"S": "big"}, "v": {"S": "x" * 410000}})
    assert msg == "Item size has exceeded the maximum allowed size"
    code, msg = error_of(ddb.get_item, TableName="missing", Key={"pk": {"S": "a"}})
    assert (code, msg) == ("ResourceNotFoundException", "Requested resource not found")

    old = ddb.delete_item(TableName="tbl", Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD")
    assert old["Attributes"]["pk"] == {"S": "a"}
    assert "Item" not in ddb.get_item(TableName="tbl", Key={"pk": {"S": "a"}})


def test_query_scan_number_order(ddb):
    make_table(ddb, "qqq", "N")
    values = ["-100", "-1.5", "-1", "0", "0.001", "2", "10", "1e3", "12345678901234567890"]
    for v in values:
        ddb.put_item(TableName="qqq", Item={"pk": {"S": "h"}, "sk": {"N": v}, "odd": {"BOOL": True}})
    ddb.put_item(TableName="qqq", Item={"pk": {"S": "other"}, "sk": {"N": "5"}})
    got = ddb.query(TableName="qqq", KeyConditionExpression="pk = :h",
                    ExpressionAttributeValues={":h": {"S": "h"}})["Items"]
    assert [decimal.Decimal(i["sk"]["N"]) for i in got] == sorted(decimal.Decimal(v)
                                                                  for v in values)
    rev = ddb.query(TableName="qqq", KeyConditionExpression="pk = :h AND sk BETWEEN :a AND :b",
                    ExpressionAttributeValues={":h": {"S": "h"}, ":a": {"N": "-1.5"},
                                               ":b": {"N": "10"}},
                    ScanIndexForward=False)["Items"]
    assert [i["sk"]["N"] for i in rev] == ["10", "2", "0.001", "0", "-1", "-1.5"]
    # Paging with Limit and ExclusiveStartKey.
    seen, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(TableName="qqq", KeyConditionExpression="pk = :h AND sk > :z",
                         ExpressionAttributeValues={":h": {"S": "h"}, ":z": {"N": "0"}},
                         Limit=2, **kwargs)
        seen += [i["sk"]["N"] for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == ["0.001", "2", "10", "1000", "12345678901234567890"]
    count = ddb.query(TableName="qqq", KeyConditionExpression="pk = :h", Select="COUNT",
                      FilterExpression="sk >= :z",
                      ExpressionAttributeValues={":h": {"S": "h"}, ":z": {"N": "0"}})
    assert (count["Count"], count["ScannedCount"]) == (6, 9)
    scan = ddb.scan(TableName="qqq")
    assert scan["Count"] == 10
    segments = sum(ddb.scan(TableName="qqq", Segment=s, TotalSegments=3)["Count"]
                   for s in range(3))
    assert segments == 10
    code, msg = error_of(ddb.query, TableName="qqq", KeyConditionExpression="sk = :z",
                         ExpressionAttributeValues={":z": {"N": "0"}})
    assert msg == "Query condition missed key schema element: pk"


def test_string_begins_with_and_gsi(ddb):
    make_table(ddb, "ggg", "S", more_attrs=[{"AttributeName": "email", "AttributeType": "S"}],
               GlobalSecondaryIndexes=[{
                   "IndexName": "by_email",
                   "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for sk in ["a", "ab", "abc", "b"]:
        ddb.put_item(TableName="ggg", Item={"pk": {"S": "u"}, "sk": {"S": sk},
                                          "email": {"S": sk + "@x"}, "extra": {"N": "1"}})
    got = ddb.query(TableName="ggg", KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
                    ExpressionAttributeValues={":p": {"S": "u"}, ":a": {"S": "ab"}})["Items"]
    assert [i["sk"]["S"] for i in got] == ["ab", "abc"]
    by_email = ddb.query(TableName="ggg", IndexName="by_email",
                         KeyConditionExpression="email = :e",
                         ExpressionAttributeValues={":e": {"S": "abc@x"}})["Items"]
    assert by_email == [{"pk": {"S": "u"}, "sk": {"S": "abc"}, "email": {"S": "abc@x"}}]
    # A GSI added later is backfilled.
    ddb.update_table(TableName="ggg",
                     AttributeDefinitions=[{"AttributeName": "extra", "AttributeType": "N"}],
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "by_extra",
                         "KeySchema": [{"AttributeName": "extra", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}}])
    assert ddb.query(TableName="ggg", IndexName="by_extra", KeyConditionExpression="extra = :e",
                     ExpressionAttributeValues={":e": {"N": "1"}})["Count"] == 4


def test_streams(ddb, streams):
    make_table(ddb, "sss", StreamSpecification={"StreamEnabled": True,
                                               "StreamViewType": "NEW_AND_OLD_IMAGES"})
    arn = ddb.describe_table(TableName="sss")["Table"]["LatestStreamArn"]
    ddb.put_item(TableName="sss", Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    ddb.put_item(TableName="sss", Item={"pk": {"S": "k"}, "v": {"N": "1.0"}})  # no change: no record
    ddb.update_item(TableName="sss", Key={"pk": {"S": "k"}}, UpdateExpression="SET v = :two",
                    ExpressionAttributeValues={":two": {"N": "2"}})
    ddb.delete_item(TableName="sss", Key={"pk": {"S": "k"}})
    listed = streams.list_streams(TableName="sss")["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = streams.get_records(ShardIterator=it)
    records = out["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["OldImage"]["v"] == {"N": "1"}
    assert records[1]["dynamodb"]["NewImage"]["v"] == {"N": "2"}
    assert records[2]["dynamodb"]["Keys"] == {"pk": {"S": "k"}}
    assert "NewImage" not in records[2]["dynamodb"]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                        ShardIteratorType="LATEST")["ShardIterator"]
    ddb.put_item(TableName="sss", Item={"pk": {"S": "z"}})
    assert [r["dynamodb"]["Keys"] for r in streams.get_records(ShardIterator=latest)[
        "Records"]] == [{"pk": {"S": "z"}}]
    assert streams.get_records(ShardIterator=out["NextShardIterator"])["Records"][0][
        "eventName"] == "INSERT"


@pytest.mark.tidepool(durability="sync")
def test_restart_keeps_tables_items_and_stream(tidepool_factory, tmp_path):
    data = tmp_path / "ddbdata"
    first = tidepool_factory(durability="sync", data_dir=data)
    ddb = make_client(first.endpoint, "dynamodb")
    make_table(ddb, "rrr", "N", StreamSpecification={"StreamEnabled": True,
                                                    "StreamViewType": "KEYS_ONLY"})
    for i in range(20):
        ddb.put_item(TableName="rrr", Item={"pk": {"S": "p"}, "sk": {"N": str(i)}})
    first.kill()
    second = tidepool_factory(durability="sync", data_dir=data)
    ddb = make_client(second.endpoint, "dynamodb")
    assert ddb.query(TableName="rrr", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "p"}})["Count"] == 20
    ddb.put_item(TableName="rrr", Item={"pk": {"S": "p"}, "sk": {"N": "99"}})
    st = make_client(second.endpoint, "dynamodbstreams")
    arn = ddb.describe_table(TableName="rrr")["Table"]["LatestStreamArn"]
    shard = st.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = st.get_shard_iterator(StreamArn=arn, ShardId=shard,
                               ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert len(st.get_records(ShardIterator=it)["Records"]) == 21


def test_batch_operations(ddb):
    make_table(ddb, "bbb", "N")
    ddb.batch_write_item(RequestItems={"bbb": [
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"N": str(i)}}}} for i in range(25)]})
    got = ddb.batch_get_item(RequestItems={"bbb": {
        "Keys": [{"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in (0, 7, 99)],
        "ProjectionExpression": "sk"}})
    assert sorted(i["sk"]["N"] for i in got["Responses"]["bbb"]) == ["0", "7"]
    assert got["UnprocessedKeys"] == {}
    out = ddb.batch_write_item(RequestItems={"bbb": [
        {"DeleteRequest": {"Key": {"pk": {"S": "a"}, "sk": {"N": str(i)}}}} for i in range(20)]})
    assert out["UnprocessedItems"] == {}
    assert ddb.scan(TableName="bbb")["Count"] == 5
    code, msg = error_of(ddb.batch_write_item, RequestItems={"bbb": [
        {"PutRequest": {"Item": {"pk": {"S": "d"}, "sk": {"N": "1"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "d"}, "sk": {"N": "1.0"}}}}]})
    assert msg == "Provided list of item keys contains duplicates"


def test_transactions(ddb):
    make_table(ddb, "acc")
    ddb.put_item(TableName="acc", Item={"pk": {"S": "alice"}, "bal": {"N": "100"}})
    ddb.put_item(TableName="acc", Item={"pk": {"S": "bob"}, "bal": {"N": "0"}})

    def transfer(amount, token=None):
        kwargs = {"ClientRequestToken": token} if token else {}
        return ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": "acc", "Key": {"pk": {"S": "alice"}},
                        "UpdateExpression": "SET bal = bal - :a",
                        "ConditionExpression": "bal >= :a",
                        "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
            {"Update": {"TableName": "acc", "Key": {"pk": {"S": "bob"}},
                        "UpdateExpression": "SET bal = bal + :a",
                        "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
        ], **kwargs)

    transfer(30, token="tok-1")
    transfer(30, token="tok-1")  # idempotent: applied once
    with pytest.raises(botocore.exceptions.ClientError) as info:
        transfer(500)
    err = info.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    assert err["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific "
        "reasons [ConditionalCheckFailed, None]")

    code, _ = error_of(transfer, amount=31, token="tok-1")
    assert code == "IdempotentParameterMismatchException"
    got = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": "acc", "Key": {"pk": {"S": "alice"}}}},
        {"Get": {"TableName": "acc", "Key": {"pk": {"S": "bob"}}}},
        {"Get": {"TableName": "acc", "Key": {"pk": {"S": "nobody"}}}}])["Responses"]
    assert [r.get("Item", {}).get("bal") for r in got] == [{"N": "70"}, {"N": "30"}, None]
    ddb.transact_write_items(TransactItems=[
        {"ConditionCheck": {"TableName": "acc", "Key": {"pk": {"S": "bob"}},
                            "ConditionExpression": "attribute_exists(pk)"}},
        {"Put": {"TableName": "acc", "Item": {"pk": {"S": "carol"}, "bal": {"N": "1"}}}},
        {"Delete": {"TableName": "acc", "Key": {"pk": {"S": "alice"}}}}])
    assert sorted(i["pk"]["S"] for i in ddb.scan(TableName="acc")["Items"]) == ["bob", "carol"]


def test_unimplemented_operation_is_refused(ddb):
    code, msg = error_of(ddb.list_global_tables)
    assert code == "UnknownOperationException"
    assert "ListGlobalTables" in msg


def test_document_client_types(endpoint):
    """boto3's resource layer (Decimal numbers, sets, binary) round-trips."""
    import boto3
    res = boto3.resource("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                         aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    table = res.create_table(TableName="docs", KeySchema=[{"AttributeName": "id",
                                                           "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                             BillingMode="PAY_PER_REQUEST")
    table.wait_until_exists()
    item = {"id": decimal.Decimal("1"), "price": decimal.Decimal("19.99"),
            "tags": {"a", "b"}, "nested": {"list": [1, "two", None, True]}}
    table.put_item(Item=item)
    got = table.get_item(Key={"id": 1})["Item"]
    assert got["price"] == decimal.Decimal("19.99")
    assert got["tags"] == {"a", "b"}
    assert got["nested"]["list"] == [1, "two", None, True]
    from boto3.dynamodb.conditions import Attr, Key
    assert table.query(KeyConditionExpression=Key("id").eq(1))["Count"] == 1
    assert table.scan(FilterExpression=Attr("price").gt(decimal.Decimal("10")))["Count"] == 1


def test_legacy_parameters(ddb):
    make_table(ddb, "leg", "N")
    ddb.put_item(TableName="leg", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "x"}},
                 Expected={"pk": {"Exists": False}})
    code, _ = error_of(ddb.put_item, TableName="leg", Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                       Expected={"v": {"Value": {"S": "other"}}})
    assert code == "ConditionalCheckFailedException"
    ddb.update_item(TableName="leg", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                    AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "5"}},
                                      "v": {"Action": "DELETE"}},
                    Expected={"v": {"ComparisonOperator": "EQ",
                                    "AttributeValueList": [{"S": "x"}]}})
    item = ddb.get_item(TableName="leg", Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                        AttributesToGet=["n", "v"])["Item"]
    assert item == {"n": {"N": "5"}}
    for i in range(2, 6):
        ddb.put_item(TableName="leg", Item={"pk": {"S": "a"}, "sk": {"N": str(i)}})
    got = ddb.query(TableName="leg", KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "4"}]}})
    assert [i["sk"]["N"] for i in got["Items"]] == ["2", "3", "4"]
    scanned = ddb.scan(TableName="leg", ScanFilter={"n": {"ComparisonOperator": "NOT_NULL"}})
    assert scanned["Count"] == 1
    code, msg = error_of(ddb.put_item, TableName="leg", Item={"pk": {"S": "b"}, "sk": {"N": "1"}},
                         Expected={"pk": {"Exists": False}},
                         ConditionExpression="attribute_not_exists(pk)")
    assert msg == ("Can not use both expression and non-expression parameters in the same "
                   "request: Non-expression parameters: {Expected} Expression parameters: "
                   "{ConditionExpression}")


def test_ttl_expiry_deletes_and_streams(ddb, streams):
    import time
    make_table(ddb, "ttl", StreamSpecification={"StreamEnabled": True,
                                                 "StreamViewType": "OLD_IMAGE"})
    ddb.update_time_to_live(TableName="ttl", TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "exp"})
    now = int(time.time())
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "old"}, "exp": {"N": str(now - 10)}})
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "new"}, "exp": {"N": str(now + 3600)}})
    ddb.put_item(TableName="ttl", Item={"pk": {"S": "none"}})
    deadline = time.time() + 10
    while time.time() < deadline and ddb.scan(TableName="ttl")["Count"] != 2:
        time.sleep(0.2)
    assert sorted(i["pk"]["S"] for i in ddb.scan(TableName="ttl")["Items"]) == ["new", "none"]
    arn = ddb.describe_table(TableName="ttl")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    removes = [r for r in streams.get_records(ShardIterator=it)["Records"]
               if r["eventName"] == "REMOVE"]
    assert len(removes) == 1
    assert removes[0]["userIdentity"] == {"Type": "Service",
                                          "PrincipalId": "dynamodb.amazonaws.com"}
    assert removes[0]["dynamodb"]["OldImage"]["pk"] == {"S": "old"}


def test_index_paging_lsi_and_gsi_delete(ddb):
    make_table(ddb, "idx", "S",
               more_attrs=[{"AttributeName": "cat", "AttributeType": "S"},
                           {"AttributeName": "price", "AttributeType": "N"}],
               GlobalSecondaryIndexes=[{
                   "IndexName": "by_cat",
                   "KeySchema": [{"AttributeName": "cat", "KeyType": "HASH"},
                                 {"AttributeName": "price", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name"]}}],
               LocalSecondaryIndexes=[{
                   "IndexName": "by_price",
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "price", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "ALL"}}])
    for i in range(7):
        ddb.put_item(TableName="idx", Item={
            "pk": {"S": "shop"}, "sk": {"S": "item%d" % i}, "cat": {"S": "toys"},
            "price": {"N": str(i % 3)}, "name": {"S": "n%d" % i}, "secret": {"S": "s"}})
    ddb.put_item(TableName="idx", Item={"pk": {"S": "shop"}, "sk": {"S": "sparse"}})
    seen, start = [], None
    while True:
        kwargs = {"ExclusiveStartKey": start} if start else {}
        page = ddb.query(TableName="idx", IndexName="by_cat", KeyConditionExpression="cat = :c",
                         ExpressionAttributeValues={":c": {"S": "toys"}}, Limit=3, **kwargs)
        seen += [(i["price"]["N"], i["sk"]["S"]) for i in page["Items"]]
        assert all("secret" not in i and "name" in i for i in page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == sorted(seen) and len(seen) == 7
    lsi = ddb.query(TableName="idx", IndexName="by_price",
                    KeyConditionExpression="pk = :p AND price >= :two",
                    ExpressionAttributeValues={":p": {"S": "shop"}, ":two": {"N": "2"}})
    assert [i["sk"]["S"] for i in lsi["Items"]] == ["item2", "item5"]
    assert lsi["Items"][0]["secret"] == {"S": "s"}
    code, msg = error_of(ddb.query, TableName="idx", IndexName="nope",
                         KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "shop"}})
    assert msg == "The table does not have the specified index: nope"
    ddb.update_table(TableName="idx", GlobalSecondaryIndexUpdates=[
        {"Delete": {"IndexName": "by_cat"}}])
    desc = ddb.describe_table(TableName="idx")["Table"]
    assert "GlobalSecondaryIndexes" not in desc
    assert [i["IndexName"] for i in desc["LocalSecondaryIndexes"]] == ["by_price"]


def test_stream_disable_and_reenable(ddb, streams):
    make_table(ddb, "sdis", StreamSpecification={"StreamEnabled": True,
                                                  "StreamViewType": "KEYS_ONLY"})
    first = ddb.describe_table(TableName="sdis")["Table"]["LatestStreamArn"]
    ddb.put_item(TableName="sdis", Item={"pk": {"S": "a"}})
    ddb.update_table(TableName="sdis", StreamSpecification={"StreamEnabled": False})
    d = streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert d["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in d["Shards"][0]["SequenceNumberRange"]
    ddb.put_item(TableName="sdis", Item={"pk": {"S": "b"}})  # no stream: no record
    code, _ = error_of(ddb.update_table, TableName="sdis",
                       StreamSpecification={"StreamEnabled": False})
    assert code == "ValidationException"
    import time
    time.sleep(0.01)
    ddb.update_table(TableName="sdis", StreamSpecification={"StreamEnabled": True,
                                                           "StreamViewType": "NEW_IMAGE"})
    second = ddb.describe_table(TableName="sdis")["Table"]["LatestStreamArn"]
    assert second != first
    code, _ = error_of(streams.describe_stream, StreamArn=first)
    assert code == "ResourceNotFoundException"

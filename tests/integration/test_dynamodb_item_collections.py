"""DynamoDB with boto3: ReturnItemCollectionMetrics, ConsumedCapacity of batches and
transactions, and issue 16's table and number bullets that
only unit tests checked (table class, deletion protection, DescribeLimits/DescribeEndpoints,
the number range, list_append).

AWS (PutItem, ReturnItemCollectionMetrics): "Determines whether item collection metrics are
returned. If set to SIZE, the response includes statistics about item collections, if any, that
were modified during the operation"; item collections exist only on tables with a local
secondary index. ItemCollectionMetrics is {"ItemCollectionKey": {<hash>: <value>},
"SizeEstimateRangeGB": [lower, upper]}; BatchWriteItem and TransactWriteItems answer them per
table (a condition check modifies nothing).
"""

import pytest

from test_dynamodb_boto3 import ddb, error_of, make_table  # noqa: F401 (fixtures)

EXPECTED = {"ItemCollectionKey": {"pk": {"S": "a"}}, "SizeEstimateRangeGB": [0.0, 1.0]}


@pytest.fixture
def with_lsi(ddb):
    make_table(ddb, "lsi", range_type="S",
               more_attrs=[{"AttributeName": "l", "AttributeType": "S"}],
               LocalSecondaryIndexes=[{
                   "IndexName": "by-l",
                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "l", "KeyType": "RANGE"}],
                   "Projection": {"ProjectionType": "ALL"}}])
    return "lsi"


def test_item_collection_metrics_on_a_table_with_a_local_index(ddb, with_lsi):
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    got = ddb.put_item(TableName=with_lsi, Item={**key, "l": {"S": "x"}},
                       ReturnItemCollectionMetrics="SIZE")
    assert got["ItemCollectionMetrics"] == EXPECTED
    got = ddb.update_item(TableName=with_lsi, Key=key, UpdateExpression="SET v = :v",
                          ExpressionAttributeValues={":v": {"N": "1"}},
                          ReturnItemCollectionMetrics="SIZE")
    assert got["ItemCollectionMetrics"] == EXPECTED
    got = ddb.delete_item(TableName=with_lsi, Key=key, ReturnItemCollectionMetrics="SIZE")
    assert got["ItemCollectionMetrics"] == EXPECTED
    got = ddb.batch_write_item(RequestItems={with_lsi: [
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "2"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"S": "1"}}}}]},
        ReturnItemCollectionMetrics="SIZE")
    assert got["ItemCollectionMetrics"] == {with_lsi: [
        EXPECTED, {"ItemCollectionKey": {"pk": {"S": "b"}}, "SizeEstimateRangeGB": [0.0, 1.0]}]}
    got = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": with_lsi, "Item": {"pk": {"S": "a"}, "sk": {"S": "3"}}}},
        {"ConditionCheck": {"TableName": with_lsi, "Key": {"pk": {"S": "c"}, "sk": {"S": "1"}},
                            "ConditionExpression": "attribute_not_exists(pk)"}}],
        ReturnItemCollectionMetrics="SIZE")
    assert got["ItemCollectionMetrics"] == {with_lsi: [EXPECTED]}
    # NONE (the default) asks for none.
    got = ddb.put_item(TableName=with_lsi, Item=key)
    assert "ItemCollectionMetrics" not in got


def test_no_item_collection_metrics_without_a_local_index(ddb):
    make_table(ddb, "plain")
    got = ddb.put_item(TableName="plain", Item={"pk": {"S": "a"}},
                       ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in got
    got = ddb.batch_write_item(RequestItems={"plain": [{"PutRequest": {"Item": {
        "pk": {"S": "b"}}}}]}, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in got


def test_table_class_and_deletion_protection(ddb):
    make_table(ddb, "kept", TableClass="STANDARD_INFREQUENT_ACCESS",
               DeletionProtectionEnabled=True)
    table = ddb.describe_table(TableName="kept")["Table"]
    assert table["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert table["DeletionProtectionEnabled"] is True
    code, message = error_of(ddb.delete_table, TableName="kept")
    assert code == "ValidationException"
    assert message == ("Resource cannot be deleted as it is currently protected against "
                       "deletion. Disable deletion protection first.")
    ddb.update_table(TableName="kept", DeletionProtectionEnabled=False)
    ddb.delete_table(TableName="kept")


def test_limits_endpoints_numbers_and_list_append(ddb):
    assert ddb.describe_limits()["TableMaxWriteCapacityUnits"] == 40000
    assert ddb.describe_endpoints()["Endpoints"][0]["CachePeriodInMinutes"] == 1440
    make_table(ddb, "nums")
    # AWS: 38 significant digits, magnitudes from 1E-130 to 9.99...E+125.
    for value, text in [("1E+126", "Number overflow"), ("1E-131", "Number underflow"),
                        ("1.00000000000000000000000000000000000001",
                         "Attempting to store more than 38 significant digits")]:
        code, message = error_of(ddb.put_item, TableName="nums",
                                 Item={"pk": {"S": "n"}, "x": {"N": value}})
        assert code == "ValidationException" and message.startswith(text), message
    ddb.put_item(TableName="nums", Item={"pk": {"S": "n"},
                                         "x": {"N": "9.9999999999999999999999999999999999999E+125"}})
    got = ddb.update_item(TableName="nums", Key={"pk": {"S": "n"}},
                          UpdateExpression="SET l = list_append(if_not_exists(l, :e), :v)",
                          ExpressionAttributeValues={":e": {"L": []}, ":v": {"L": [{"N": "1"}]}},
                          ReturnValues="UPDATED_NEW")
    assert got["Attributes"] == {"l": {"L": [{"N": "1"}]}}


def test_consumed_capacity_of_batches_and_transactions(ddb):
    # AWS (BatchWriteItem, TransactWriteItems): ConsumedCapacity is a list, one entry per table;
    # a transactional write costs two write units per KB. tidepool's units are estimates
    # (docs/differences.md), so only the form and the transactional doubling are checked.
    make_table(ddb, "cap1")
    make_table(ddb, "cap2")
    got = ddb.batch_write_item(RequestItems={
        "cap1": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}},
                 {"PutRequest": {"Item": {"pk": {"S": "b"}}}}],
        "cap2": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}, ReturnConsumedCapacity="TOTAL")
    assert sorted(got["ConsumedCapacity"], key=lambda c: c["TableName"]) == [
        {"TableName": "cap1", "CapacityUnits": 2.0}, {"TableName": "cap2", "CapacityUnits": 1.0}]
    got = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "cap1", "Item": {"pk": {"S": "c"}}}}],
        ReturnConsumedCapacity="INDEXES")
    assert got["ConsumedCapacity"] == [{"TableName": "cap1", "CapacityUnits": 2.0,
                                        "Table": {"CapacityUnits": 2.0}}]
    got = ddb.batch_write_item(RequestItems={"cap1": [{"DeleteRequest": {"Key": {
        "pk": {"S": "a"}}}}]})
    assert "ConsumedCapacity" not in got


def test_consumed_capacity_of_batch_and_transactional_reads(ddb):
    # AWS: a read costs one unit per started 4 KB, half of that when eventually consistent;
    # a transactional read costs twice a strongly consistent one; a missing item costs as an
    # empty one. BatchGetItem and TransactGetItems answer one entry per table.
    make_table(ddb, "rcap1")
    make_table(ddb, "rcap2")
    ddb.put_item(TableName="rcap1", Item={"pk": {"S": "a"}, "v": {"S": "x" * 5000}})
    ddb.put_item(TableName="rcap2", Item={"pk": {"S": "a"}})
    got = ddb.batch_get_item(RequestItems={
        "rcap1": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "nope"}}], "ConsistentRead": True},
        "rcap2": {"Keys": [{"pk": {"S": "a"}}]}}, ReturnConsumedCapacity="TOTAL")
    assert sorted(got["ConsumedCapacity"], key=lambda c: c["TableName"]) == [
        {"TableName": "rcap1", "CapacityUnits": 3.0}, {"TableName": "rcap2", "CapacityUnits": 0.5}]
    got = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": "rcap1", "Key": {"pk": {"S": "a"}}}},
        {"Get": {"TableName": "rcap2", "Key": {"pk": {"S": "a"}}}}],
        ReturnConsumedCapacity="INDEXES")
    assert sorted(got["ConsumedCapacity"], key=lambda c: c["TableName"]) == [
        {"TableName": "rcap1", "CapacityUnits": 4.0, "Table": {"CapacityUnits": 4.0}},
        {"TableName": "rcap2", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}}]
    got = ddb.batch_get_item(RequestItems={"rcap2": {"Keys": [{"pk": {"S": "a"}}]}})
    assert "ConsumedCapacity" not in got

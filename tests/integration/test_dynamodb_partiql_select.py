"""DynamoDB PartiQL SELECT through boto3's execute_statement: nested paths in the SELECT list and
in WHERE, functions, "table"."index", ORDER BY over several keys, and comments.

AWS (PartiQL select statements for DynamoDB): "SELECT expression [, ...] FROM table[.index]
[ WHERE condition ] [ [ORDER BY key [DESC|ASC] , ...]"; the expression is "a projection list of
one or more attribute names or document paths".
"""

import pytest

from test_dynamodb_boto3 import ddb, error_of, make_table  # noqa: F401 (fixtures)


@pytest.fixture
def table(ddb):
    make_table(ddb, "ql", range_type="N",
               more_attrs=[{"AttributeName": "g", "AttributeType": "S"}],
               GlobalSecondaryIndexes=[{
                   "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                   "Projection": {"ProjectionType": "ALL"}}])
    ddb.put_item(TableName="ql", Item={
        "pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}, "c": {"S": "top"},
        "m": {"M": {"b": {"L": [{"S": "zero"}, {"N": "1"}]}, "c": {"S": "cc"},
                    "d": {"M": {"e": {"N": "5"}}}}}})
    ddb.put_item(TableName="ql", Item={
        "pk": {"S": "a"}, "sk": {"N": "2"}, "g": {"S": "y"},
        "m": {"M": {"b": {"L": [{"S": "one"}]}}}})
    return "ql"


def select(ddb, statement, **kwargs):
    return ddb.execute_statement(Statement=statement, **kwargs)["Items"]


def test_nested_paths_are_answered_under_their_last_name(ddb, table):
    # A document path in the SELECT list comes back as one attribute named from the path's
    # last name on (m.b[0] -> "b[0]", m.d.e -> "e"), not nested in its parents; an item without
    # the path leaves it out.
    items = select(ddb, """SELECT m.b[0], "c", m.d.e FROM ql WHERE pk = 'a'""")
    assert items == [
        {"b[0]": {"S": "zero"}, "c": {"S": "top"}, "e": {"N": "5"}},
        {"b[0]": {"S": "one"}},
    ]
    # Top-level names alone answer as they always did.
    assert select(ddb, "SELECT c, sk FROM ql WHERE pk = 'a' AND sk = 1") == [
        {"c": {"S": "top"}, "sk": {"N": "1"}}]


def test_nested_projection_in_batches_and_transactions(ddb, table):
    statement = "SELECT m.d.e, m.b[1] FROM ql WHERE pk = 'a' AND sk = 1"
    batch = ddb.batch_execute_statement(Statements=[{"Statement": statement}])["Responses"]
    assert batch[0]["Item"] == {"e": {"N": "5"}, "b[1]": {"N": "1"}}
    transaction = ddb.execute_transaction(TransactStatements=[{"Statement": statement}])
    assert transaction["Responses"][0]["Item"] == {"e": {"N": "5"}, "b[1]": {"N": "1"}}


@pytest.mark.parametrize("where,sks", [
    ("m.b[0] = 'zero'", ["1"]),
    ("begins_with(m.c, 'c')", ["1"]),
    ("contains(m.b, 'one')", ["2"]),
    ("attribute_type(m.d, 'M')", ["1"]),
    ("size(m.b) = 2", ["1"]),
    ("m.c IS MISSING", ["2"]),
    ("m.c IS NOT MISSING", ["1"]),
    # AWS (the MISSING function): "Only equality and inequality operators can be used with
    # this function": = MISSING is IS MISSING, <> MISSING is IS NOT MISSING.
    ("m.c = MISSING", ["2"]),
    ("c = missing", ["2"]),
    ("MISSING <> m.c", ["1"]),
    ("c != MISSING AND sk > 0", ["1"]),
    ('"c" = MISSING', ["2"]),
    ("m.d.e BETWEEN 4 AND 6", ["1"]),
    ("m.b[0] IN ['one', 'none']", ["2"]),
    ("NOT (m.b[0] = 'zero') AND sk > 0", ["2"]),
])
def test_where_on_nested_paths_and_functions(ddb, table, where, sks):
    items = select(ddb, "SELECT sk FROM ql WHERE " + where)
    assert sorted(i["sk"]["N"] for i in items) == sks


def test_select_from_an_index(ddb, table):
    assert select(ddb, """SELECT sk FROM "ql"."by-g" WHERE g = 'y'""") == [{"sk": {"N": "2"}}]
    assert len(select(ddb, 'SELECT * FROM "ql"."by-g"')) == 2
    code, message = error_of(ddb.execute_statement, Statement='SELECT * FROM "ql"."nope"')
    assert code == "ValidationException"
    assert message == "The table does not have the specified index: nope"


def test_order_by_several_keys(ddb, table):
    items = select(ddb, "SELECT sk FROM ql WHERE pk = 'a' ORDER BY pk, sk DESC")
    assert [i["sk"]["N"] for i in items] == ["2", "1"]
    items = select(ddb, "SELECT sk FROM ql WHERE pk = 'a' ORDER BY pk DESC, sk ASC")
    assert [i["sk"]["N"] for i in items] == ["1", "2"]
    code, message = error_of(ddb.execute_statement,
                             Statement="SELECT * FROM ql WHERE pk = 'a' ORDER BY sk, c")
    assert code == "ValidationException"
    assert message == ("Variable reference [c] in ORDER BY clause must be part of the primary "
                       "key")


def test_comments_are_white_space(ddb, table):
    items = select(ddb, "-- first\nSELECT sk FROM ql /* the table */ WHERE pk = 'a' -- end")
    assert len(items) == 2
    items = select(ddb, "SELECT sk FROM ql -- a note\nWHERE pk = 'a' AND sk = 2")
    assert items == [{"sk": {"N": "2"}}]


@pytest.mark.parametrize("statement", [
    "SELECT * FROM (SELECT * FROM ql)",
    "SELECT * FROM ql WHERE pk IN (SELECT pk FROM ql)",
    "SELECT * FROM ql WHERE pk = 'a' # a note",
    "SELECT * FROM ql t WHERE pk = 'a'",
    # MISSING is tested with IS [NOT] MISSING, = or <> only, and against a document path.
    "SELECT * FROM ql WHERE c < MISSING",
    "SELECT * FROM ql WHERE c IN [MISSING]",
    "SELECT * FROM ql WHERE MISSING IS MISSING",
    "SELECT * FROM ql WHERE 'x' = MISSING",
    "UPDATE ql SET c = MISSING WHERE pk = 'a' AND sk = 1",
])
def test_forms_dynamodb_refuses(ddb, table, statement):
    # Subqueries, '#' comments and table aliases are not DynamoDB PartiQL.
    code, message = error_of(ddb.execute_statement, Statement=statement)
    assert code == "ValidationException"
    assert message.startswith("Statement wasn't well formed, can't be processed: ")

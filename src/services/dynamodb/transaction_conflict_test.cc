// Transaction conflicts as AWS reports them: a TransactWriteItems is held "ongoing" by not
// running its commit completion (DynamoHarness), and every kind of request on its items is
// checked while it is.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/dynamodb_test_harness.h"

namespace tidepool::dynamodb {
namespace {

using testing::DynamoHarness;
namespace json = boost::json;

std::string Item(std::string_view pk, std::string_view extra = "") {
  std::string out = R"({"pk":{"S":")" + std::string(pk) + R"("}})";
  if (!extra.empty()) out.insert(out.size() - 1, "," + std::string(extra));
  return out;
}
std::string Put(std::string_view table, std::string_view pk, std::string_view extra = "") {
  return R"({"TableName":")" + std::string(table) + R"(","Item":)" + Item(pk, extra) + "}";
}
std::string KeyOp(std::string_view table, std::string_view pk, std::string_view extra = "") {
  std::string out = R"({"TableName":")" + std::string(table) + R"(","Key":)" + Item(pk) + "}";
  if (!extra.empty()) out.insert(out.size() - 1, "," + std::string(extra));
  return out;
}
// TransactWriteItems / TransactGetItems bodies from their TransactItems entries.
std::string Transact(std::initializer_list<std::string> items, std::string_view extra = "") {
  std::string out = R"({"TransactItems":[)";
  for (const auto& i : items) out += (out.back() == '[' ? "" : ",") + i;
  out += "]";
  if (!extra.empty()) out += "," + std::string(extra);
  return out + "}";
}
std::string TPut(std::string_view table, std::string_view pk, std::string_view extra = "") {
  return R"({"Put":)" + Put(table, pk, extra) + "}";
}
std::string TOp(std::string_view op, std::string_view table, std::string_view pk,
                std::string_view extra = "") {
  return "{\"" + std::string(op) + "\":" + KeyOp(table, pk, extra) + "}";
}

const std::string kExists = R"j("ConditionExpression":"attribute_exists(pk)")j";
const std::string kNotExists = R"j("ConditionExpression":"attribute_not_exists(pk)")j";

// Checks that `e` is a TransactionCanceledException whose CancellationReasons are
// `reasons` (JSON), listed in its message by code.
void ExpectCanceled(const protocol::AwsError& e, std::string_view reasons) {
  EXPECT_EQ(e.code, "TransactionCanceledException");
  const json::value expected = json::parse(reasons);
  std::string list;
  for (const auto& r : expected.as_array()) {
    list += (list.empty() ? "" : ", ") + std::string(r.at("Code").as_string());
  }
  EXPECT_EQ(e.message,
            "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
                list + "]");
  EXPECT_EQ(json::parse("{" + e.extra_json + "}").at("CancellationReasons"), expected);
}
constexpr std::string_view kConflict =
    R"({"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"})";

class TransactionConflictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.CreateTable("t");
    h_.Ok("PutItem", Put("t", "b", R"("n":{"N":"1"})"));
  }
  // Starts a transaction over a (put), b (condition check) and c (delete of a missing item)
  // and leaves it ongoing.
  std::shared_ptr<testing::Started> HoldTransaction(std::string_view extra = "") {
    auto held = h_.Start("TransactWriteItems", Transact({TPut("t", "a", R"("v":{"S":"txn"})"),
                                                         TOp("ConditionCheck", "t", "b", kExists),
                                                         TOp("Delete", "t", "c")},
                                                        extra));
    EXPECT_FALSE(held->done());
    return held;
  }
  DynamoHarness h_;
};

TEST_F(TransactionConflictTest, SingleItemWritesOfItsItemsConflict) {
  auto held = HoldTransaction();
  for (auto [op, body] : {std::pair{"PutItem", Put("t", "a")},
                          {"UpdateItem", KeyOp("t", "b",
                                               R"("UpdateExpression":"SET n = :x",)"
                                               R"("ExpressionAttributeValues":)"
                                               R"({":x":{"N":"2"}})")},
                          {"DeleteItem", KeyOp("t", "c")}}) {
    auto started = h_.Start(op, body);
    ASSERT_TRUE(started->done()) << op << " waited for the transaction";
    auto e = DynamoHarness::Err(started->outcome(), op);
    EXPECT_EQ(e.code, "TransactionConflictException") << op;
    EXPECT_EQ(e.message, "Transaction is ongoing for the item") << op;
  }
  // Other items, and reads of its items, do not collide.
  auto other = h_.Start("PutItem", Put("t", "d"));
  auto read = h_.Start("GetItem", KeyOp("t", "b"));
  ASSERT_TRUE(read->done());
  DynamoHarness::Ok(read->outcome());
  auto scan = h_.Start("Scan", R"({"TableName":"t"})");
  DynamoHarness::Ok(scan->outcome());
  h_.Complete();
  DynamoHarness::Ok(held->outcome());
  DynamoHarness::Ok(other->outcome());
  // Once it completed, its items are free again.
  h_.Ok("PutItem", Put("t", "a", R"("v":{"S":"after"})"));
  h_.Ok("UpdateItem", KeyOp("t", "b",
                            R"("UpdateExpression":"SET n = :x",)"
                            R"("ExpressionAttributeValues":{":x":{"N":"2"}})"));
  h_.Ok("DeleteItem", KeyOp("t", "c"));
  auto got = h_.Ok("GetItem", KeyOp("t", "a"));
  EXPECT_EQ(got.at("Item").at("v"), json::parse(R"({"S":"after"})"));
}

TEST_F(TransactionConflictTest, AnotherTransactionOnItsItemsIsCanceled) {
  auto held = HoldTransaction();
  auto e = DynamoHarness::Err(
      h_.Start("TransactWriteItems",
               Transact({TPut("t", "z"),
                         TOp("Update", "t", "a",
                             R"("UpdateExpression":"SET v = :x",)"
                             R"("ExpressionAttributeValues":{":x":{"S":"second"}})"),
                         TOp("ConditionCheck", "t", "y", kExists),
                         TOp("ConditionCheck", "t", "c", kNotExists)}))
          ->outcome());
  ExpectCanceled(e, R"([{"Code":"None"},)" + std::string(kConflict) +
                        R"(,{"Code":"ConditionalCheckFailed",)"
                        R"("Message":"The conditional request failed"},)" +
                        std::string(kConflict) + "]");
  EXPECT_FALSE(held->done());
  // Nothing of the canceled transaction was written.
  EXPECT_FALSE(DynamoHarness::Ok(h_.Start("GetItem", KeyOp("t", "z"))->outcome()).contains("Item"));
  h_.Complete();
  DynamoHarness::Ok(held->outcome());
  EXPECT_EQ(h_.Ok("GetItem", KeyOp("t", "a")).at("Item").at("v"), json::parse(R"({"S":"txn"})"));
  // Retried after the first completed, it commits.
  h_.Ok("TransactWriteItems",
        Transact({TPut("t", "z"), TOp("Update", "t", "a",
                                      R"("UpdateExpression":"SET v = :x",)"
                                      R"("ExpressionAttributeValues":{":x":{"S":"second"}})")}));
  EXPECT_EQ(h_.Ok("GetItem", KeyOp("t", "a")).at("Item").at("v"), json::parse(R"({"S":"second"})"));
}

TEST_F(TransactionConflictTest, TransactGetItemsOfAnItemBeingWrittenIsCanceled) {
  auto held = HoldTransaction();
  // Its condition-checked item counts as part of it.
  auto e = DynamoHarness::Err(
      h_.Start("TransactGetItems", Transact({TOp("Get", "t", "d"), TOp("Get", "t", "b")}))
          ->outcome());
  ExpectCanceled(e, R"([{"Code":"None"},)" + std::string(kConflict) + "]");
  h_.Complete();
  DynamoHarness::Ok(held->outcome());

  // A single-item write and a batch write in flight conflict too.
  h_.Start("PutItem", Put("t", "p"));
  h_.Start("BatchWriteItem",
           R"({"RequestItems":{"t":[{"PutRequest":{"Item":{"pk":{"S":"q"}}}}]}})");
  e = DynamoHarness::Err(
      h_.Start("TransactGetItems", Transact({TOp("Get", "t", "p"), TOp("Get", "t", "q")}))
          ->outcome());
  ExpectCanceled(e, "[" + std::string(kConflict) + "," + std::string(kConflict) + "]");
  h_.Complete();
  auto got = h_.Ok("TransactGetItems",
                   Transact({TOp("Get", "t", "p"), TOp("Get", "t", "q"), TOp("Get", "t", "a")}));
  ASSERT_EQ(got.at("Responses").as_array().size(), 3u);
  EXPECT_EQ(got.at("Responses").as_array()[2].at("Item").at("v"), json::parse(R"({"S":"txn"})"));
}

TEST_F(TransactionConflictTest, BatchWriteLeavesItsItemsUnprocessed) {
  auto held = HoldTransaction();
  auto batch = h_.Start("BatchWriteItem", R"({"RequestItems":{"t":[
      {"PutRequest":{"Item":{"pk":{"S":"a"},"v":{"S":"batch"}}}},
      {"PutRequest":{"Item":{"pk":{"S":"f"}}}},
      {"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]}})");
  h_.Complete();
  DynamoHarness::Ok(held->outcome());
  auto out = DynamoHarness::Ok(batch->outcome());
  EXPECT_EQ(out.at("UnprocessedItems"), json::parse(R"({"t":[
      {"PutRequest":{"Item":{"pk":{"S":"a"},"v":{"S":"batch"}}}},
      {"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]})"));
  EXPECT_TRUE(h_.Ok("GetItem", KeyOp("t", "f")).contains("Item"));
  EXPECT_EQ(h_.Ok("GetItem", KeyOp("t", "a")).at("Item").at("v"), json::parse(R"({"S":"txn"})"));
  EXPECT_TRUE(h_.Ok("GetItem", KeyOp("t", "b")).contains("Item"));
}

TEST_F(TransactionConflictTest, PartiqlWritesReportTheConflict) {
  auto held = HoldTransaction();
  auto e = DynamoHarness::Err(
      h_.Start("ExecuteStatement", R"({"Statement":"UPDATE t SET n = 5 WHERE pk = 'b'"})")
          ->outcome());
  EXPECT_EQ(e.code, "TransactionConflictException");
  auto out =
      DynamoHarness::Ok(h_.Start("BatchExecuteStatement",
                                 R"({"Statements":[{"Statement":"DELETE FROM t WHERE pk = 'a'"}]})")
                            ->outcome());
  EXPECT_EQ(out.at("Responses").as_array()[0].at("Error").at("Code"), "TransactionConflict");
  h_.Complete();
  DynamoHarness::Ok(held->outcome());
}

TEST_F(TransactionConflictTest, ARepeatedTokenWaitsForItsTransaction) {
  constexpr std::string_view kToken = R"("ClientRequestToken":"tok-1")";
  auto held = HoldTransaction(kToken);
  auto e = DynamoHarness::Err(
      h_.Start("TransactWriteItems",
               Transact({TPut("t", "a", R"("v":{"S":"txn"})"),
                         TOp("ConditionCheck", "t", "b", kExists), TOp("Delete", "t", "c")},
                        kToken))
          ->outcome());
  EXPECT_EQ(e.code, "TransactionInProgressException");
  EXPECT_EQ(e.message, "The transaction with the given request token is already in progress.");
  e = DynamoHarness::Err(
      h_.Start("TransactWriteItems", Transact({TPut("t", "other")}, kToken))->outcome());
  EXPECT_EQ(e.code, "IdempotentParameterMismatchException");
  h_.Complete();
  DynamoHarness::Ok(held->outcome());
  // Completed: the repeat succeeds without writing again.
  h_.Ok("PutItem", Put("t", "a", R"("v":{"S":"later"})"));
  h_.Ok("TransactWriteItems",
        Transact({TPut("t", "a", R"("v":{"S":"txn"})"), TOp("ConditionCheck", "t", "b", kExists),
                  TOp("Delete", "t", "c")},
                 kToken));
  EXPECT_EQ(h_.Ok("GetItem", KeyOp("t", "a")).at("Item").at("v"), json::parse(R"({"S":"later"})"));
}

TEST_F(TransactionConflictTest, ACanceledTransactionLeavesItsTokenFree) {
  constexpr std::string_view kToken = R"("ClientRequestToken":"tok-2")";
  auto e = h_.Err("TransactWriteItems",
                  Transact({TOp("ConditionCheck", "t", "nobody", kExists)}, kToken));
  EXPECT_EQ(e.code, "TransactionCanceledException");
  h_.Ok("TransactWriteItems", Transact({TPut("t", "g")}, kToken));
  EXPECT_TRUE(h_.Ok("GetItem", KeyOp("t", "g")).contains("Item"));
}

TEST_F(TransactionConflictTest, ATokenIsRememberedForTenMinutes) {
  constexpr std::string_view kToken = R"("ClientRequestToken":"tok-3")";
  h_.Ok("TransactWriteItems", Transact({TPut("t", "h")}, kToken));
  h_.clock().AdvanceSeconds(599);
  EXPECT_EQ(h_.Err("TransactWriteItems", Transact({TPut("t", "i")}, kToken)).code,
            "IdempotentParameterMismatchException");
  h_.clock().AdvanceSeconds(2);
  h_.Ok("TransactWriteItems", Transact({TPut("t", "i")}, kToken));
  EXPECT_TRUE(h_.Ok("GetItem", KeyOp("t", "i")).contains("Item"));
}

// A transaction refused after its conditions passed (an update that cannot apply) must leave
// nothing behind: no item another write would then read.
TEST_F(TransactionConflictTest, ARefusedTransactionLeavesNoPendingItem) {
  h_.Ok("PutItem", Put("t", "s", R"("text":{"S":"x"})"));
  auto e = h_.Err(
      "TransactWriteItems",
      Transact({TPut("t", "phantom"), TOp("Update", "t", "s",
                                          R"("UpdateExpression":"ADD text :one",)"
                                          R"("ExpressionAttributeValues":{":one":{"N":"1"}})")}));
  EXPECT_EQ(e.code, "ValidationException");
  h_.Ok(
      "PutItem",
      R"j({"TableName":"t","Item":{"pk":{"S":"phantom"}},"ConditionExpression":"attribute_not_exists(pk)"})j");
  auto described = h_.Ok("DescribeTable", R"({"TableName":"t"})");
  EXPECT_EQ(described.at("Table").at("ItemCount"), 3);  // b, s, phantom
}

TEST_F(TransactionConflictTest, TheTtlSweepSkipsItemsOfAnOngoingTransaction) {
  h_.Ok("UpdateTimeToLive",
        R"({"TableName":"t","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}})");
  const std::string past = std::to_string(h_.clock().NowMicros() / 1000000 - 10);
  h_.Ok("PutItem", Put("t", "old", R"("exp":{"N":")" + past + R"("})"));
  auto held =
      h_.Start("TransactWriteItems", Transact({TOp("ConditionCheck", "t", "old", kExists)}));
  EXPECT_EQ(h_.service().DeleteExpiredItems(), 0u);
  h_.Complete();
  DynamoHarness::Ok(held->outcome());
  EXPECT_EQ(h_.service().DeleteExpiredItems(), 1u);
}

}  // namespace
}  // namespace tidepool::dynamodb

#include "engine/mapping_events.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace tidepool::engine {
namespace {
namespace json = boost::json;

TEST(BatchItemFailuresTest, ReadsTheResponseAsAwsDoes) {
  EXPECT_EQ(BatchItemFailures(""), std::vector<std::string>{});
  EXPECT_EQ(BatchItemFailures("null"), std::vector<std::string>{});
  EXPECT_EQ(BatchItemFailures(R"({"batchItemFailures":[]})"), std::vector<std::string>{});
  EXPECT_EQ(BatchItemFailures(R"({"batchItemFailures":null})"), std::vector<std::string>{});
  EXPECT_EQ(BatchItemFailures(R"({"batchItemFailures":[{"itemIdentifier":"7"}]})"),
            std::vector<std::string>{"7"});
  // An identifier that is missing, null or empty fails the whole batch.
  EXPECT_FALSE(BatchItemFailures(R"({"batchItemFailures":[{}]})").has_value());
  EXPECT_FALSE(BatchItemFailures(R"({"batchItemFailures":[{"itemIdentifier":null}]})"));
  EXPECT_FALSE(BatchItemFailures(R"({"batchItemFailures":[{"itemIdentifier":""}]})"));
  EXPECT_FALSE(BatchItemFailures(R"({"batchItemFailures":"x"})"));
}

TEST(MappingEventsTest, KinesisFilterDocumentDecodesJsonData) {
  EventContext ctx{"arn:aws:kinesis:us-east-1:1:stream/s", "us-east-1", "role"};
  json::object wire{{"SequenceNumber", "5"},
                    {"PartitionKey", "pk"},
                    {"Data", "eyJhIjoxfQ=="},  // {"a":1}
                    {"ApproximateArrivalTimestamp", 1.5}};
  json::object event = KinesisEventRecord(wire, "shardId-000000000001", ctx);
  EXPECT_EQ(event.at("eventID"), "shardId-000000000001:5");
  EXPECT_EQ(event.at("kinesis").at("data"), "eyJhIjoxfQ==");
  json::value doc = FilterDocument(event, lambda::MappingSource::kKinesis);
  EXPECT_EQ(doc.at("data").at("a"), 1);
  EXPECT_EQ(doc.at("partitionKey"), "pk");
  wire["Data"] = "bm90IGpzb24=";  // "not json"
  doc = FilterDocument(KinesisEventRecord(wire, "s", ctx), lambda::MappingSource::kKinesis);
  EXPECT_FALSE(doc.as_object().contains("data"));
}

TEST(MappingEventsTest, FailureRecordNamesTheBatch) {
  FailedBatch b;
  b.condition = "RetryAttemptsExhausted";
  b.request_id = "r";
  b.function_arn = "arn:fn";
  b.approximate_invoke_count = 3;
  b.function_error = "Unhandled";
  b.shard_id = "shardId-000000000000";
  b.start_sequence_number = "1";
  b.end_sequence_number = "9";
  b.first_arrival = 1.0;
  b.last_arrival = 2.5;
  b.batch_size = 9;
  b.stream_arn = "arn:stream";
  json::value v = json::parse(FailureRecord(b, lambda::MappingSource::kKinesis, 3000));
  EXPECT_EQ(v.at("requestContext").at("approximateInvokeCount"), 3);
  EXPECT_EQ(v.at("responseContext").at("functionError"), "Unhandled");
  EXPECT_EQ(v.at("timestamp"), "1970-01-01T00:00:03.000Z");
  EXPECT_EQ(v.at("KinesisBatchInfo").at("approximateArrivalOfLastRecord"),
            "1970-01-01T00:00:02.500Z");
  EXPECT_EQ(v.at("KinesisBatchInfo").at("batchSize"), 9);
  json::value d = json::parse(FailureRecord(b, lambda::MappingSource::kDynamoDbStream, 0));
  EXPECT_TRUE(d.as_object().contains("DDBStreamBatchInfo"));
}

TEST(TumblingWindowTest, WindowsAlignToTheEpoch) {
  EXPECT_EQ(WindowStart(1607497475.5, 120000), 1607497440000);  // 07:04:00 for 07:04:35.5
  EXPECT_EQ(WindowStart(1607497440.0, 120000), 1607497440000);
  EXPECT_EQ(WindowStart(1607497439.999, 120000), 1607497320000);
  EXPECT_EQ(WindowStart(12.0, 0), 0);
}

TEST(TumblingWindowTest, PayloadAndState) {
  WindowInvoke w{1607497440000, 1607497560000, R"({"n":3})", "shardId-1", "arn:s", true, false};
  json::value v = json::parse(WindowPayload(json::array(), w));
  EXPECT_EQ(v.at("window").at("start"), "2020-12-09T07:04:00Z");
  EXPECT_EQ(v.at("window").at("end"), "2020-12-09T07:06:00Z");
  EXPECT_EQ(v.at("state").at("n"), 3);
  EXPECT_EQ(v.at("isFinalInvokeForWindow"), true);
  EXPECT_EQ(v.at("isWindowTerminatedEarly"), false);
  EXPECT_TRUE(v.at("Records").as_array().empty());
  EXPECT_EQ(WindowState(R"({"state":{"a":1},"batchItemFailures":[]})"), R"({"a":1})");
  EXPECT_EQ(WindowState(R"({"batchItemFailures":[]})"), std::nullopt);
  EXPECT_EQ(WindowState(R"({"state":"x"})"), std::nullopt);
  EXPECT_EQ(WindowState("not json"), std::nullopt);
}

TEST(TumblingWindowTest, LaneWindowRecordsRoundTrip) {
  StoredLaneWindow w{4, 1607497440000, "49590338271490256608559692538361571095921575989136588898",
                     R"({"a b":1})"};
  auto back = ParseLaneWindow(FormatLaneWindow(w));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->lanes, 4u);
  EXPECT_EQ(back->start_ms, 1607497440000);
  EXPECT_EQ(back->through, w.through);
  EXPECT_EQ(back->state, R"({"a b":1})");
  // A lane with no open window and nothing finished yet.
  auto closed = ParseLaneWindow(FormatLaneWindow({2, -1, "", ""}));
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->start_ms, -1);
  EXPECT_TRUE(closed->through.empty() && closed->state.empty());
  for (const char* bad :
       {"", "2 5", "0 5 - {}", "11 5 - {}", "x 5 - {}", "2 y - {}", "2 -2 - {}", "2 5  {}"}) {
    EXPECT_EQ(ParseLaneWindow(bad), std::nullopt) << bad;
  }
}

TEST(TumblingWindowTest, SequenceOrder) {
  EXPECT_TRUE(SequenceAtMost("000000000000000000009", "000000000000000000010"));
  EXPECT_TRUE(SequenceAtMost("10", "10"));
  EXPECT_FALSE(SequenceAtMost("11", "10"));
  EXPECT_TRUE(SequenceAtMost("99", "100"));
  EXPECT_FALSE(SequenceAtMost("100", "099"));
}

}  // namespace
}  // namespace tidepool::engine

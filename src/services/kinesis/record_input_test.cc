// The fast readers of PutRecord(s) bodies: what they accept, that they agree with the model
// codec on it, and that everything else reaches clients through the codec unchanged.
#include "services/kinesis/record_input.h"

#include <gtest/gtest.h>

#include <string>

#include "services/kinesis/kinesis_test_harness.h"

namespace tidepool::kinesis::testing {
namespace {

// Whether the scan accepts `body`; if it does, checks it read what the codec decodes.
bool ScanAgreesWithCodec(const std::string& body, bool batch) {
  RecordsInput scanned;
  if (!ScanRecordsInput(body, batch, &scanned)) return false;
  const auto* op =
      protocol::model::KinesisModel().FindOperation(batch ? "PutRecords" : "PutRecord");
  auto decoded = protocol::json_codec::DecodeRequest(protocol::model::KinesisModel(), *op, body);
  const auto* input = std::get_if<json::object>(&decoded);
  EXPECT_NE(input, nullptr) << "the scan accepted what the codec refuses: " << body;
  if (input == nullptr) return true;
  EXPECT_EQ(input->at("StreamName").as_string(), *scanned.stream_name) << body;
  const json::array* list = nullptr;
  if (batch) list = &input->at("Records").as_array();
  EXPECT_EQ(list ? list->size() : 1u, scanned.records.size()) << body;
  for (size_t i = 0; i < scanned.records.size(); ++i) {
    const json::object& o = list ? (*list)[i].as_object() : *input;
    const RecordInput& r = scanned.records[i];
    EXPECT_EQ(o.at("Data").as_string(), r.data) << body;
    EXPECT_EQ(o.at("PartitionKey").as_string(), r.partition_key) << body;
    EXPECT_EQ(o.contains("ExplicitHashKey"), r.explicit_hash_key.has_value()) << body;
    if (r.explicit_hash_key) EXPECT_EQ(o.at("ExplicitHashKey").as_string(), *r.explicit_hash_key);
  }
  return true;
}

TEST(RecordInputTest, ReadsPlainBodies) {
  RecordsInput in;
  ASSERT_TRUE(ScanRecordsInput(
      R"( { "Records" : [ {"Data":"aGVsbG8=","PartitionKey":"k1"},
            {"PartitionKey":"k2","ExplicitHashKey":"42","Data":""} ], "StreamName":"s.1-_" } )",
      /*batch=*/true, &in));
  EXPECT_EQ(*in.stream_name, "s.1-_");
  ASSERT_EQ(in.records.size(), 2u);
  EXPECT_EQ(in.records[0].data, "hello");
  EXPECT_EQ(in.records[0].partition_key, "k1");
  EXPECT_FALSE(in.records[0].explicit_hash_key);
  EXPECT_EQ(in.records[1].data, "");
  EXPECT_EQ(*in.records[1].explicit_hash_key, "42");

  ASSERT_TRUE(ScanRecordsInput(R"({"Data":"AAEC","PartitionKey":"p","StreamName":"s"})",
                               /*batch=*/false, &in));
  ASSERT_EQ(in.records.size(), 1u);
  EXPECT_EQ(in.records[0].data, std::string("\0\1\2", 3));
  EXPECT_EQ(in.records[0].partition_key, "p");
}

TEST(RecordInputTest, AcceptsExactlyWhatTheCodecDecodesTheSameWay) {
  const std::string ok_batch =
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"}]})";
  const std::string ok_single = R"({"StreamName":"s","Data":"aGk=","PartitionKey":"k"})";
  EXPECT_TRUE(ScanAgreesWithCodec(ok_batch, true));
  EXPECT_TRUE(ScanAgreesWithCodec(ok_single, false));
  EXPECT_TRUE(ScanAgreesWithCodec(
      R"({"StreamName":"s","Data":"","PartitionKey":"k","ExplicitHashKey":"0"})", false));
  std::string many = R"({"StreamName":"s","Records":[)";
  for (int i = 0; i < 500; ++i)
    many += std::string(i ? "," : "") + R"({"Data":"","PartitionKey":"k"})";
  EXPECT_TRUE(ScanAgreesWithCodec(many + "]}", true));
  EXPECT_FALSE(ScanAgreesWithCodec(many + R"(,{"Data":"","PartitionKey":"k"}]})", true));

  // Everything unusual is left to the codec (which accepts some of these, refuses others).
  const char* refused_batch[] = {
      R"({"StreamName":"s","Records":[]})",
      R"({"Records":[{"Data":"aGk=","PartitionKey":"k"}]})",
      R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s","Records":[{"Data":"aGk=","PartitionKey":"k"}]})",
      R"({"StreamName":"s","StreamId":"abcdefghij0123456789-abc","Records":[{"Data":"aGk=","PartitionKey":"k"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"}],"Extra":1})",
      R"({"StreamName":"s","StreamName":"t","Records":[{"Data":"aGk=","PartitionKey":"k"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","Data":"aGk=","PartitionKey":"k"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk","PartitionKey":"k"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aG\u0073=","PartitionKey":"k"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":""}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k\u00e9"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k","ExplicitHashKey":"01"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k","ExplicitHashKey":"1234567890123456789012345678901234567890"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk="}]})",
      R"({"StreamName":"s","Records":[{"Data":null,"PartitionKey":"k"}]})",
      R"({"StreamName":"s!","Records":[{"Data":"aGk=","PartitionKey":"k"}]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"}]} x)",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"},]})",
      R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"})",
  };
  for (const char* body : refused_batch) EXPECT_FALSE(ScanAgreesWithCodec(body, true)) << body;
  EXPECT_FALSE(ScanAgreesWithCodec(
      R"({"StreamName":"s","Data":"aGk=","PartitionKey":"k","SequenceNumberForOrdering":"1"})",
      false));
  EXPECT_FALSE(ScanAgreesWithCodec(ok_batch, false));
  EXPECT_FALSE(ScanAgreesWithCodec(ok_single, true));
  EXPECT_FALSE(ScanAgreesWithCodec(
      R"({"StreamName":")" + std::string(129, 'a') + R"(","Data":"","PartitionKey":"k"})", false));
  EXPECT_FALSE(ScanAgreesWithCodec(
      R"({"StreamName":"s","Data":"","PartitionKey":")" + std::string(257, 'k') + R"("})", false));
  EXPECT_TRUE(ScanAgreesWithCodec(
      R"({"StreamName":"s","Data":"","PartitionKey":")" + std::string(256, 'k') + R"("})", false));
}

TEST(RecordInputTest, BodiesTheScanLeavesGetTheCodecsAnswer) {
  KinesisHarness h;
  h.CreateStream("s", 1);
  // Accepted by the codec, not by the scan: escapes and an ARN.
  auto put = h.Ok("PutRecord", R"({"StreamName":"s","Data":"aGk=","PartitionKey":"k\u00e9"})");
  EXPECT_EQ(put["ShardId"].as_string(), "shardId-000000000000");
  auto batch = h.Ok(
      "PutRecords",
      R"({"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/s","Records":[{"Data":"aGk=","PartitionKey":"\u006b"}]})");
  EXPECT_EQ(batch["FailedRecordCount"].as_int64(), 0);
  // Refused by the codec, with its own texts.
  auto bad64 =
      h.Err("PutRecords", R"({"StreamName":"s","Records":[{"Data":"aGk","PartitionKey":"k"}]})");
  EXPECT_EQ(bad64.code, "SerializationException");
  EXPECT_EQ(bad64.message,
            "'aGk' can not be converted to a Blob: Base64 encoded length is expected a multiple "
            "of 4 bytes but found: 3");
  auto empty = h.Err("PutRecords", R"({"StreamName":"s","Records":[]})");
  EXPECT_EQ(empty.code, "ValidationException");
  EXPECT_EQ(empty.message,
            "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
  auto no_key = h.Err("PutRecord", R"({"StreamName":"s","Data":"aGk="})");
  EXPECT_EQ(no_key.code, "ValidationException");
  EXPECT_EQ(no_key.message,
            "1 validation error detected: Value null at 'partitionKey' failed to satisfy "
            "constraint: Member must not be null");
  auto not_json = h.Err("PutRecord", R"({"StreamName":"s",)");
  EXPECT_EQ(not_json.code, "SerializationException");
}

}  // namespace
}  // namespace tidepool::kinesis::testing

#include "protocol/codec/cbor.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "protocol/codec/cbor_codec.h"
#include "protocol/model/models.h"

namespace tidepool::protocol {
namespace {
namespace json = boost::json;

std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

json::value ReadOk(std::string_view hex) {
  std::string error;
  auto v = cbor::Read(Hex(hex), &error);
  EXPECT_TRUE(v.has_value()) << hex << ": " << error;
  return v.value_or(json::value());
}

void ExpectMalformed(std::string_view hex) {
  std::string error;
  EXPECT_FALSE(cbor::Read(Hex(hex), &error).has_value()) << hex;
  EXPECT_FALSE(error.empty()) << hex;
}

// Examples from RFC 8949 appendix A.
TEST(CborReadTest, RfcExamples) {
  EXPECT_EQ(ReadOk("00"), json::value(0));
  EXPECT_EQ(ReadOk("17"), json::value(23));
  EXPECT_EQ(ReadOk("1818"), json::value(24));
  EXPECT_EQ(ReadOk("1903e8"), json::value(1000));
  EXPECT_EQ(ReadOk("1b000000e8d4a51000"), json::value(1000000000000));
  EXPECT_EQ(ReadOk("1bffffffffffffffff"), json::value(18446744073709551615ULL));
  EXPECT_EQ(ReadOk("20"), json::value(-1));
  EXPECT_EQ(ReadOk("3903e7"), json::value(-1000));
  EXPECT_EQ(ReadOk("f93c00"), json::value(1.0));
  EXPECT_EQ(ReadOk("f9c400"), json::value(-4.0));
  EXPECT_EQ(ReadOk("fa47c35000"), json::value(100000.0));
  EXPECT_EQ(ReadOk("fb3ff199999999999a"), json::value(1.1));
  EXPECT_EQ(ReadOk("f4"), json::value(false));
  EXPECT_EQ(ReadOk("f5"), json::value(true));
  EXPECT_TRUE(ReadOk("f6").is_null());
  EXPECT_EQ(ReadOk("c11a514b67b0"), json::value(1363896240));  // tag 1: epoch time
  EXPECT_EQ(ReadOk("4401020304"), json::value("AQIDBA=="));    // bytes: base64
  EXPECT_EQ(ReadOk("6449455446"), json::value("IETF"));
  EXPECT_EQ(ReadOk("83010203"), json::parse("[1,2,3]"));
  EXPECT_EQ(ReadOk("a26161016162820203"), json::parse(R"({"a":1,"b":[2,3]})"));
  // Indefinite lengths.
  EXPECT_EQ(ReadOk("5f42010243030405ff"), json::value("AQIDBAU="));
  EXPECT_EQ(ReadOk("7f657374726561646d696e67ff"), json::value("streaming"));
  EXPECT_EQ(ReadOk("9f018202039f0405ffff"), json::parse("[1,[2,3],[4,5]]"));
  EXPECT_EQ(ReadOk("bf61610161629f0203ffff"), json::parse(R"({"a":1,"b":[2,3]})"));
}

TEST(CborReadTest, MalformedInput) {
  ExpectMalformed("");
  ExpectMalformed("18");                  // argument missing
  ExpectMalformed("6261");                // likewise
  ExpectMalformed("0000");                // trailing bytes
  ExpectMalformed("a1016161");            // integer map key
  ExpectMalformed("1c");                  // reserved additional information
  ExpectMalformed("ff");                  // break outside an indefinite item
  ExpectMalformed("62c328");              // invalid UTF-8
  ExpectMalformed("3bffffffffffffffff");  // below INT64_MIN
  ExpectMalformed("5f6161ff");            // text chunk in a byte string
  std::string deep;
  for (int i = 0; i < cbor::kMaxDepth + 2; ++i) deep += "81";  // arrays of one element
  ExpectMalformed(deep + "00");
}

TEST(CborWriterTest, WritesShortestHeads) {
  std::string out;
  cbor::Writer w(out);
  w.Map(1);
  w.Text("a");
  w.Array(2);
  w.Int(1000);
  w.Int(-1000);
  EXPECT_EQ(out, Hex("a161618219"
                     "03e8"
                     "3903e7"));
  out.clear();
  w.Bytes(std::string(300, 'x'));
  EXPECT_EQ(out.substr(0, 3), Hex("59012c"));
  out.clear();
  w.Tag(1);
  w.Double(1.5);
  EXPECT_EQ(out, Hex("c1fb3ff8000000000000"));
  std::string error;
  EXPECT_EQ(*cbor::Read(out, &error), json::value(1.5));
}

TEST(CborCodecTest, RequestsDecodeLikeJsonWithMillisecondTimestamps) {
  const auto& model = model::KinesisModel();
  std::string body;
  cbor::Writer w(body);
  w.Map(4);
  w.Text("StreamName");
  w.Text("s");
  w.Text("ShardId");
  w.Text("shardId-000000000000");
  w.Text("ShardIteratorType");
  w.Text("AT_TIMESTAMP");
  w.Text("Timestamp");
  w.Tag(1);
  w.Int(1500123);
  auto decoded = cbor_codec::DecodeRequest(model, *model.FindOperation("GetShardIterator"), body);
  ASSERT_TRUE(std::holds_alternative<json::object>(decoded));
  const auto& input = std::get<json::object>(decoded);
  EXPECT_EQ(input.at("StreamName"), "s");
  EXPECT_DOUBLE_EQ(input.at("Timestamp").as_double(), 1500.123);

  std::string put;
  cbor::Writer p(put);
  p.Map(3);
  p.Text("StreamName");
  p.Text("s");
  p.Text("PartitionKey");
  p.Text("k");
  p.Text("Data");
  p.Bytes(std::string("\0\xff", 2));
  auto record = cbor_codec::DecodeRequest(model, *model.FindOperation("PutRecord"), put);
  ASSERT_TRUE(std::holds_alternative<json::object>(record));
  EXPECT_EQ(std::get<json::object>(record).at("Data").as_string(), std::string_view("\0\xff", 2));
}

TEST(CborCodecTest, BadBodiesAreSerializationAndValidationErrors) {
  const auto& model = model::KinesisModel();
  const auto& op = *model.FindOperation("PutRecord");
  for (std::string body : {std::string(), Hex("80"), Hex("ff"), Hex("a1")}) {
    auto decoded = cbor_codec::DecodeRequest(model, op, body);
    ASSERT_TRUE(std::holds_alternative<AwsError>(decoded));
    EXPECT_EQ(std::get<AwsError>(decoded).code, "SerializationException");
  }
  auto missing = cbor_codec::DecodeRequest(model, op, Hex("a0"));
  ASSERT_TRUE(std::holds_alternative<AwsError>(missing));
  EXPECT_EQ(std::get<AwsError>(missing).code, "ValidationException");
}

TEST(CborCodecTest, OutputsUseByteStringsAndTaggedMilliseconds) {
  const auto& model = model::KinesisModel();
  const auto& op = *model.FindOperation("GetRecords");
  std::string json_body =
      R"({"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1500.123,)"
      R"("Data":"AP8=","PartitionKey":"k"}],"NextShardIterator":"it","MillisBehindLatest":0})";
  auto encoded = cbor_codec::EncodeJsonOutput(model, op, json_body);
  ASSERT_TRUE(std::holds_alternative<std::string>(encoded));
  const std::string& body = std::get<std::string>(encoded);
  EXPECT_NE(body.find(Hex("42"
                          "00ff")),
            std::string::npos);                                  // Data: 2-byte byte string
  EXPECT_NE(body.find(Hex("c11a0016e3db")), std::string::npos);  // tag 1, 1500123 ms
  std::string error;
  auto back = cbor::Read(body, &error);
  ASSERT_TRUE(back.has_value()) << error;
  EXPECT_EQ(back->at("NextShardIterator"), "it");
  EXPECT_EQ(back->at("Records").at(0).at("Data"), "AP8=");

  auto err = cbor::Read(cbor_codec::EncodeError({"ResourceNotFoundException", "gone"}), &error);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(*err, json::parse(R"({"__type":"ResourceNotFoundException","message":"gone"})"));
  EXPECT_EQ(cbor_codec::EncodeOutput(model, *model.FindOperation("DeleteStream"), {}), "");
}

}  // namespace
}  // namespace tidepool::protocol

#include "protocol/codec/event_stream.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>

namespace tidepool::protocol::event_stream {
namespace {

uint32_t U32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(s[at + 3])};
}

uint32_t Crc(const std::string& s, size_t n) {
  return static_cast<uint32_t>(crc32_z(0, reinterpret_cast<const Bytef*>(s.data()), n));
}

TEST(EventStreamTest, MessageFramingAndChecksums) {
  std::string m = EncodeEvent("PayloadChunk", "application/octet-stream", "hello");
  ASSERT_GE(m.size(), 16u);
  EXPECT_EQ(U32(m, 0), m.size());
  const uint32_t headers = U32(m, 4);
  EXPECT_EQ(U32(m, 8), Crc(m, 8));
  EXPECT_EQ(U32(m, m.size() - 4), Crc(m, m.size() - 4));
  EXPECT_EQ(m.substr(12 + headers, 5), "hello");
  // The first header: ":event-type" as a string (type 7) of 12 bytes.
  EXPECT_EQ(static_cast<uint8_t>(m[12]), 11);
  EXPECT_EQ(m.substr(13, 11), ":event-type");
  EXPECT_EQ(m[24], 7);
  EXPECT_EQ((static_cast<uint8_t>(m[25]) << 8) | static_cast<uint8_t>(m[26]), 12);
  EXPECT_EQ(m.substr(27, 12), "PayloadChunk");
}

TEST(EventStreamTest, EmptyPayloadAndNoHeaders) {
  std::string m = EncodeMessage({}, "");
  EXPECT_EQ(m.size(), 16u);
  EXPECT_EQ(U32(m, 4), 0u);
  EXPECT_EQ(U32(m, 12), Crc(m, 12));
}

TEST(EventStreamTest, DecodesWhatItEncodes) {
  const std::string m = EncodeEvent("SubscribeToShardEvent", "application/json", "{}");
  const std::string two = m + EncodeMessage({{"a", "b"}}, "x");
  size_t consumed = 0;
  std::string error;
  auto first = DecodeMessage(two, &consumed, &error);
  ASSERT_TRUE(first) << error;
  EXPECT_EQ(consumed, m.size());
  EXPECT_EQ(first->Header(":event-type"), "SubscribeToShardEvent");
  EXPECT_EQ(first->Header(":message-type"), "event");
  EXPECT_EQ(first->Header(":missing"), "");
  EXPECT_EQ(first->payload, "{}");
  auto second = DecodeMessage(std::string_view(two).substr(consumed), &consumed, &error);
  ASSERT_TRUE(second) << error;
  EXPECT_EQ(second->Header("a"), "b");
  EXPECT_EQ(second->payload, "x");
}

TEST(EventStreamTest, PartialAndMalformedMessages) {
  const std::string m = EncodeEvent("e", "application/json", "{}");
  size_t consumed = 7;
  std::string error;
  // A part of a message: wait for more.
  EXPECT_FALSE(DecodeMessage(std::string_view(m).substr(0, m.size() - 1), &consumed, &error));
  EXPECT_EQ(consumed, 0u);
  EXPECT_TRUE(error.empty());
  std::string bad_crc = m;
  bad_crc.back() ^= 1;
  EXPECT_FALSE(DecodeMessage(bad_crc, &consumed, &error));
  EXPECT_EQ(error, "bad message CRC");
  std::string bad_prelude = m;
  bad_prelude[3] ^= 1;
  error.clear();
  EXPECT_FALSE(DecodeMessage(bad_prelude, &consumed, &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace tidepool::protocol::event_stream

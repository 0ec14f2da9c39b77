// Receipt handles: round trip, the version-1 form (no receive time) still decodes, and
// anything else is refused.
#include "services/sqs/receipt_handle.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base64.h"
#include "storage/key_codec.h"

namespace tidepool::sqs {
namespace {

TEST(ReceiptHandleTest, RoundTripsEveryField) {
  const std::string text = EncodeReceiptHandle(7, 1234567890123, 42, 1'700'000'000'123'456,
                                               "0b1e7a5c-2f4d-4c1e-9a3b-5d6e7f8a9b0c");
  auto h = DecodeReceiptHandle(text);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->queue_uid, 7u);
  EXPECT_EQ(h->seq, 1234567890123u);
  EXPECT_EQ(h->receipt_gen, 42u);
  EXPECT_EQ(h->received_micros, 1'700'000'000'123'456);
  EXPECT_EQ(h->message_id, "0b1e7a5c-2f4d-4c1e-9a3b-5d6e7f8a9b0c");
}

// Handles given out before the receive time was added stay valid across an upgrade.
TEST(ReceiptHandleTest, VersionOneHandlesDecodeWithAnUnknownReceiveTime) {
  std::string raw(1, '\1');
  storage::AppendU64BE(&raw, 7);
  storage::AppendU64BE(&raw, 99);
  raw.append({'\0', '\0', '\0', '\3'});
  raw.append("id-1");
  std::string text;
  AppendBase64(raw, text);
  auto h = DecodeReceiptHandle(text);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->seq, 99u);
  EXPECT_EQ(h->receipt_gen, 3u);
  EXPECT_EQ(h->received_micros, 0);
  EXPECT_EQ(h->message_id, "id-1");
}

TEST(ReceiptHandleTest, RefusesWhatEncodeDidNotProduce) {
  EXPECT_FALSE(DecodeReceiptHandle("").has_value());
  EXPECT_FALSE(DecodeReceiptHandle("not base64!").has_value());
  std::string raw(1, '\3');  // unknown version
  raw.append(40, 'x');
  std::string text;
  AppendBase64(raw, text);
  EXPECT_FALSE(DecodeReceiptHandle(text).has_value());
  // A version-2 handle cut short inside its receive time.
  std::string cut;
  AppendBase64(std::string(1, '\2') + std::string(24, '\0'), cut);
  EXPECT_FALSE(DecodeReceiptHandle(cut).has_value());
  EXPECT_FALSE(DecodeReceiptHandle(std::string(2000, 'A')).has_value());  // too long
}

}  // namespace
}  // namespace tidepool::sqs

// Fuzzes the decoders of SNS's stored records: outbox entries (services/sns/delivery.h) and
// topic metadata with its subscriptions (services/sns/topic_codec.h). They read what tidepool
// wrote, but a damaged data dir must give Corruption, never a crash. The first byte picks the
// decoder; the rest is the record. Whatever decodes must re-encode to a record that decodes
// to the same encoding, and a decoded delivery must format its body and headers.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/sns/delivery.h"
#include "services/sns/topic_codec.h"

namespace {

void CheckDelivery(std::string_view record) {
  auto d = tidepool::sns::DecodeDelivery(record);
  if (!d.ok()) return;
  (void)tidepool::sns::DeliveryBody(*d);
  (void)tidepool::sns::DeliveryHttpHeaders(*d);
  const std::string once = tidepool::sns::EncodeDelivery(*d);
  auto back = tidepool::sns::DecodeDelivery(once);
  if (!back.ok() || tidepool::sns::EncodeDelivery(*back) != once) std::abort();
}

void CheckTopic(std::string_view record) {
  auto topic = tidepool::sns::DecodeTopicMeta(record);
  if (!topic.ok()) return;
  const std::string once = tidepool::sns::EncodeTopicMeta(**topic);
  auto back = tidepool::sns::DecodeTopicMeta(once);
  if (!back.ok() || tidepool::sns::EncodeTopicMeta(**back) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view record(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    CheckDelivery(record);
  } else {
    CheckTopic(record);
  }
  return 0;
}

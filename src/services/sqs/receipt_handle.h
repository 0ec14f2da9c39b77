// Receipt handles: base64 of
//   version:u8(=1) queue_uid:u64be seq:u64be receipt_gen:u32be message_id
// A handle names one receive of one message: a later receive bumps the message's
// receipt_gen, which makes earlier handles stale. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::sqs {

struct ReceiptHandle {
  uint64_t queue_uid = 0;
  uint64_t seq = 0;
  uint32_t receipt_gen = 0;
  std::string message_id;
};

std::string EncodeReceiptHandle(uint64_t queue_uid, uint64_t seq, uint32_t receipt_gen,
                                std::string_view message_id);
// nullopt for anything EncodeReceiptHandle did not produce.
std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text);

}  // namespace tidepool::sqs

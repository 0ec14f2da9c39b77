// Receipt handles: base64 of
//   version:u8(=2) queue_uid:u64be seq:u64be receipt_gen:u32be received_micros:u64be
//   message_id
// (version 1, written before the receive time was added, has no received_micros). A handle
// names one receive of one message: a later receive bumps the message's receipt_gen, which
// makes earlier handles stale. The receive time bounds the message's total visibility timeout
// (12 hours from the receive). Pure; thread-safe.
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
  int64_t received_micros = 0;  // wall clock; 0 in a version-1 handle (unknown)
  std::string message_id;
};

std::string EncodeReceiptHandle(uint64_t queue_uid, uint64_t seq, uint32_t receipt_gen,
                                int64_t received_micros, std::string_view message_id);
// nullopt for anything EncodeReceiptHandle did not produce.
std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text);

}  // namespace tidepool::sqs

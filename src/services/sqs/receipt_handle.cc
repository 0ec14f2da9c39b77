#include "services/sqs/receipt_handle.h"

#include "core/encoding.h"
#include "storage/key_codec.h"

namespace tidepool::sqs {

std::string EncodeReceiptHandle(uint64_t queue_uid, uint64_t seq, uint32_t receipt_gen,
                                std::string_view message_id) {
  std::string raw;
  raw.reserve(21 + message_id.size());
  raw.push_back(1);
  storage::AppendU64BE(&raw, queue_uid);
  storage::AppendU64BE(&raw, seq);
  const char gen[4] = {static_cast<char>(receipt_gen >> 24), static_cast<char>(receipt_gen >> 16),
                       static_cast<char>(receipt_gen >> 8), static_cast<char>(receipt_gen)};
  raw.append(gen, 4);
  raw.append(message_id);
  return Base64Encode(raw);
}

std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text) {
  if (text.size() > 1024) return std::nullopt;
  auto raw = Base64Decode(text);
  if (!raw || raw->size() < 22 || (*raw)[0] != 1) return std::nullopt;
  std::string_view in(*raw);
  in.remove_prefix(1);
  ReceiptHandle h;
  if (!storage::ReadU64BE(&in, &h.queue_uid) || !storage::ReadU64BE(&in, &h.seq)) {
    return std::nullopt;
  }
  h.receipt_gen = 0;
  for (int i = 0; i < 4; ++i) h.receipt_gen = (h.receipt_gen << 8) | static_cast<uint8_t>(in[i]);
  in.remove_prefix(4);
  h.message_id = std::string(in);
  return h;
}

}  // namespace tidepool::sqs

#include "services/sqs/receipt_handle.h"

#include "core/encoding.h"
#include "storage/key_codec.h"

namespace tidepool::sqs {

std::string EncodeReceiptHandle(uint64_t queue_uid, uint64_t seq, uint32_t receipt_gen,
                                int64_t received_micros, std::string_view message_id) {
  std::string raw;
  raw.reserve(29 + message_id.size());
  raw.push_back(2);
  storage::AppendU64BE(&raw, queue_uid);
  storage::AppendU64BE(&raw, seq);
  const char gen[4] = {static_cast<char>(receipt_gen >> 24), static_cast<char>(receipt_gen >> 16),
                       static_cast<char>(receipt_gen >> 8), static_cast<char>(receipt_gen)};
  raw.append(gen, 4);
  storage::AppendU64BE(&raw, static_cast<uint64_t>(received_micros));
  raw.append(message_id);
  return Base64Encode(raw);
}

std::optional<ReceiptHandle> DecodeReceiptHandle(std::string_view text) {
  if (text.size() > 1024) return std::nullopt;
  auto raw = Base64Decode(text);
  if (!raw || raw->empty()) return std::nullopt;
  const int version = (*raw)[0];
  if ((version != 1 || raw->size() < 22) && (version != 2 || raw->size() < 30)) {
    return std::nullopt;
  }
  std::string_view in(*raw);
  in.remove_prefix(1);
  ReceiptHandle h;
  if (!storage::ReadU64BE(&in, &h.queue_uid) || !storage::ReadU64BE(&in, &h.seq)) {
    return std::nullopt;
  }
  h.receipt_gen = 0;
  for (int i = 0; i < 4; ++i) h.receipt_gen = (h.receipt_gen << 8) | static_cast<uint8_t>(in[i]);
  in.remove_prefix(4);
  if (version == 2) {
    uint64_t received = 0;
    if (!storage::ReadU64BE(&in, &received)) return std::nullopt;
    h.received_micros = static_cast<int64_t>(received);
  }
  h.message_id = std::string(in);
  return h;
}

}  // namespace tidepool::sqs

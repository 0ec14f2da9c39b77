// Fuzzes SQS receipt-handle decoding (services/sqs/receipt_handle.h), which takes any text a
// client sends. The input is tried twice: as handle text, and base64-encoded, so that the
// binary layout behind the base64 is explored too. Whatever decodes must survive a round trip
// through EncodeReceiptHandle, and a version-2 handle must re-encode to the very same text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/base64.h"
#include "services/sqs/receipt_handle.h"

namespace {

using tidepool::sqs::DecodeReceiptHandle;
using tidepool::sqs::EncodeReceiptHandle;

void Check(std::string_view text) {
  auto h = DecodeReceiptHandle(text);
  if (!h) return;
  const std::string again =
      EncodeReceiptHandle(h->queue_uid, h->seq, h->receipt_gen, h->received_micros, h->message_id);
  // A version-1 handle near the length limit may not fit once re-encoded with a receive
  // time; the service only ever encodes short message ids.
  if (again.size() > 1024) return;
  auto back = DecodeReceiptHandle(again);
  if (!back || back->queue_uid != h->queue_uid || back->seq != h->seq ||
      back->receipt_gen != h->receipt_gen || back->received_micros != h->received_micros ||
      back->message_id != h->message_id) {
    std::abort();
  }
  std::string raw;
  if (!tidepool::AppendBase64Decoded(text, raw)) std::abort();  // it decoded above
  if (raw[0] == 2 && again != text) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Check(bytes);
  std::string text;
  tidepool::AppendBase64(bytes, text);
  Check(text);
  return 0;
}

// Fuzzes the decoders of SQS's stored records (message and receive-state records, queue
// metadata, move tasks, FIFO deduplication and receive-attempt records), which recovery reads
// back from the store. A damaged data dir must make them report a malformed record, never
// crash. The first byte picks the decoder; the rest is the record. Whatever decodes must
// re-encode to a record that decodes to the same encoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/sqs/keyspace.h"
#include "services/sqs/message.h"
#include "services/sqs/move_task.h"
#include "services/sqs/queue.h"
#include "services/sqs/queue_codec.h"

namespace {

namespace sqs = tidepool::sqs;

// `reencode(value, &out)` decodes a record and encodes what it got, or returns false. When
// `record` decodes, its encoding must decode and encode to itself.
template <typename Reencode>
void RoundTrip(std::string_view record, Reencode reencode) {
  std::string once;
  if (!reencode(record, &once)) return;
  std::string twice;
  if (!reencode(once, &twice) || twice != once) std::abort();
}

void CheckMessage(std::string_view record) {
  RoundTrip(record, [](std::string_view value, std::string* encoded) {
    sqs::Message m;
    sqs::MessagePayload payload;
    if (!sqs::DecodeMessageRecord(value, &m, &payload)) return false;
    *encoded = sqs::EncodeMessageRecord(m, payload);
    return true;
  });
}

void CheckState(std::string_view record) {
  RoundTrip(record, [](std::string_view value, std::string* encoded) {
    sqs::Message m;
    if (!sqs::DecodeStateRecord(value, &m)) return false;
    *encoded = sqs::EncodeStateRecord(m);
    return true;
  });
}

void CheckQueue(std::string_view record) {
  RoundTrip(record, [](std::string_view value, std::string* encoded) {
    auto q = sqs::DecodeQueueMeta(value);
    if (!q) return false;
    *encoded = sqs::EncodeQueueMeta(*q);
    return true;
  });
}

void CheckMoveTask(std::string_view record) {
  RoundTrip(record, [](std::string_view value, std::string* encoded) {
    auto t = sqs::DecodeMoveTask(value);
    if (!t) return false;
    *encoded = sqs::EncodeMoveTask(*t);
    return true;
  });
}

void CheckDedup(std::string_view record) {
  RoundTrip(record, [](std::string_view value, std::string* encoded) {
    int64_t expires = 0;
    uint64_t seq = 0;
    std::string id;
    if (!sqs::keyspace::DecodeDedupRecord(value, &expires, &seq, &id)) return false;
    *encoded = sqs::keyspace::EncodeDedupRecord(expires, seq, id);
    return true;
  });
}

void CheckAttempt(std::string_view record) {
  RoundTrip(record, [](std::string_view value, std::string* encoded) {
    sqs::keyspace::AttemptRecord a;
    if (!sqs::keyspace::DecodeAttemptRecord(value, &a)) return false;
    *encoded = sqs::keyspace::EncodeAttemptRecord(a);
    return true;
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view record(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      CheckMessage(record);
      break;
    case 1:
      CheckState(record);
      break;
    case 2:
      CheckQueue(record);
      break;
    case 3:
      CheckMoveTask(record);
      break;
    case 4:
      CheckDedup(record);
      break;
    default:
      CheckAttempt(record);
      break;
  }
  return 0;
}

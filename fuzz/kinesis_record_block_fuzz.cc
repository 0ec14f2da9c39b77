// Fuzzes the reader of stored Kinesis record entries (keyspace::RecordCursor): arbitrary
// bytes at a record key must walk or be refused without reading outside the value; the
// records walked have consecutive counters ending at most at the key's; and writing them
// again as a block (AppendToRecordBlock / FinishRecordBlock) must read back the same.
// Input: 8 bytes of the key's counter (big-endian), 8 of a SkipBefore counter, the value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "services/kinesis/keyspace.h"

namespace {

using tidepool::kinesis::keyspace::RecordCursor;
using tidepool::kinesis::keyspace::RecordView;

struct Walked {
  uint64_t counter;
  RecordView record;
};

uint64_t ReadU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

std::vector<Walked> Walk(std::string_view key, std::string_view value, uint64_t skip,
                         bool* opened) {
  std::vector<Walked> out;
  auto cursor = RecordCursor::Open(key, value);
  *opened = cursor.has_value();
  if (!cursor) return out;
  cursor->SkipBefore(skip);
  uint64_t counter;
  RecordView record;
  while (cursor->Next(&counter, &record)) {
    if (!Inside(record.data, value) || !Inside(record.partition_key, value)) std::abort();
    if (counter > cursor->last_counter() || counter < skip) std::abort();
    if (!out.empty() && counter != out.back().counter + 1) std::abort();
    out.push_back({counter, record});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tidepool::kinesis;
  if (size < 16) return 0;
  const uint64_t last = ReadU64(data);
  const uint64_t skip = ReadU64(data + 8);
  const std::string key = keyspace::RecordKey(1, 0, last);
  const std::string_view value(reinterpret_cast<const char*>(data + 16), size - 16);
  bool opened = false;
  const std::vector<Walked> walked = Walk(key, value, skip, &opened);
  if (walked.empty() || walked.back().counter != last) return 0;
  for (const Walked& w : walked) {
    if (w.record.arrival_micros < 0) return 0;  // outside AppendToRecordBlock's contract
  }
  // A walk that reached the key's counter holds every record from its first: write those
  // again and they must read back the same.
  std::string block;
  for (const Walked& w : walked) {
    keyspace::AppendToRecordBlock(&block, w.record.arrival_micros, w.record.encrypted,
                                  w.record.partition_key, w.record.data);
  }
  const std::string again = keyspace::FinishRecordBlock(std::move(block));
  const std::vector<Walked> reread = Walk(key, again, 0, &opened);
  if (reread.size() != walked.size()) std::abort();
  for (size_t i = 0; i < walked.size(); ++i) {
    const RecordView& a = walked[i].record;
    const RecordView& b = reread[i].record;
    if (reread[i].counter != walked[i].counter || a.arrival_micros != b.arrival_micros ||
        a.encrypted != b.encrypted || a.partition_key != b.partition_key || a.data != b.data) {
      std::abort();
    }
  }
  return 0;
}

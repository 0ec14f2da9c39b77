// Sequence numbers: decimal strings on the wire, strictly increasing within a shard and
// numerically comparable. Each encodes the stream and shard it came from, so one used
// against another shard or stream is rejected as AWS does, and a checksum rejects made-up
// numbers.
//
// Layout of the 128-bit value, most significant first:
//   version:4 (= 2) | stream_tag:32 | shard_index:20 | counter:64 | check:8
// so every valid number has exactly 38 decimal digits and, within one shard, numeric order
// is counter order. stream_tag is the low 32 bits of the stream's uid; counter 0 is the
// shard's StartingSequenceNumber and records take counters from 1; check is a hash of the
// other 120 bits. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::kinesis {

constexpr uint32_t kMaxShardIndex = (1u << 20) - 1;

struct SequenceNumber {
  uint32_t stream_tag = 0;
  uint32_t shard_index = 0;
  uint64_t counter = 0;

  std::string ToString() const;
  void AppendTo(std::string& out) const;  // appends ToString()
  // Writes ToString() at `p` (room for kMaxHashKeyChars); returns the end.
  char* WriteTo(char* p) const;
  // The 128-bit value ToString() prints.
  unsigned __int128 Value() const;
  // nullopt when not a number this layout produced (wrong version, too large, bad check).
  static std::optional<SequenceNumber> Parse(std::string_view text);
};

// Writes sequence numbers like SequenceNumber::WriteTo, faster for runs of one shard's
// consecutive counters (a GetRecords page, one shard's part of a PutRecords reply): such a
// number is a few hundred above the previous one, so the writer adds the difference to the
// previous digits instead of dividing 128 bits again. Not thread-safe.
class SequenceNumberWriter {
 public:
  // Writes at `p`, which must have room for kMaxHashKeyChars (all of it may be written);
  // returns the end of the number.
  char* Write(const SequenceNumber& sequence_number, char* p);

 private:
  unsigned __int128 last_ = 0;
  char digits_[40] = {};
  uint8_t size_ = 0;  // 0: nothing written yet
};

inline uint32_t StreamTag(uint64_t stream_uid) { return static_cast<uint32_t>(stream_uid); }

}  // namespace tidepool::kinesis

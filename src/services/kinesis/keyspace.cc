#include "services/kinesis/keyspace.h"

#include "storage/key_codec.h"

namespace tidepool::kinesis::keyspace {
namespace {

constexpr std::string_view kRoot{"kinesis\0", 8};

std::string WithKind(char kind) {
  std::string key(kRoot);
  key.push_back(kind);
  return key;
}

}  // namespace

std::string NextUidKey() { return WithKind('n'); }

std::string StreamPrefix() { return WithKind('s'); }

std::string StreamKey(uint64_t stream_uid) {
  std::string key = WithKind('s');
  storage::AppendU64BE(&key, stream_uid);
  return key;
}

std::optional<uint64_t> ParseStreamKey(std::string_view key) {
  const std::string prefix = StreamPrefix();
  if (!key.starts_with(prefix)) return std::nullopt;
  key.remove_prefix(prefix.size());
  uint64_t uid = 0;
  if (!storage::ReadU64BE(&key, &uid) || !key.empty()) return std::nullopt;
  return uid;
}

std::string AccountSettingsPrefix() { return WithKind('a'); }

std::string AccountSettingsKey(std::string_view account, std::string_view region) {
  std::string key = WithKind('a');
  storage::AppendOrderedString(&key, account);
  storage::AppendOrderedString(&key, region);
  return key;
}

std::string RecordKey(uint64_t stream_uid, uint32_t shard_index, uint64_t counter) {
  std::string key;
  key.reserve(kRoot.size() + 1 + 24);
  key = WithKind('r');
  storage::AppendU64BE(&key, stream_uid);
  storage::AppendU64BE(&key, shard_index);
  storage::AppendU64BE(&key, counter);
  return key;
}

size_t FamilyLength(std::string_view key) {
  if (key.size() != kRoot.size() + 1 + 24 || !key.starts_with(kRoot) || key[kRoot.size()] != 'r') {
    return 0;
  }
  return kRoot.size() + 1 + 16;
}

std::string StreamRecordsBegin(uint64_t stream_uid) {
  std::string key = WithKind('r');
  storage::AppendU64BE(&key, stream_uid);
  return key;
}

std::string StreamRecordsEnd(uint64_t stream_uid) {
  return storage::PrefixEnd(StreamRecordsBegin(stream_uid));
}

std::optional<uint64_t> ParseRecordCounter(std::string_view key) {
  if (key.size() != kRoot.size() + 1 + 24) return std::nullopt;
  key.remove_prefix(key.size() - 8);
  uint64_t counter = 0;
  if (!storage::ReadU64BE(&key, &counter)) return std::nullopt;
  return counter;
}

void AppendRecordValue(std::string* out, int64_t arrival_micros, bool encrypted,
                       std::string_view partition_key, std::string_view data) {
  out->reserve(out->size() + 11 + partition_key.size() + data.size());
  storage::AppendU64BE(out, static_cast<uint64_t>(arrival_micros));
  out->push_back(encrypted ? 1 : 0);
  out->push_back(static_cast<char>(partition_key.size() >> 8));
  out->push_back(static_cast<char>(partition_key.size()));
  out->append(partition_key);
  out->append(data);
}

std::optional<RecordView> ParseRecordValue(std::string_view value) {
  RecordView view;
  uint64_t arrival = 0;
  if (!storage::ReadU64BE(&value, &arrival) || value.size() < 3) return std::nullopt;
  view.arrival_micros = static_cast<int64_t>(arrival);
  view.encrypted = (value[0] & 1) != 0;
  const size_t pk_len =
      (static_cast<size_t>(static_cast<uint8_t>(value[1])) << 8) | static_cast<uint8_t>(value[2]);
  value.remove_prefix(3);
  if (value.size() < pk_len) return std::nullopt;
  view.partition_key = value.substr(0, pk_len);
  view.data = value.substr(pk_len);
  return view;
}

namespace {

constexpr char kBlockTag = '\xFF';
constexpr size_t kBlockHeader = 5;  // tag, count:u32be

// The count in a block's header (the caller checked it is there).
uint32_t BlockCount(std::string_view block) {
  block.remove_prefix(1);
  uint32_t count = 0;
  storage::ReadU32BE(&block, &count);
  return count;
}

}  // namespace

void AppendToRecordBlock(std::string* block, int64_t arrival_micros, bool encrypted,
                         std::string_view partition_key, std::string_view data) {
  if (block->empty()) block->append({kBlockTag, 0, 0, 0, 0});
  std::string count;
  storage::AppendU32BE(&count, BlockCount(*block) + 1);
  block->replace(1, 4, count);
  storage::AppendU32BE(block, static_cast<uint32_t>(11 + partition_key.size() + data.size()));
  AppendRecordValue(block, arrival_micros, encrypted, partition_key, data);
}

std::string FinishRecordBlock(std::string block) {
  if (block.size() > kBlockHeader && BlockCount(block) == 1) {
    return block.substr(kBlockHeader + 4);
  }
  return block;
}

std::optional<RecordCursor> RecordCursor::Open(std::string_view key, std::string_view value) {
  const auto last = ParseRecordCounter(key);
  if (!last) return std::nullopt;
  if (value.empty() || value[0] != kBlockTag) return RecordCursor(*last, 1, value, false);
  if (value.size() < kBlockHeader) return std::nullopt;
  const uint32_t count = BlockCount(value);
  if (count == 0 || count - 1 > *last) return std::nullopt;
  return RecordCursor(*last, count, value.substr(kBlockHeader), true);
}

bool RecordCursor::TakeEntry(std::string_view* entry) {
  if (remaining_ == 0) return false;
  if (!block_) {
    *entry = rest_;
    rest_ = {};
  } else {
    uint32_t size = 0;
    if (!storage::ReadU32BE(&rest_, &size) || size == 0 || rest_.size() < size) {
      remaining_ = 0;
      return false;
    }
    *entry = rest_.substr(0, size);
    rest_.remove_prefix(size);
  }
  --remaining_;
  ++next_;
  return true;
}

void RecordCursor::SkipBefore(uint64_t counter) {
  std::string_view entry;
  while (next_ < counter && TakeEntry(&entry)) {
  }
}

bool RecordCursor::Next(uint64_t* counter, RecordView* record) {
  const uint64_t at = next_;
  std::string_view entry;
  if (!TakeEntry(&entry)) return false;
  auto parsed = ParseRecordValue(entry);
  if (!parsed) {
    remaining_ = 0;
    return false;
  }
  *counter = at;
  *record = *parsed;
  return true;
}

std::vector<storage::RecordKind> RecordKinds() {
  return {
      {"kinesis", "next-uid", WithKind('n')},
      {"kinesis", "stream", WithKind('s')},
      {"kinesis", "account-settings", WithKind('a')},
      {"kinesis", "records", WithKind('r')},
  };
}

}  // namespace tidepool::kinesis::keyspace

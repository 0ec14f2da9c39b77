#include "services/kinesis/record_replies.h"

#include <boost/json/serialize.hpp>

#include <cstring>

#include "core/base64.h"
#include "protocol/codec/json_text.h"
#include "services/kinesis/hash_key.h"
#include "services/kinesis/views.h"

namespace tidepool::kinesis {
namespace json_text = protocol::json_text;

namespace {

// Writes one reply entry of at most `max_chars` through a raw pointer, then appends it to
// `out`: small entries are assembled on the stack and appended with one copy (std::string
// cannot grow without zero-filling the new room, nor be written past its size); larger ones
// are written in place after a resize. `write(p)` returns the end of what it wrote.
template <typename Write>
void AppendEntry(std::string& out, size_t max_chars, Write&& write) {
  constexpr size_t kStackChars = 1024;
  if (max_chars <= kStackChars) {
    char entry[kStackChars];
    out.append(entry, write(entry));
    return;
  }
  const size_t start = out.size();
  out.resize(start + max_chars);
  out.resize(static_cast<size_t>(write(out.data() + start) - out.data()));
}

char* Put(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

}  // namespace

protocol::EncodedJson PutRecordReply(std::string_view shard_id, std::string_view sequence_number,
                                     bool encrypted) {
  protocol::EncodedJson out;
  out.body.reserve(128);
  out.body += '{';
  json_text::AppendStringMember("ShardId", shard_id, out.body);
  out.body += ',';
  json_text::AppendStringMember("SequenceNumber", sequence_number, out.body);
  out.body += encrypted ? R"(,"EncryptionType":"KMS"})" : R"(,"EncryptionType":"NONE"})";
  return out;
}

PutRecordsReply::PutRecordsReply(size_t expected_records) {
  records_.reserve(expected_records * 96);
}

void PutRecordsReply::AddSuccess(const SequenceNumber& sequence_number, std::string_view shard_id) {
  static constexpr std::string_view kSequence = R"({"SequenceNumber":")";
  static constexpr std::string_view kShard = R"(","ShardId":)";
  const size_t max_chars = 1 + kSequence.size() + kMaxHashKeyChars + kShard.size() +
                           json_text::MaxStringChars(shard_id.size()) + 1;
  ShardWriter* writer = WriterFor(sequence_number.shard_index, shard_id);
  AppendEntry(records_, max_chars, [&](char* p) {
    if (!records_.empty()) *p++ = ',';
    p = Put(p, kSequence);
    if (writer) {
      p = writer->numbers.Write(sequence_number, p);
      p = Put(p, kShard);
      p = Put(p, writer->quoted_shard_id);
    } else {
      p = sequence_number.WriteTo(p);
      p = Put(p, kShard);
      p = json_text::WriteString(shard_id, p);
    }
    *p++ = '}';
    return p;
  });
}

PutRecordsReply::ShardWriter* PutRecordsReply::WriterFor(uint32_t shard_index,
                                                         std::string_view shard_id) {
  for (ShardWriter& writer : writers_) {
    if (writer.shard_index == shard_index) return &writer;
  }
  if (writers_.size() == kMaxWriters) return nullptr;
  ShardWriter& writer = writers_.emplace_back(ShardWriter{shard_index, {}, {}});
  json_text::AppendString(shard_id, writer.quoted_shard_id);
  return &writer;
}

void PutRecordsReply::AddFailure(std::string_view error_code, std::string_view error_message) {
  ++failed_;
  if (!records_.empty()) records_ += ',';
  records_ += '{';
  json_text::AppendStringMember("ErrorCode", error_code, records_);
  records_ += ',';
  json_text::AppendStringMember("ErrorMessage", error_message, records_);
  records_ += '}';
}

protocol::EncodedJson PutRecordsReply::Finish(bool encrypted) && {
  protocol::EncodedJson out;
  out.body.reserve(records_.size() + 80);
  out.body += '{';
  json_text::AppendKey("FailedRecordCount", out.body);
  json_text::AppendInt(failed_, out.body);
  out.body += ",\"Records\":[";
  out.body += records_;
  out.body += encrypted ? R"(],"EncryptionType":"KMS"})" : R"(],"EncryptionType":"NONE"})";
  return out;
}

GetRecordsReply::GetRecordsReply(size_t expected_records) {
  static_assert(sizeof(arrival_text_) >= json_text::kMaxEpochMillisChars);
  body_.reserve(64 + expected_records * 256);  // ~100-byte records; larger ones grow the body
  body_ = "{\"Records\":[";
}

void GetRecordsReply::AddRecord(const SequenceNumber& sequence_number, int64_t arrival_micros,
                                std::string_view data, std::string_view partition_key,
                                bool encrypted) {
  static constexpr std::string_view kSequence = R"({"SequenceNumber":")";
  static constexpr std::string_view kArrival = R"(","ApproximateArrivalTimestamp":)";
  static constexpr std::string_view kData = R"(,"Data":")";
  static constexpr std::string_view kKey = R"(","PartitionKey":)";
  static constexpr std::string_view kKms = R"(,"EncryptionType":"KMS")";
  const size_t max_chars = 1 + kSequence.size() + kMaxHashKeyChars + kArrival.size() +
                           json_text::kMaxEpochMillisChars + kData.size() +
                           Base64EncodedSize(data.size()) + kKey.size() +
                           json_text::MaxStringChars(partition_key.size()) + kKms.size() + 1;
  AppendEntry(body_, max_chars, [&](char* p) {
    if (records_++ > 0) *p++ = ',';
    p = Put(p, kSequence);
    p = sequence_writer_.Write(sequence_number, p);  // digits only: nothing to escape
    p = Put(p, kArrival);
    if (arrival_micros / 1000 != arrival_millis_) {  // = TimestampValue's number
      arrival_millis_ = arrival_micros / 1000;
      arrival_size_ = static_cast<size_t>(
          json_text::WriteEpochMillis(arrival_millis_, arrival_text_) - arrival_text_);
    }
    p = Put(p, std::string_view(arrival_text_, arrival_size_));
    p = Put(p, kData);
    p = WriteBase64(data, p);
    p = Put(p, kKey);
    p = json_text::WriteString(partition_key, p);
    if (encrypted) p = Put(p, kKms);
    *p++ = '}';
    return p;
  });
}

protocol::EncodedJson GetRecordsReply::Finish(std::string_view next_shard_iterator,
                                              int64_t millis_behind_latest) && {
  body_ += "],";
  json_text::AppendStringMember("NextShardIterator", next_shard_iterator, body_);
  return std::move(*this).Close(millis_behind_latest);
}

protocol::EncodedJson GetRecordsReply::FinishClosed(const boost::json::array& child_shards,
                                                    int64_t millis_behind_latest) && {
  body_ += "],";
  json_text::AppendKey("ChildShards", body_);
  body_ += boost::json::serialize(child_shards);
  return std::move(*this).Close(millis_behind_latest);
}

std::string GetRecordsReply::FinishEvent(std::string_view continuation_sequence_number,
                                         const boost::json::array* child_shards,
                                         int64_t millis_behind_latest) && {
  body_ += "],";
  if (child_shards != nullptr) {
    json_text::AppendKey("ChildShards", body_);
    body_ += boost::json::serialize(*child_shards);
  } else {
    json_text::AppendStringMember("ContinuationSequenceNumber", continuation_sequence_number,
                                  body_);
  }
  return std::move(std::move(*this).Close(millis_behind_latest).body);
}

protocol::EncodedJson GetRecordsReply::Close(int64_t millis_behind_latest) && {
  body_ += ',';
  json_text::AppendKey("MillisBehindLatest", body_);
  json_text::AppendInt(millis_behind_latest, body_);
  body_ += '}';
  return protocol::EncodedJson{std::move(body_)};
}

}  // namespace tidepool::kinesis

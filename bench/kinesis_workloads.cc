#include "kinesis_workloads.h"

#include <openssl/evp.h>

#include "reply_scan.h"

namespace tidepool::bench {

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

PutRecordWorkload::PutRecordWorkload(SignedRequestBuilder& builder, std::string stream,
                                     size_t record_bytes)
    : builder_(builder) {
  body_prefix_ = "{\"StreamName\":\"" + stream + "\",\"Data\":\"" +
                 Base64(std::string(record_bytes, 'r')) + "\",\"PartitionKey\":\"pk-";
}

std::optional<HttpRequest> PutRecordWorkload::Next(size_t) {
  std::string body = body_prefix_;
  body += std::to_string(counter_++ % 1000003);
  body += "\"}";
  return builder_.Build("PutRecord", std::move(body));
}

uint64_t PutRecordWorkload::OnReply(size_t, const std::string&) { return 1; }

PutRecordsWorkload::PutRecordsWorkload(SignedRequestBuilder& builder, const std::string& stream,
                                       size_t record_bytes, size_t batch, uint64_t max_requests)
    : builder_(builder), batch_(batch), max_requests_(max_requests) {
  std::string data = Base64(std::string(record_bytes, 'b'));
  body_ = "{\"StreamName\":\"" + stream + "\",\"Records\":[";
  for (size_t i = 0; i < batch; ++i) {
    if (i) body_ += ',';
    body_ += "{\"Data\":\"" + data + "\",\"PartitionKey\":\"pk-" + std::to_string(i) + "\"}";
  }
  body_ += "]}";
  body_hash_ = SignedRequestBuilder::Sha256Hex(body_);
}

std::optional<HttpRequest> PutRecordsWorkload::Next(size_t) {
  if (max_requests_ != 0 && issued_ >= max_requests_) return std::nullopt;
  ++issued_;
  return builder_.Build("PutRecords", body_, body_hash_);
}

uint64_t PutRecordsWorkload::OnReply(size_t, const std::string& body) {
  uint64_t failed = ScanUnsigned(body, "FailedRecordCount");
  return failed >= batch_ ? 0 : batch_ - failed;
}

GetRecordsDrainWorkload::GetRecordsDrainWorkload(SignedRequestBuilder& builder, std::string stream,
                                                 const std::vector<std::string>& shard_ids,
                                                 size_t connections)
    : builder_(builder), stream_(std::move(stream)), readers_(connections) {
  if (shard_ids.empty()) return;
  if (connections <= shard_ids.size()) {
    for (size_t i = 0; i < shard_ids.size(); ++i) {
      readers_[i % connections].shards.push_back(shard_ids[i]);
    }
  } else {
    for (size_t c = 0; c < connections; ++c) {
      readers_[c].shards.push_back(shard_ids[c % shard_ids.size()]);
    }
  }
}

std::optional<HttpRequest> GetRecordsDrainWorkload::Next(size_t connection) {
  Reader& reader = readers_[connection];
  if (reader.shards.empty()) return std::nullopt;
  if (reader.iterator.empty()) {
    reader.awaiting_iterator = true;
    return builder_.Build("GetShardIterator", "{\"StreamName\":\"" + stream_ + "\",\"ShardId\":\"" +
                                                  reader.shards.front() +
                                                  "\",\"ShardIteratorType\":\"TRIM_HORIZON\"}");
  }
  reader.awaiting_iterator = false;
  return builder_.Build("GetRecords",
                        "{\"ShardIterator\":\"" + reader.iterator + "\",\"Limit\":10000}");
}

uint64_t GetRecordsDrainWorkload::OnReply(size_t connection, const std::string& body) {
  Reader& reader = readers_[connection];
  if (reader.awaiting_iterator) {
    reader.iterator = std::string(ScanString(body, "ShardIterator"));
    if (reader.iterator.empty()) reader.shards.pop_front();  // unexpected: skip the shard
    return 0;
  }
  uint64_t records = CountOccurrences(body, "\"SequenceNumber\"");
  // The iterator follows the records: look for it in the reply's tail, not the whole body.
  constexpr size_t kTail = 4096;
  std::string_view tail(body);
  if (tail.size() > kTail) tail.remove_prefix(tail.size() - kTail);
  std::string_view next = ScanString(tail, "NextShardIterator");
  if (records == 0 || next.empty()) {
    reader.iterator.clear();
    reader.shards.pop_front();
  } else {
    reader.iterator = std::string(next);
  }
  return records;
}

}  // namespace tidepool::bench

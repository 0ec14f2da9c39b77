// The Kinesis workloads of tidepool-bench: PutRecord, PutRecords x500, and a GetRecords drain.
// Each is driven by RunClosedLoop from one thread (not thread-safe).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "workload.h"

namespace tidepool::bench {

// One PutRecord per request: `record_bytes` of data, a partition key that changes per request.
class PutRecordWorkload : public Workload {
 public:
  PutRecordWorkload(SignedRequestBuilder& builder, std::string stream, size_t record_bytes);
  std::optional<HttpRequest> Next(size_t connection) override;
  uint64_t OnReply(size_t connection, const std::string& body) override;

 private:
  SignedRequestBuilder& builder_;
  std::string body_prefix_;  // everything up to the partition key's digits
  uint64_t counter_ = 0;
};

// PutRecords with `batch` records per request (same body every time, keys spread over shards).
// Stops after `max_requests` requests in total (0: no limit). A reply accounts for its
// successful records (batch minus FailedRecordCount).
class PutRecordsWorkload : public Workload {
 public:
  PutRecordsWorkload(SignedRequestBuilder& builder, const std::string& stream, size_t record_bytes,
                     size_t batch, uint64_t max_requests);
  std::optional<HttpRequest> Next(size_t connection) override;
  uint64_t OnReply(size_t connection, const std::string& body) override;

 private:
  SignedRequestBuilder& builder_;
  std::string body_;
  std::string body_hash_;
  size_t batch_;
  uint64_t max_requests_;
  uint64_t issued_ = 0;
};

// Reads shards from TRIM_HORIZON to their current end with GetRecords (Limit 10000), following
// NextShardIterator. With fewer connections than shards, each connection reads its share of
// the shards one after another; with more, several connections read the same shard.
// A shard is done when a GetRecords reply holds no record. The GetShardIterator calls are part
// of the run (they account for 0 records).
class GetRecordsDrainWorkload : public Workload {
 public:
  GetRecordsDrainWorkload(SignedRequestBuilder& builder, std::string stream,
                          const std::vector<std::string>& shard_ids, size_t connections);
  std::optional<HttpRequest> Next(size_t connection) override;
  uint64_t OnReply(size_t connection, const std::string& body) override;

 private:
  struct Reader {
    std::deque<std::string> shards;  // still to read; front is the current one
    std::string iterator;            // empty: needs a GetShardIterator first
    bool awaiting_iterator = false;
  };
  SignedRequestBuilder& builder_;
  std::string stream_;
  std::vector<Reader> readers_;
};

std::string Base64(std::string_view bytes);

}  // namespace tidepool::bench

// Hand-written JSON encoders for the replies of the record operations (PutRecord, PutRecords,
// GetRecords), the hot path: they write the same documents the model-driven codec would write
// from the equivalent output objects, without building those objects (protocol::EncodedJson).
// record_replies_test.cc checks each against the codec. Not thread-safe (one per call).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>

#include "protocol/service.h"
#include "services/kinesis/sequence_number.h"

namespace tidepool::kinesis {

// {"ShardId":…,"SequenceNumber":…,"EncryptionType":"NONE"|"KMS"}
protocol::EncodedJson PutRecordReply(std::string_view shard_id, std::string_view sequence_number,
                                     bool encrypted);

// {"FailedRecordCount":n,"Records":[…],"EncryptionType":…}, one result entry at a time, in
// request order.
class PutRecordsReply {
 public:
  explicit PutRecordsReply(size_t expected_records);
  void AddSuccess(const SequenceNumber& sequence_number, std::string_view shard_id);
  void AddFailure(std::string_view error_code, std::string_view error_message);
  protocol::EncodedJson Finish(bool encrypted) &&;

 private:
  // What the entries of one shard share: its number writer and its ShardId as JSON text.
  struct ShardWriter {
    uint32_t shard_index;
    SequenceNumberWriter numbers;
    std::string quoted_shard_id;
  };
  // The shard's writer, made on first use; nullptr past the first kMaxWriters shards.
  ShardWriter* WriterFor(uint32_t shard_index, std::string_view shard_id);

  static constexpr size_t kMaxWriters = 16;
  std::string records_;  // the Records array's entries, comma-separated
  int64_t failed_ = 0;
  std::vector<ShardWriter> writers_;
};

// {"Records":[…],"NextShardIterator":…,"MillisBehindLatest":n}, or at the end of a closed
// shard {"Records":[…],"ChildShards":[…],"MillisBehindLatest":n}.
class GetRecordsReply {
 public:
  // `expected_records`: how many records the reply will likely hold (the body is sized for
  // them up front instead of growing by copies).
  explicit GetRecordsReply(size_t expected_records = 0);
  // `arrival_micros` is written as ApproximateArrivalTimestamp, epoch seconds with
  // millisecond precision; `data` as base64.
  void AddRecord(const SequenceNumber& sequence_number, int64_t arrival_micros,
                 std::string_view data, std::string_view partition_key, bool encrypted);
  size_t records() const { return records_; }
  protocol::EncodedJson Finish(std::string_view next_shard_iterator,
                               int64_t millis_behind_latest) &&;
  // `child_shards` as ChildShardsView builds it (strings only, so plain JSON serialization is
  // what the codec would write).
  protocol::EncodedJson FinishClosed(const boost::json::array& child_shards,
                                     int64_t millis_behind_latest) &&;
  // The payload of a SubscribeToShardEvent: {"Records":[…],"ContinuationSequenceNumber":…,
  // "MillisBehindLatest":n}, or at the end of a closed shard (`child_shards` given)
  // {"Records":[…],"ChildShards":[…],"MillisBehindLatest":n}.
  std::string FinishEvent(std::string_view continuation_sequence_number,
                          const boost::json::array* child_shards, int64_t millis_behind_latest) &&;

 private:
  // Appends MillisBehindLatest and closes the document.
  protocol::EncodedJson Close(int64_t millis_behind_latest) &&;

  std::string body_;
  size_t records_ = 0;
  SequenceNumberWriter sequence_writer_;
  // The last ApproximateArrivalTimestamp written (records of one batch share theirs).
  int64_t arrival_millis_ = -1;
  char arrival_text_[32];
  size_t arrival_size_ = 0;
};

}  // namespace tidepool::kinesis

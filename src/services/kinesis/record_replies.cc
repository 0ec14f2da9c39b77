#include "services/kinesis/record_replies.h"

#include <boost/json/serialize.hpp>

#include "protocol/codec/json_text.h"
#include "services/kinesis/views.h"

namespace tidepool::kinesis {
namespace json_text = protocol::json_text;

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
  if (!records_.empty()) records_ += ',';
  records_ += R"({"SequenceNumber":")";
  sequence_number.AppendTo(records_);  // digits only: nothing to escape
  records_ += R"(","ShardId":)";
  json_text::AppendString(shard_id, records_);
  records_ += '}';
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
  body_.reserve(64 + expected_records * 256);  // ~100-byte records; larger ones grow the body
  body_ = "{\"Records\":[";
}

void GetRecordsReply::AddRecord(const SequenceNumber& sequence_number, int64_t arrival_micros,
                                std::string_view data, std::string_view partition_key,
                                bool encrypted) {
  if (records_++ > 0) body_ += ',';
  body_ += R"({"SequenceNumber":")";
  sequence_number.AppendTo(body_);  // digits only: nothing to escape
  body_ += "\",";
  json_text::AppendKey("ApproximateArrivalTimestamp", body_);
  json_text::AppendEpochMillis(arrival_micros / 1000, body_);  // = TimestampValue's number
  body_ += ',';
  json_text::AppendKey("Data", body_);
  json_text::AppendBlob(data, body_);
  body_ += ',';
  json_text::AppendStringMember("PartitionKey", partition_key, body_);
  if (encrypted) body_ += R"(,"EncryptionType":"KMS")";
  body_ += '}';
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

protocol::EncodedJson GetRecordsReply::Close(int64_t millis_behind_latest) && {
  body_ += ',';
  json_text::AppendKey("MillisBehindLatest", body_);
  json_text::AppendInt(millis_behind_latest, body_);
  body_ += '}';
  return protocol::EncodedJson{std::move(body_)};
}

}  // namespace tidepool::kinesis

#include "services/kinesis/record_input.h"

#include <boost/json.hpp>

#include "core/base64.h"
#include "protocol/codec/json_scan.h"
#include "services/kinesis/input.h"

namespace tidepool::kinesis {
namespace json = boost::json;

namespace {

// The model's constraints on what the scan accepts (PutRecord(s)Input, PutRecordsRequestEntry).
constexpr size_t kMaxStreamName = 128;
constexpr size_t kMaxPartitionKey = 256;
constexpr size_t kMaxData = 10 << 20;  // decoded bytes
constexpr size_t kMaxRecords = 500;

// StreamName: length 1-128, pattern [a-zA-Z0-9_.-]+.
bool ValidStreamName(std::string_view s) {
  if (s.empty() || s.size() > kMaxStreamName) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// HashKey: pattern 0|([1-9]\d{0,38}).
bool ValidHashKey(std::string_view s) {
  if (s == "0") return true;
  if (s.empty() || s.size() > 39 || s[0] < '1' || s[0] > '9') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// The members a record has (a PutRecords entry, or PutRecord's own top level).
struct RecordMembers {
  RecordInput record;
  bool data = false;
  bool partition_key = false;
  bool explicit_hash_key = false;

  // Reads the value of member `name` if it is a record member not seen before and its value
  // is one the model accepts; Data is decoded onto the end of `bytes`.
  bool Read(std::string_view name, protocol::JsonScan& scan, std::string& bytes) {
    if (name == "Data" && !data) {
      std::string_view text;
      if (!scan.UncheckedString(&text)) return false;
      const size_t start = bytes.size();
      if (!AppendBase64Decoded(text, bytes)) return false;
      if (bytes.size() - start > kMaxData) return false;
      record.data = std::string_view(bytes).substr(start);
      data = true;
      return true;
    }
    if (name == "PartitionKey" && !partition_key) {
      std::string_view key;
      if (!scan.String(&key) || key.empty() || key.size() > kMaxPartitionKey) return false;
      record.partition_key = key;
      partition_key = true;
      return true;
    }
    if (name == "ExplicitHashKey" && !explicit_hash_key) {
      std::string_view key;
      if (!scan.String(&key) || !ValidHashKey(key)) return false;
      record.explicit_hash_key = key;
      explicit_hash_key = true;
      return true;
    }
    return false;
  }

  bool Complete() const { return data && partition_key; }
};

bool ScanRecords(protocol::JsonScan& scan, RecordsInput* out) {
  if (!scan.Consume('[')) return false;
  if (scan.Consume(']')) return false;  // the model wants at least one record
  do {
    if (out->records.size() == kMaxRecords) return false;
    RecordMembers members;
    auto member = [&](std::string_view name) { return members.Read(name, scan, out->bytes); };
    if (!scan.Object(member) || !members.Complete()) return false;
    out->records.push_back(members.record);
  } while (scan.Consume(','));
  return scan.Consume(']');
}

}  // namespace

bool ScanRecordsInput(std::string_view body, bool batch, RecordsInput* out) {
  out->stream_name.reset();
  out->stream_arn.reset();
  out->sequence_number_for_ordering.reset();
  out->records.clear();
  out->bytes.clear();
  // Decoded Data never outgrows its base64 text, so `bytes` never reallocates and the
  // records' views into it stay valid (checked below all the same).
  out->bytes.reserve(body.size());
  const char* const bytes_base = out->bytes.data();

  protocol::JsonScan scan(body);
  RecordMembers single;  // PutRecord's record members
  bool records = false;
  auto member = [&](std::string_view name) {
    if (name == "StreamName" && !out->stream_name) {
      std::string_view stream;
      if (!scan.String(&stream) || !ValidStreamName(stream)) return false;
      out->stream_name = stream;
      return true;
    }
    if (batch) {
      if (name != "Records" || records) return false;
      records = true;
      return ScanRecords(scan, out);
    }
    return single.Read(name, scan, out->bytes);
  };
  if (!scan.Object(member) || !scan.AtEnd() || !out->stream_name) return false;
  if (batch ? !records : !single.Complete()) return false;
  if (!batch) out->records.push_back(single.record);
  return out->bytes.data() == bytes_base;
}

bool ReadRecordsInput(protocol::Call& call, bool batch, RecordsInput* out) {
  if (const std::string* body = call.raw_body()) {
    if (ScanRecordsInput(*body, batch, out)) return true;
    if (!call.DecodeInput()) return false;
  }
  out->records.clear();
  out->bytes.clear();
  const json::object& in = call.input();
  out->stream_name = InputStringView(in, "StreamName");
  out->stream_arn = InputStringView(in, "StreamARN");
  out->sequence_number_for_ordering.reset();
  auto record_of = [](const json::object& o) {
    return RecordInput{InputStringView(o, "Data").value_or(""),
                       InputStringView(o, "PartitionKey").value_or(""),
                       InputStringView(o, "ExplicitHashKey")};
  };
  if (!batch) {
    out->sequence_number_for_ordering = InputStringView(in, "SequenceNumberForOrdering");
    out->records.push_back(record_of(in));
  } else if (const json::array* records = InputArray(in, "Records")) {
    // The codec validated the shape: every entry is an object.
    out->records.reserve(records->size());
    for (const json::value& v : *records) {
      if (const json::object* o = v.if_object()) out->records.push_back(record_of(*o));
    }
  }
  return true;
}

}  // namespace tidepool::kinesis

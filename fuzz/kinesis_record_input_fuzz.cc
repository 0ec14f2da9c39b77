// Fuzz target: the fast readers of PutRecord(s) bodies against the model codec. Whenever
// kinesis::ScanRecordsInput accepts a body, json_codec::DecodeRequest must accept it too and
// decode exactly the same stream name and records, with no member the scan did not report;
// any difference aborts. (Bodies the scan refuses go to the codec in the service, so they
// need no check here.)
//
// Input: byte 0's low bit picks PutRecords (1) or PutRecord (0); the rest is the body.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol/codec/json_codec.h"
#include "protocol/model/models.h"
#include "services/kinesis/record_input.h"

namespace {

using namespace tidepool;
namespace json = boost::json;

bool SameString(const json::object& o, std::string_view key, std::optional<std::string_view> v) {
  const json::value* found = o.if_contains(key);
  if (!v) return found == nullptr;
  return found != nullptr && found->is_string() && std::string_view(found->get_string()) == *v;
}

bool SameRecord(const json::object& o, const kinesis::RecordInput& r) {
  return SameString(o, "Data", r.data) && SameString(o, "PartitionKey", r.partition_key) &&
         SameString(o, "ExplicitHashKey", r.explicit_hash_key);
}

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool batch = (data[0] & 1) != 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  kinesis::RecordsInput scanned;
  if (!kinesis::ScanRecordsInput(body, batch, &scanned)) return 0;

  const auto* op =
      protocol::model::KinesisModel().FindOperation(batch ? "PutRecords" : "PutRecord");
  auto decoded = protocol::json_codec::DecodeRequest(protocol::model::KinesisModel(), *op, body);
  const auto* input = std::get_if<json::object>(&decoded);
  Check(input != nullptr);
  Check(SameString(*input, "StreamName", scanned.stream_name));
  Check(!scanned.stream_arn && !scanned.sequence_number_for_ordering);
  if (batch) {
    Check(input->size() == 2);
    const json::value* records = input->if_contains("Records");
    Check(records != nullptr && records->is_array());
    const json::array& list = records->get_array();
    Check(list.size() == scanned.records.size());
    for (size_t i = 0; i < list.size(); ++i) {
      Check(list[i].is_object() &&
            list[i].get_object().size() == 2u + (scanned.records[i].explicit_hash_key ? 1 : 0));
      Check(SameRecord(list[i].get_object(), scanned.records[i]));
    }
  } else {
    Check(scanned.records.size() == 1);
    Check(input->size() == 3u + (scanned.records[0].explicit_hash_key ? 1 : 0));
    Check(SameRecord(*input, scanned.records[0]));
  }
  return 0;
}

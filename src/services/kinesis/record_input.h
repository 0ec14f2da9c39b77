// The inputs of PutRecord and PutRecords, read without a JSON DOM on the hot path.
//
// KinesisService takes both operations' bodies raw (Service::TakesRawInput). ReadRecordsInput
// first tries ScanPutRecord(s): a reader for the plain documents SDKs send (StreamName,
// records of Data / PartitionKey / ExplicitHashKey; ASCII strings without escapes; any
// whitespace and member order). For anything else (StreamARN, StreamId,
// SequenceNumberForOrdering, escapes, unknown members, values the model would reject...) the
// scan gives up and the model codec decodes the body as for every other operation, so
// clients see exactly the codec's validation. A scan that accepts yields exactly the values
// the codec would have produced (fuzz/kinesis_record_input_fuzz.cc checks this).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/service.h"

namespace tidepool::kinesis {

struct RecordInput {
  std::string_view data;  // the record's bytes (base64-decoded)
  std::string_view partition_key;
  std::optional<std::string_view> explicit_hash_key;
};

// Views into the call's body or input object, and into `bytes`: valid while both live.
struct RecordsInput {
  std::optional<std::string_view> stream_name;
  std::optional<std::string_view> stream_arn;
  std::optional<std::string_view> sequence_number_for_ordering;  // PutRecord only
  std::vector<RecordInput> records;                              // PutRecord: exactly one
  std::string bytes;  // the scanned records' decoded Data, back to back
};

// Reads a PutRecords (`batch`) or PutRecord body. True when `body` is a plain document the
// model codec accepts, with `out` holding what it would decode; false otherwise (`out` is
// then unspecified).
bool ScanRecordsInput(std::string_view body, bool batch, RecordsInput* out);

// Fills `out` from `call`: by ScanRecordsInput when the call is raw, else from its decoded
// input (decoding it first with Call::DecodeInput if the scan gave up). False when the call
// has been failed with the codec's error; the caller then just returns.
bool ReadRecordsInput(protocol::Call& call, bool batch, RecordsInput* out);

}  // namespace tidepool::kinesis

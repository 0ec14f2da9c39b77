// Distributed Map: the fields a Map state with ProcessorConfig.Mode DISTRIBUTED adds (ItemReader,
// ItemBatcher, ResultWriter, ToleratedFailure*, Label, ProcessorConfig.ExecutionType), parsed
// at definition time, and the pure steps of a Map Run that do not need a service: decoding an
// object read from S3 into items, and grouping items into batches.
//
// The interpreter (execution.cc) resolves the fields against the state's input into a
// MapRunRequest document and hands it to the service as an Effect; the service reads the
// items, starts one child execution per item (or batch) and reports the Map Run's outcome.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace tidepool::sfn::asl {

struct ItemReaderSpec {
  std::string resource;  // arn:aws:states:::s3:getObject | arn:aws:states:::s3:listObjectsV2
  std::optional<boost::json::value> parameters;   // Parameters (JSONPath) / Arguments (JSONata)
  std::string input_type;                         // getObject: JSON | JSONL | CSV
  std::string csv_header_location = "FIRST_ROW";  // CSV: FIRST_ROW | GIVEN
  std::vector<std::string> csv_headers;           // CSV with GIVEN
  char csv_delimiter = ',';
  std::optional<boost::json::value> max_items;  // an integer, or a JSONata expression
  std::string max_items_path;
  // InputType JSON: a JSON Pointer (RFC 6901, "/data/items") to the array of items inside
  // the document read; "" = the document is the array.
  std::string items_pointer;
};

struct ItemBatcherSpec {
  std::optional<boost::json::value> max_items, max_bytes;  // integers or JSONata expressions
  std::string max_items_path, max_bytes_path;
  std::optional<boost::json::value> batch_input;  // a template (JSONPath) or JSONata value
};

struct ResultWriterSpec {
  std::string resource;                          // arn:aws:states:::s3:putObject; "" = none
  std::optional<boost::json::value> parameters;  // {Bucket, Prefix}
  // WriterConfig (defaults as AWS's: NONE when the results are exported, else COMPACT; JSON).
  std::string transformation;  // NONE | COMPACT | FLATTEN
  std::string output_type;     // JSON | JSONL
};

struct DistributedMapSpec {
  std::string execution_type = "STANDARD";  // of the child executions
  std::string label;                        // "" = the state's name
  std::optional<ItemReaderSpec> reader;
  std::optional<ItemBatcherSpec> batcher;
  std::optional<ResultWriterSpec> writer;
  std::optional<boost::json::value> tolerated_percentage, tolerated_count;
  std::string tolerated_percentage_path, tolerated_count_path;
  // The ItemProcessor as a definition of its own (what each child execution runs).
  std::string processor_definition;
};

// Parses the Distributed Map fields of Map state `o` (at `loc`): nullopt for an INLINE Map
// (whose distributed-only fields are diagnosed). `jsonata` is the state's query language,
// `top_jsonata` the definition's. Problems go to `schema(message, location)`.
std::optional<DistributedMapSpec> ParseDistributedMap(
    const boost::json::object& o, bool jsonata, bool top_jsonata, const std::string& loc,
    const std::function<void(std::string, std::string)>& schema);

// The items an ItemReader's getObject yields from `body`, limited to `max_items` (0 = all).
// The error is the cause of a States.ItemReaderFailed.
Result<boost::json::array> DecodeItems(const ItemReaderSpec& reader, std::string_view body,
                                       int64_t max_items);

// InputType MANIFEST: an S3 Inventory report's manifest.json. Its CSV data files hold one
// object per row, without a header; the items are those rows as objects keyed by the
// manifest's fileSchema (values are strings).
struct InventoryManifest {
  std::string bucket;                // destinationBucket ("arn:aws:s3:::name" -> "name")
  std::vector<std::string> keys;     // files[].key, in order
  std::vector<std::string> columns;  // fileSchema, split at commas and trimmed
};
// The error is the cause of a States.ItemReaderFailed (not JSON, not a CSV inventory...).
Result<InventoryManifest> ParseInventoryManifest(std::string_view body);

// The data of a gzip file (a .csv.gz inventory file); any other bytes are returned unchanged.
Result<std::string> MaybeGunzip(std::string_view data);

// What a ResultWriter writes or returns for the children of a Map Run. `children` holds one
// {"status", "entry", "output"} per child (see map_run_end.cc): NONE keeps the entries (the
// output with the execution's metadata); COMPACT takes the outputs of the children that
// succeeded, FLATTEN also splices the ones that are arrays; a child that did not succeed
// keeps its entry either way, as AWS writes it.
boost::json::array TransformResults(const boost::json::array& children,
                                    std::string_view transformation);

// `values` as OutputType writes them: JSON (an array) or JSONL (one value per line).
std::string SerializeResults(const boost::json::array& values, std::string_view output_type);

// Groups `items` into batches of at most `max_items` items (0 = no limit) and `max_bytes` bytes
// of serialized JSON (0 = no limit): each batch is {"Items": [...], "BatchInput": ...}
// (BatchInput only when `batch_input` is set).
boost::json::array BatchItems(boost::json::array items, int64_t max_items, int64_t max_bytes,
                              const std::optional<boost::json::value>& batch_input);

}  // namespace tidepool::sfn::asl

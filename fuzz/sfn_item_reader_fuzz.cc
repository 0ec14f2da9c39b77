// libFuzzer target: a Distributed Map's item decoding (ItemReader InputType JSON, with and
// without an ItemsPointer, JSONL and CSV with each header location and delimiter) and
// batching of what it decodes; S3 Inventory manifests (InputType MANIFEST) and gzip data.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/stepfunctions/asl/distributed_map.h"

using namespace tidepool::sfn::asl;  // NOLINT(google-build-using-namespace): fuzz target

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the format, the delimiter, the header location and the limits.
  const uint8_t mode = data[0];
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  ItemReaderSpec reader;
  static constexpr const char* kTypes[] = {"JSON", "JSONL", "CSV", "JSON"};
  reader.input_type = kTypes[mode & 3];
  if ((mode & 3) == 3) reader.items_pointer = "/items";
  static constexpr char kDelimiters[] = {',', '|', ';', '\t'};
  reader.csv_delimiter = kDelimiters[(mode >> 2) & 3];
  if (mode & 16) {
    reader.csv_header_location = "GIVEN";
    reader.csv_headers = {"a", "b", "c"};
  }
  const int64_t max_items = (mode & 32) ? 3 : 0;
  // An S3 Inventory manifest and a gzip data file come from the same untrusted bytes.
  if (auto manifest = ParseInventoryManifest(body); manifest.ok() && manifest->columns.empty()) {
    __builtin_trap();
  }
  (void)MaybeGunzip(body);
  auto items = DecodeItems(reader, body, max_items);
  if (!items.ok()) return 0;
  if (max_items > 0 && static_cast<int64_t>(items->size()) > max_items) __builtin_trap();
  const size_t n = items->size();
  auto batches = BatchItems(std::move(items).value(), (mode & 64) ? 2 : 0, (mode & 128) ? 64 : 0,
                            boost::json::value(boost::json::object{{"k", 1}}));
  size_t total = 0;
  for (const auto& b : batches) total += b.at("Items").as_array().size();
  if (total != n) __builtin_trap();
  return 0;
}

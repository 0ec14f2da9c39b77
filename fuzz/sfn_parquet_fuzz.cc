// libFuzzer target: the Parquet reader of ItemReader InputType PARQUET. Any input must decode
// to rows or be refused with an error, never crash, overflow or allocate without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/stepfunctions/asl/parquet_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view file(reinterpret_cast<const char*>(data), size);
  (void)tidepool::sfn::asl::ReadParquetRows(file, 1000);
  return 0;
}

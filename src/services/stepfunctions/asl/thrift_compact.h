// The Thrift compact protocol, as Parquet's metadata (FileMetaData, PageHeader) uses it: a
// struct read into a tree of field id -> value, without a schema.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::sfn::asl::thrift {

// A decoded value; `bin` points into the data read.
struct TValue {
  uint8_t type = 0;  // compact type: 1/2 bool, 3 byte, 4 i16, 5 i32, 6 i64, 7 double,
                     // 8 binary, 9 list, 10 set, 11 map, 12 struct
  int64_t i = 0;     // bool (0/1) and integers
  double d = 0;
  std::string_view bin;
  std::vector<TValue> list;
  std::map<int16_t, TValue> fields;
};

// The struct at the start of `data` (up to its STOP); `*consumed` is its length in bytes.
// Lists, sets and structs nest at most 16 deep; a malformed or truncated struct is an error.
Result<TValue> ReadStruct(std::string_view data, size_t* consumed);

// Field `id` of struct `s`, or nullptr.
const TValue* Field(const TValue& s, int16_t id);
// The integer (or bool) field `id` of `s`, or `fallback` when absent.
int64_t Int(const TValue& s, int16_t id, int64_t fallback);

}  // namespace tidepool::sfn::asl::thrift

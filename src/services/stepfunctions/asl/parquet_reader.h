// A small Apache Parquet reader for a Distributed Map's ItemReader (InputType PARQUET).
//
// File grammar (parquet-format): "PAR1" <column chunks> <FileMetaData> <u32le footer length>
// "PAR1". FileMetaData, PageHeader and their members are Thrift compact-protocol structs.
// Supported: flat schemas (REQUIRED and OPTIONAL primitive columns under the root), data
// pages v1 and v2, dictionary pages, encodings PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY
// (definition levels RLE/bit-packed), codecs UNCOMPRESSED, SNAPPY, GZIP and ZSTD. Anything
// else (nested or repeated columns, DELTA_* and BYTE_STREAM_SPLIT encodings, LZO, BROTLI,
// LZ4) is an error that names it.
#pragma once

#include <boost/json/array.hpp>

#include <cstdint>
#include <string_view>

#include "core/result.h"

namespace tidepool::sfn::asl {

// The rows of Parquet file `file`, in order, each an object keyed by column name, at most
// `max_rows` (0 = all). Values: BOOLEAN a boolean; INT32, INT64, FLOAT, DOUBLE a number
// (DECIMAL scaled; a non-finite float null); DATE "YYYY-MM-DD"; TIMESTAMP (millis, micros,
// nanos) and INT96 an ISO-8601 UTC string ("2024-01-02T03:04:05.678Z"); BYTE_ARRAY and
// FIXED_LEN_BYTE_ARRAY a string of their bytes; a null (definition level 0) null. The error
// message is the cause of a States.ItemReaderFailed.
Result<boost::json::array> ReadParquetRows(std::string_view file, int64_t max_rows);

}  // namespace tidepool::sfn::asl

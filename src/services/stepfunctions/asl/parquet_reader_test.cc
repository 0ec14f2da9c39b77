#include "services/stepfunctions/asl/parquet_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace tidepool::sfn::asl {
namespace {

// A footer of `meta` (Thrift compact bytes) between the magic numbers.
std::string File(const std::string& meta) {
  std::string f = "PAR1" + meta;
  const auto n = static_cast<uint32_t>(meta.size());
  for (int k = 0; k < 4; ++k) f.push_back(static_cast<char>((n >> (8 * k)) & 0xff));
  return f + "PAR1";
}

TEST(ParquetReader, RefusesWhatIsNotParquet) {
  auto r = ReadParquetRows("id,name\n1,a\n", 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "The object is not a Parquet file");
  EXPECT_FALSE(ReadParquetRows("PAR1\xff\xff\xff\x7fPAR1", 0).ok());
}

TEST(ParquetReader, AnEmptySchemaAndNestedColumnsAreRefused) {
  // FileMetaData {1: version 1} with no schema.
  EXPECT_EQ(ReadParquetRows(File(std::string("\x15\x02\x00", 3)), 0).status().message(),
            "The Parquet file has no schema");
  // schema: [root {4: "r", 5: 1}, {4: "a", 5: 1}] (a group column).
  std::string meta = "\x15\x02\x19\x2c";
  meta += std::string("\x48\x01r\x15\x02\x00", 6);
  meta += std::string(
      "\x48\x01"
      "a\x15\x02\x00",
      6);
  meta += '\0';
  auto r = ReadParquetRows(File(meta), 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Parquet column 'a' is nested, which is not supported");
}

TEST(ParquetReader, DeeplyNestedMetadataIsRefused) {
  std::string meta = "\x19";                    // field 1: a list ...
  for (int k = 0; k < 40; ++k) meta += "\x19";  // ... of one list, 40 deep
  auto r = ReadParquetRows(File(meta), 0);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace tidepool::sfn::asl

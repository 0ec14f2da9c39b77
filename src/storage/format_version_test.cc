#include "storage/format_version.h"

#include <gtest/gtest.h>

#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "storage/record_kind.h"
#include "storage/test_temp_dir.h"

namespace tidepool::storage {
namespace {

std::string Version(uint32_t v) {
  std::string out;
  AppendU32BE(&out, v);
  return out;
}

void Put(Store& store, std::string key, std::string value) {
  WriteBatch batch;
  batch.Put(std::move(key), std::move(value));
  ASSERT_TRUE(store.Write(batch, false).ok());
}

TEST(FormatVersionTest, ANewStoreRecordsTheCurrentVersion) {
  MemoryStore store;
  ASSERT_TRUE(CheckFormatVersion(store, "d").ok());
  auto v = store.Get(FormatVersionKey());
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ(**v, Version(kStoreFormatVersion));
  EXPECT_TRUE(CheckFormatVersion(store, "d").ok());
}

TEST(FormatVersionTest, AStoreFromBeforeVersionsIsFormatOne) {
  MemoryStore store;
  Put(store, std::string("sqs\0n", 5), "x");
  ASSERT_TRUE(CheckFormatVersion(store, "d").ok());
  auto v = store.Get(FormatVersionKey());
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_EQ(**v, Version(1));
}

TEST(FormatVersionTest, ANewerVersionIsRefusedWithTheVersions) {
  MemoryStore store;
  Put(store, FormatVersionKey(), Version(kStoreFormatVersion + 1));
  Status s = CheckFormatVersion(store, "/data/x");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("/data/x was written by a newer tidepool (store format 2"),
            std::string::npos)
      << s.message();
}

TEST(FormatVersionTest, AnUnreadableVersionIsCorruption) {
  for (std::string bad : {std::string("x"), Version(0), Version(1) + "x"}) {
    MemoryStore store;
    Put(store, FormatVersionKey(), bad);
    EXPECT_EQ(CheckFormatVersion(store, "d").code(), StatusCode::kCorruption);
  }
}

TEST(FormatVersionTest, OpenStoreRefusesADataDirOfANewerVersion) {
  TestTempDir dir;
  {
    auto store = OpenStore(dir.path(), Durability::kSync);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Put(**store, FormatVersionKey(), Version(7));
  }
  auto again = OpenStore(dir.path(), Durability::kSync);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
}

TEST(RecordCensusTest, CountsByLongestPrefixAndReportsTheRest) {
  MemoryStore store;
  Put(store, std::string("svc\0a1", 6), "");
  Put(store, std::string("svc\0a2", 6), "");
  Put(store, std::string("svc\0ab", 6), "");
  Put(store, std::string("other\x01", 6), "");
  std::vector<RecordKind> kinds = {{"svc", "a", std::string("svc\0a", 5)},
                                   {"svc", "ab", std::string("svc\0ab", 6)},
                                   {"svc", "z", std::string("svc\0z", 5)}};
  auto census = TakeRecordCensus(store, kinds);
  ASSERT_TRUE(census.ok());
  EXPECT_EQ(census->records, (std::vector<uint64_t>{2, 1, 0}));
  EXPECT_EQ(census->unclassified, 1u);
  ASSERT_EQ(census->unclassified_examples.size(), 1u);
  EXPECT_EQ(census->unclassified_examples[0], "other\\x01");
}

}  // namespace
}  // namespace tidepool::storage

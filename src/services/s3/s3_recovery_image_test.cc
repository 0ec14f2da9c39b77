// Recovery from a store that holds every S3 record kind (and body files, some named by no
// record), and the seed image of the s3_recovery fuzz target (written when
// TIDEPOOL_WRITE_RECOVERY_SEEDS names a directory).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "services/s3/keyspace.h"
#include "services/s3/records.h"
#include "services/s3/s3_service.h"
#include "storage/commit_queue.h"
#include "storage/memory_store.h"
#include "storage/store_image.h"
#include "storage/test_temp_dir.h"

namespace tidepool::s3 {
namespace {

constexpr std::string_view kRoot{"s3\0", 3};

TEST(S3RecoveryImageTest, EveryKindRecoversAndOrphanBodiesAreReclaimed) {
  storage::MemoryStore store;
  storage::WriteBatch batch;
  BucketRecord bucket;
  bucket.name = "zoo";
  bucket.uid = 7;
  bucket.account = "000000000000";
  bucket.region = "us-east-1";
  bucket.configs["tagging"] = boost::json::object{{"TagSet", boost::json::array()}};
  batch.Put(keyspace::BucketKey("zoo"), EncodeBucket(bucket));
  ObjectRecord inline_object;
  inline_object.size = 5;
  inline_object.etag = "5d41402abc4b2a76b9719d911017c592";
  inline_object.body = "hello";
  batch.Put(keyspace::ObjectKey(7, "inline"), EncodeObject(inline_object));
  ObjectRecord file_object;
  file_object.size = 3;
  file_object.file = 0x10;
  batch.Put(keyspace::ObjectKey(7, "file"), EncodeObject(file_object));
  ObjectRecord noncurrent;
  noncurrent.size = 3;
  noncurrent.file = 0x30;
  noncurrent.version_id = "null";
  noncurrent.seq = 4;
  batch.Put(keyspace::VersionKey(7, "file", 4), EncodeObject(noncurrent));
  batch.Put(keyspace::OutboxKey(9), EncodeOutbox("arn:aws:sqs:us-east-1:000000000000:q", "{}"));
  UploadRecord upload;
  upload.key = "open";
  upload.upload_id = "u1";
  batch.Put(keyspace::UploadKey(7, "u1"), EncodeUpload(upload));
  PartRecord part;
  part.part = 1;
  part.size = 3;
  part.file = 0x20;
  batch.Put(keyspace::PartKey(7, "u1", 1), EncodePart(part));
  ASSERT_TRUE(store.Write(batch, false).ok());
  for (const auto& kind : keyspace::RecordKinds()) {
    EXPECT_GT(storage::CountRecords(store, kind.prefix), 0u) << "no record of kind " << kind.name;
  }
  const std::string image = storage::StoreImageOf(store, kRoot);
  storage::MaybeWriteSeedImage("s3_recovery", image);

  storage::TestTempDir dir;
  std::filesystem::create_directories(dir.path() + "/objects");
  for (const char* name :
       {"0000000000000010", "0000000000000020", "0000000000000030", "0000000000000099"}) {
    std::ofstream(dir.path() + "/objects/" + name) << "abc";
  }
  storage::MemoryStore copy;
  ASSERT_TRUE(copy.Write(storage::StoreImageBatch(image, kRoot), false).ok());
  storage::CommitQueue commits(copy, storage::Durability::kMemory);
  S3Options options;
  options.body_dir = dir.path();
  options.sync_bodies = false;
  S3Service service(copy, commits, SystemClock::Instance(), options);
  ASSERT_TRUE(service.Recover().ok());
  EXPECT_EQ(service.Health().at("buckets").to_number<int64_t>(), 1);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/objects/0000000000000010"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/objects/0000000000000020"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/objects/0000000000000030"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/objects/0000000000000099"));
}

TEST(S3RecoveryImageTest, UndecodableRecordsAreSkipped) {
  storage::MemoryStore store;
  storage::WriteBatch batch;
  batch.Put(keyspace::BucketKey("bad"), "not json");
  batch.Put(keyspace::ObjectKey(1, "k"), std::string("\xff\xff\xff\xff", 4));
  batch.Put(keyspace::PartKey(1, "u", 1), "{}");
  ASSERT_TRUE(store.Write(batch, false).ok());
  storage::TestTempDir dir;
  storage::CommitQueue commits(store, storage::Durability::kMemory);
  S3Options options;
  options.body_dir = dir.path();
  S3Service service(store, commits, SystemClock::Instance(), options);
  ASSERT_TRUE(service.Recover().ok());
  EXPECT_EQ(service.Health().at("buckets").to_number<int64_t>(), 0);
}

}  // namespace
}  // namespace tidepool::s3

#include "storage/write_batch.h"

#include <gtest/gtest.h>

#include <string>

namespace tidepool::storage {
namespace {

// Longer than any small-string buffer, so a moved string keeps its heap buffer.
const std::string kLongKey(40, 'k');
const std::string kLongValue(60, 'v');

TEST(WriteBatchTest, TemporariesAreMovedInAndEverythingElseIsCopied) {
  WriteBatch batch;
  std::string key = kLongKey;
  std::string value = kLongValue;
  const char* key_buffer = key.data();
  const char* value_buffer = value.data();
  batch.Put(std::move(key), std::move(value));
  EXPECT_EQ(batch.ops()[0].key.data(), key_buffer);
  EXPECT_EQ(batch.ops()[0].value.data(), value_buffer);

  std::string deleted = kLongKey;
  const char* deleted_buffer = deleted.data();
  batch.Delete(std::move(deleted));
  EXPECT_EQ(batch.ops()[1].key.data(), deleted_buffer);

  const std::string kept_key = kLongKey;  // lvalues and literals are copied
  batch.Put(kept_key, "literal");
  batch.Delete(kept_key);
  EXPECT_EQ(kept_key, kLongKey);
  EXPECT_NE(batch.ops()[2].key.data(), kept_key.data());
  EXPECT_EQ(batch.ops()[2].value, "literal");
  EXPECT_EQ(batch.ops()[3].key, kLongKey);

  ASSERT_EQ(batch.ops().size(), 4u);
  EXPECT_EQ(batch.ops()[1].type, WriteBatch::OpType::kDelete);
  EXPECT_EQ(batch.ByteSize(), 3 * kLongKey.size() + kLongKey.size() + kLongValue.size() + 7);
}

}  // namespace
}  // namespace tidepool::storage

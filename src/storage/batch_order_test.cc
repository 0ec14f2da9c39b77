#include "storage/batch_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/key_codec.h"

namespace tidepool::storage {
namespace {

std::vector<uint32_t> Order(const WriteBatch& batch) { return ApplyOrder(batch.ops()); }

TEST(ApplyOrderTest, EmptyAndSingle) {
  EXPECT_EQ(Order(WriteBatch()), std::vector<uint32_t>());
  WriteBatch one;
  one.Put("k", "v");
  EXPECT_EQ(Order(one), std::vector<uint32_t>({0}));
}

TEST(ApplyOrderTest, SortsPointOpsKeepingSameKeyInBatchOrder) {
  WriteBatch b;
  b.Put("c", "1");  // 0
  b.Put("a", "2");  // 1
  b.Delete("c");    // 2
  b.Put("b", "3");  // 3
  b.Put("a", "4");  // 4
  b.Put("c", "5");  // 5
  EXPECT_EQ(Order(b), std::vector<uint32_t>({1, 4, 3, 0, 2, 5}));
}

TEST(ApplyOrderTest, DeleteRangeIsABarrier) {
  WriteBatch b;
  b.Put("z", "1");           // 0
  b.Put("a", "2");           // 1
  b.DeleteRange("a", "zz");  // 2
  b.Put("y", "3");           // 3
  b.Put("b", "4");           // 4
  b.DeleteRange("c", "d");   // 5
  b.DeleteRange("e", "f");   // 6
  b.Put("x", "5");           // 7
  EXPECT_EQ(Order(b), std::vector<uint32_t>({1, 0, 2, 4, 3, 5, 6, 7}));
}

TEST(ApplyOrderTest, KeysSortAsUnsignedBytesAcrossPrefixAndWordBoundaries) {
  // Long shared prefixes (the comparison skips them), keys ending inside the 8-byte word that
  // follows the prefix, real zero bytes against missing ones, and high bytes.
  const std::string p(20, 'p');
  std::vector<std::string> keys = {
      p,
      p + std::string("\x00", 1),
      p + std::string("\x00\x00", 2),
      p + std::string("\x00\x00\x00\x00\x00\x00\x00\x00", 8),
      p + std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x00", 9),
      p + std::string("\x00\x00\x00\x00\x00\x00\x00\x00\x01", 9),
      p + std::string("\x00\x01", 2),
      p + "abcdefgh",
      p + "abcdefgh" + std::string("\x00", 1),
      p + "abcdefghi",
      p + "abcdefgi",
      p + "\x7F",
      p + "\x80",
      p + "\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF",
  };
  std::vector<std::string> shuffled = keys;
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    WriteBatch b;
    for (const std::string& k : shuffled) b.Put(k, "");
    std::vector<std::string> got;
    for (uint32_t i : Order(b)) got.push_back(b.ops()[i].key);
    ASSERT_EQ(got, keys) << "round " << round;
  }
}

TEST(ApplyOrderTest, NoCommonPrefixAndEmptyKey) {
  WriteBatch b;
  b.Put("b", "");                     // 0
  b.Put("", "");                      // 1
  b.Put(std::string("\xFF", 1), "");  // 2
  b.Put("a", "");                     // 3
  b.Put("", "");                      // 4
  EXPECT_EQ(Order(b), std::vector<uint32_t>({1, 4, 3, 0, 2}));
}

TEST(ApplyOrderTest, AscendingRunsStayInPlace) {
  WriteBatch b;
  for (uint64_t i = 0; i < 100; ++i) {
    std::string key = "kinesis";
    AppendU64BE(&key, 3);
    AppendU64BE(&key, i);
    b.Put(key, "v");
  }
  std::vector<uint32_t> expected(100);
  for (uint32_t i = 0; i < 100; ++i) expected[i] = i;
  EXPECT_EQ(Order(b), expected);
}

// The property stores rely on: applying in ApplyOrder's order gives the state that batch
// order gives, and every run comes out in ascending key order.
TEST(ApplyOrderTest, RandomBatchesApplyLikeBatchOrder) {
  std::mt19937_64 rng(20240611);
  auto random_key = [&] {
    std::string k = "shared/prefix/";
    AppendU64BE(&k, rng() % 3);
    k.resize(k.size() - (rng() % 3));  // sometimes cut inside the word after the prefix
    const size_t tail = rng() % 3;
    for (size_t i = 0; i < tail; ++i)
      k.push_back(static_cast<char>("\x00\x01\x7F\x80\xFF"[rng() % 5]));
    return k;
  };
  auto apply = [](std::map<std::string, std::string>& m, const WriteBatch::Op& op) {
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        m[op.key] = op.value;
        break;
      case WriteBatch::OpType::kDelete:
        m.erase(op.key);
        break;
      case WriteBatch::OpType::kDeleteRange:
        m.erase(m.lower_bound(op.key), m.lower_bound(op.value));
        break;
    }
  };
  for (int round = 0; round < 500; ++round) {
    WriteBatch b;
    const int ops = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < ops; ++i) {
      std::string k = random_key();
      switch (rng() % 8) {
        case 0:
          b.Delete(k);
          break;
        case 1: {
          std::string e = random_key();
          if (e < k) std::swap(k, e);
          b.DeleteRange(k, e);
          break;
        }
        default:
          b.Put(k, std::to_string(i));
      }
    }
    std::map<std::string, std::string> in_batch_order;
    std::map<std::string, std::string> in_apply_order;
    for (const WriteBatch::Op& op : b.ops()) apply(in_batch_order, op);
    const std::vector<uint32_t> order = Order(b);
    ASSERT_EQ(order.size(), b.ops().size());
    std::vector<uint32_t> seen = order;
    std::sort(seen.begin(), seen.end());
    for (uint32_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i) << "not a permutation";
    for (size_t j = 0; j < order.size(); ++j) {
      const WriteBatch::Op& op = b.ops()[order[j]];
      apply(in_apply_order, op);
      if (j == 0) continue;
      const WriteBatch::Op& prev = b.ops()[order[j - 1]];
      if (op.type != WriteBatch::OpType::kDeleteRange &&
          prev.type != WriteBatch::OpType::kDeleteRange) {
        ASSERT_LE(prev.key, op.key) << "round " << round;
        if (prev.key == op.key) ASSERT_LT(order[j - 1], order[j]) << "round " << round;
      }
    }
    ASSERT_EQ(in_apply_order, in_batch_order) << "round " << round;
  }
}

}  // namespace
}  // namespace tidepool::storage

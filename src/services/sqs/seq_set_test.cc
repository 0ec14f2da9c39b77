#include "services/sqs/seq_set.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace tidepool::sqs {
namespace {

std::vector<uint64_t> Values(const SeqSet& s) {
  std::vector<uint64_t> out;
  for (auto it = s.begin(); it != s.end(); ++it) out.push_back(*it);
  return out;
}

// Random inserts (mostly ascending, as sends are), erases (mostly at the front, as receives
// are) and lookups give what std::set gives.
TEST(SeqSetTest, BehavesAsStdSet) {
  std::mt19937_64 random(7);
  SeqSet set;
  std::set<uint64_t> model;
  uint64_t next = 1000;
  for (int step = 0; step < 60000; ++step) {
    const uint64_t roll = random() % 10;
    if (roll < 5) {
      const uint64_t v = random() % 4 == 0 ? random() % (next + 10) : next++;
      EXPECT_EQ(set.insert(v), model.insert(v).second);
    } else if (roll < 8) {
      const uint64_t v = !model.empty() && random() % 2 == 0 ? *model.begin() : random() % next;
      EXPECT_EQ(set.erase(v), model.erase(v));
    } else {
      const uint64_t v = random() % (next + 10);
      EXPECT_EQ(set.contains(v), model.contains(v));
      auto it = set.upper_bound(v);
      auto mit = model.upper_bound(v);
      if (mit == model.end()) {
        EXPECT_TRUE(it == set.end());
      } else {
        ASSERT_FALSE(it == set.end());
        EXPECT_EQ(*it, *mit);
      }
    }
    ASSERT_EQ(set.size(), model.size());
    ASSERT_EQ(set.empty(), model.empty());
    if (step % 5000 == 0) {
      ASSERT_EQ(Values(set), std::vector<uint64_t>(model.begin(), model.end()));
    }
  }
  ASSERT_EQ(Values(set), std::vector<uint64_t>(model.begin(), model.end()));
  set.clear();
  EXPECT_TRUE(set.empty());
  EXPECT_TRUE(set.begin() == set.end());
}

TEST(SeqSetTest, Edges) {
  SeqSet set;
  EXPECT_TRUE(set.upper_bound(0) == set.end());
  EXPECT_EQ(set.erase(5), 0u);
  EXPECT_FALSE(set.contains(5));
  EXPECT_TRUE(set.insert(UINT64_MAX));
  EXPECT_TRUE(set.insert(0));
  EXPECT_FALSE(set.insert(0));
  EXPECT_TRUE(set.upper_bound(UINT64_MAX) == set.end());
  EXPECT_EQ(*set.upper_bound(0), UINT64_MAX);
  EXPECT_EQ(*set.begin(), 0u);
  // Filling past one chunk, in descending order, splits chunks in the middle.
  for (uint64_t v = 3 * SeqSet::kMaxChunk; v > 0; --v) set.insert(v);
  EXPECT_EQ(set.size(), 3 * SeqSet::kMaxChunk + 2);
  uint64_t expected = 0;
  for (auto it = set.begin(); it != set.end(); ++it, ++expected) {
    if (expected > 3 * SeqSet::kMaxChunk) expected = UINT64_MAX;
    EXPECT_EQ(*it, expected);
  }
}

}  // namespace
}  // namespace tidepool::sqs

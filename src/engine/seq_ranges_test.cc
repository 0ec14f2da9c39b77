#include "engine/seq_ranges.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <set>

namespace tidepool::engine {
namespace {

TEST(SeqRangesTest, AscendingInsertsStayOneRange) {
  SeqRanges r;
  for (uint64_t s = 10; s < 10'000; ++s) r.Insert(s);
  EXPECT_EQ(r.range_count(), 1u);
  EXPECT_EQ(r.Front(), std::make_pair(uint64_t{10}, uint64_t{9'999}));
}

TEST(SeqRangesTest, GapsFillInAndMerge) {
  SeqRanges r;
  r.Insert(5);
  r.Insert(7);
  EXPECT_EQ(r.range_count(), 2u);
  EXPECT_FALSE(r.Contains(6));
  r.Insert(6);
  EXPECT_EQ(r.range_count(), 1u);
  EXPECT_EQ(r.Front(), std::make_pair(uint64_t{5}, uint64_t{7}));
  r.InsertRange(0, 100);
  EXPECT_EQ(r.Front(), std::make_pair(uint64_t{0}, uint64_t{100}));
  r.InsertRange(3, 2);  // empty
  EXPECT_EQ(r.range_count(), 1u);
}

TEST(SeqRangesTest, EraseSplitsTrimsAndRemoves) {
  SeqRanges r;
  r.InsertRange(0, 100);
  r.EraseRange(10, 19);
  EXPECT_EQ(r.range_count(), 2u);
  EXPECT_TRUE(r.Contains(9));
  EXPECT_FALSE(r.Contains(10));
  EXPECT_FALSE(r.Contains(19));
  EXPECT_TRUE(r.Contains(20));
  r.EraseRange(0, 9);
  EXPECT_EQ(r.Front(), std::make_pair(uint64_t{20}, uint64_t{100}));
  r.EraseRange(50, 1000);
  EXPECT_EQ(r.Front(), std::make_pair(uint64_t{20}, uint64_t{49}));
  r.EraseRange(21, 20);  // empty
  EXPECT_TRUE(r.Contains(20));
  r.EraseRange(0, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(r.empty());
}

TEST(SeqRangesTest, TheTopOfTheRangeIsNoOverflow) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  SeqRanges r;
  r.InsertRange(0, kMax);
  r.Insert(kMax);
  r.InsertRange(5, kMax);
  EXPECT_EQ(r.range_count(), 1u);
  r.EraseRange(kMax, kMax);
  EXPECT_EQ(r.Front(), std::make_pair(uint64_t{0}, kMax - 1));
  r.EraseRange(0, 0);
  EXPECT_EQ(r.Front(), std::make_pair(uint64_t{1}, kMax - 1));
}

// Random inserts and erases against a std::set model.
TEST(SeqRangesTest, MatchesASetModel) {
  std::mt19937_64 rng(7);
  SeqRanges r;
  std::set<uint64_t> model;
  for (int step = 0; step < 20'000; ++step) {
    const uint64_t a = rng() % 200;
    const uint64_t b = a + rng() % 8;
    if (rng() % 3 != 0) {
      r.InsertRange(a, b);
      for (uint64_t s = a; s <= b; ++s) model.insert(s);
    } else {
      r.EraseRange(a, b);
      for (uint64_t s = a; s <= b; ++s) model.erase(s);
    }
    const uint64_t probe = rng() % 210;
    ASSERT_EQ(r.Contains(probe), model.contains(probe)) << "step " << step;
    ASSERT_EQ(r.empty(), model.empty());
    if (!model.empty()) ASSERT_EQ(r.Front().first, *model.begin());
  }
}

}  // namespace
}  // namespace tidepool::engine

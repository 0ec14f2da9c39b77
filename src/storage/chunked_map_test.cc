#include "storage/chunked_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "storage/key_codec.h"

namespace tidepool::storage {
namespace {

using Model = std::map<std::string, std::string>;

std::vector<std::pair<std::string, std::string>> Contents(const ChunkedMap& map) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto p = map.LowerBound(""); !map.IsEnd(p); p = map.Next(p)) {
    out.emplace_back(map.at(p).key, map.at(p).value);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Contents(const Model& model) {
  return {model.begin(), model.end()};
}

void Put(ChunkedMap& map, const std::string& key, const std::string& value) {
  const ChunkedMap::Position p = map.LowerBound(key);
  if (!map.IsEnd(p) && map.at(p).key == key) {
    map.at(p).value = value;
    return;
  }
  const ChunkedMap::Position at = map.Insert(p, key, value);
  ASSERT_EQ(map.at(at).key, key);
}

std::string CounterKey(uint64_t shard, uint64_t counter) {
  std::string key = "r";
  AppendU64BE(&key, shard);
  AppendU64BE(&key, counter);
  return key;
}

TEST(ChunkedMapTest, EmptyMap) {
  ChunkedMap map;
  EXPECT_EQ(map.size(), 0u);
  EXPECT_TRUE(map.IsEnd(map.LowerBound("")));
  EXPECT_TRUE(map.IsEnd(map.LowerBound("x")));
  map.EraseRange(map.LowerBound("a"), map.LowerBound("z"));
  EXPECT_EQ(map.size(), 0u);
}

TEST(ChunkedMapTest, InterleavedAppendsFillChunksAndStayOrdered) {
  // Four ascending runs appended in turn, as Kinesis shards are: many chunk splits.
  ChunkedMap map;
  Model model;
  for (uint64_t counter = 0; counter < 2000; ++counter) {
    for (uint64_t shard = 0; shard < 4; ++shard) {
      const std::string key = CounterKey(shard, counter);
      Put(map, key, std::to_string(counter));
      model[key] = std::to_string(counter);
    }
  }
  EXPECT_EQ(map.size(), model.size());
  ASSERT_EQ(Contents(map), Contents(model));
  // Inserting after the previous insert returns positions usable as the next hint.
  ChunkedMap::Position p = map.LowerBound(CounterKey(1, 2000));
  for (uint64_t counter = 2000; counter < 2300; ++counter) {
    p = map.Insert(p, CounterKey(1, counter), "x");
    p = map.Next(p);
    model[CounterKey(1, counter)] = "x";
  }
  ASSERT_EQ(Contents(map), Contents(model));
}

TEST(ChunkedMapTest, EraseRangeAcrossChunks) {
  ChunkedMap map;
  Model model;
  for (uint64_t i = 0; i < 1000; ++i) {
    Put(map, CounterKey(0, i), "v");
    model[CounterKey(0, i)] = "v";
  }
  const std::vector<std::pair<uint64_t, uint64_t>> ranges = {
      {10, 11}, {5, 5}, {100, 700}, {0, 3}, {990, 2000}, {50, 60}, {0, 2000}};
  for (auto [b, e] : ranges) {
    map.EraseRange(map.LowerBound(CounterKey(0, b)), map.LowerBound(CounterKey(0, e)));
    model.erase(model.lower_bound(CounterKey(0, b)), model.lower_bound(CounterKey(0, e)));
    ASSERT_EQ(map.size(), model.size()) << b << ".." << e;
    ASSERT_EQ(Contents(map), Contents(model)) << b << ".." << e;
  }
  EXPECT_EQ(map.size(), 0u);
  Put(map, "again", "1");
  EXPECT_EQ(map.size(), 1u);
}

TEST(ChunkedMapTest, MatchesStdMapUnderRandomOps) {
  std::mt19937_64 rng(42);
  ChunkedMap map;
  Model model;
  auto random_key = [&] {
    // Few distinct bytes and lengths: many collisions, deletes of present keys, and keys that
    // are prefixes of others.
    std::string k(rng() % 5, '\0');
    for (char& c : k)
      c = "\x00\x01"
          "ab\xFF"[rng() % 5];
    return k;
  };
  for (int step = 0; step < 20000; ++step) {
    const std::string key = random_key();
    switch (rng() % 10) {
      case 0: {
        const ChunkedMap::Position p = map.LowerBound(key);
        if (!map.IsEnd(p) && map.at(p).key == key) map.Erase(p);
        model.erase(key);
        break;
      }
      case 1: {
        std::string end = random_key();
        std::string begin = key;
        if (end < begin) std::swap(begin, end);
        map.EraseRange(map.LowerBound(begin), map.LowerBound(end));
        model.erase(model.lower_bound(begin), model.lower_bound(end));
        break;
      }
      default:
        Put(map, key, std::to_string(step));
        model[key] = std::to_string(step);
    }
    ASSERT_EQ(map.size(), model.size()) << "step " << step;
    const std::string probe = random_key();
    const ChunkedMap::Position p = map.LowerBound(probe);
    auto it = model.lower_bound(probe);
    ASSERT_EQ(map.IsEnd(p), it == model.end()) << "step " << step;
    if (it != model.end()) ASSERT_EQ(map.at(p).key, it->first) << "step " << step;
  }
  ASSERT_EQ(Contents(map), Contents(model));
  ChunkedMap copy;
  Put(copy, "replaced", "x");
  copy = map;
  EXPECT_EQ(Contents(copy), Contents(model));
  ChunkedMap copied(map);
  EXPECT_EQ(Contents(copied), Contents(model));
}

TEST(ChunkedMapTest, EraseReturnsTheFollowingEntry) {
  ChunkedMap map;
  for (uint64_t i = 0; i < 300; ++i) Put(map, CounterKey(0, i), "v");
  // Erase every entry walking forward with the returned positions.
  ChunkedMap::Position p = map.LowerBound(CounterKey(0, 0));
  uint64_t expected = 0;
  while (!map.IsEnd(p)) {
    ASSERT_EQ(map.at(p).key, CounterKey(0, expected));
    p = map.Erase(p);
    ++expected;
  }
  EXPECT_EQ(expected, 300u);
  EXPECT_EQ(map.size(), 0u);
}

}  // namespace
}  // namespace tidepool::storage

// One conformance suite that every Store implementation must pass.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "storage/fault_injection_store.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "storage/rocksdb_store.h"
#include "storage/test_temp_dir.h"

namespace tidepool::storage {
namespace {

using Entries = std::vector<std::pair<std::string, std::string>>;

struct MemoryFactory {
  std::unique_ptr<Store> Make() { return std::make_unique<MemoryStore>(); }
};

struct RocksDbFactory {
  TestTempDir dir;
  std::unique_ptr<Store> Make() {
    auto store = RocksDbStore::Open(dir.Sub("db"));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }
};

// Memtable insert hints (KeyFamily) change where an insert starts, never the result: the
// whole suite runs again with families, including one that claims more than the key.
size_t TestFamily(std::string_view key) {
  if (key.empty() || key.back() == '\0') return 0;  // store.h: key "\0" is in no family
  if (key[0] < 'm') return 1;     // families "a", "b", ...: most keys of the suite
  if (key[0] == 'z') return 100;  // longer than the key: clamped
  return 0;
}

struct RocksDbFamilyFactory {
  TestTempDir dir;
  std::unique_ptr<Store> Make() {
    RocksDbTuning tuning;
    tuning.key_family = &TestFamily;
    auto store = RocksDbStore::Open(dir.Sub("db"), tuning);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return std::move(store).value();
  }
};

struct FaultInjectionFactory {
  std::unique_ptr<Store> Make() { return std::make_unique<FaultInjectionStore>(); }
};

template <typename Factory>
class StoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = factory_.Make();
    ASSERT_NE(store_, nullptr);
  }

  void Put(std::string_view k, std::string_view v) {
    WriteBatch b;
    b.Put(k, v);
    ASSERT_TRUE(store_->Write(b, false).ok());
  }
  std::optional<std::string> Get(std::string_view k) {
    auto r = store_->Get(k);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }
  Entries ScanAll(std::string_view begin, std::string_view end, size_t limit = SIZE_MAX) {
    Entries out;
    Status s = store_->Scan(begin, end, [&](std::string_view k, std::string_view v) {
      out.emplace_back(std::string(k), std::string(v));
      return out.size() < limit;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  Factory factory_;
  std::unique_ptr<Store> store_;
};

using Factories =
    ::testing::Types<MemoryFactory, RocksDbFactory, RocksDbFamilyFactory, FaultInjectionFactory>;
TYPED_TEST_SUITE(StoreConformanceTest, Factories);

TYPED_TEST(StoreConformanceTest, GetPutOverwriteDelete) {
  EXPECT_EQ(this->Get("a"), std::nullopt);
  this->Put("a", "1");
  EXPECT_EQ(this->Get("a"), "1");
  this->Put("a", "22");
  EXPECT_EQ(this->Get("a"), "22");
  this->Put("b", "");
  EXPECT_EQ(this->Get("b"), "");  // present with an empty value is not absent
  WriteBatch del;
  del.Delete("a");
  del.Delete("never-existed");
  ASSERT_TRUE(this->store_->Write(del, true).ok());
  EXPECT_EQ(this->Get("a"), std::nullopt);
  EXPECT_EQ(this->Get("b"), "");
}

TYPED_TEST(StoreConformanceTest, DeleteRangeIsHalfOpen) {
  for (const char* k : {"a", "b", "b\x01", "c", "d", "e"}) this->Put(k, k);
  WriteBatch b;
  b.DeleteRange("b", "d");
  ASSERT_TRUE(this->store_->Write(b, false).ok());
  EXPECT_EQ(this->ScanAll("", ""), (Entries{{"a", "a"}, {"d", "d"}, {"e", "e"}}));

  WriteBatch empty_range;
  empty_range.DeleteRange("d", "d");
  ASSERT_TRUE(this->store_->Write(empty_range, false).ok());
  EXPECT_EQ(this->Get("d"), "d");
}

TYPED_TEST(StoreConformanceTest, ReversedDeleteRangeRejectsWholeBatch) {
  this->Put("k", "old");
  WriteBatch b;
  b.Put("k", "new");
  b.Put("other", "x");
  b.DeleteRange("z", "a");
  Status s = this->store_->Write(b, true);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(this->Get("k"), "old");
  EXPECT_EQ(this->Get("other"), std::nullopt);

  // An empty end is the smallest key, so [nonempty, "") is reversed too.
  WriteBatch unbounded;
  unbounded.DeleteRange("a", "");
  EXPECT_EQ(this->store_->Write(unbounded, true).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(this->Get("k"), "old");
}

TYPED_TEST(StoreConformanceTest, OpsApplyInBatchOrder) {
  this->Put("r2", "old");
  WriteBatch b;
  b.Put("x", "1");
  b.Delete("x");
  b.Delete("y");
  b.Put("y", "2");
  b.DeleteRange("r", "s");
  b.Put("r1", "new");
  ASSERT_TRUE(this->store_->Write(b, false).ok());
  EXPECT_EQ(this->Get("x"), std::nullopt);
  EXPECT_EQ(this->Get("y"), "2");
  EXPECT_EQ(this->Get("r1"), "new");
  EXPECT_EQ(this->Get("r2"), std::nullopt);
}

TYPED_TEST(StoreConformanceTest, WriteOwnedAppliesLikeWrite) {
  this->Put("r2", "old");
  this->Put("k", "kept");
  WriteBatch b;
  b.Put("x", "1");
  b.Delete("x");
  b.Put("y", std::string(100, 'y'));  // longer than any small-string buffer: really moved
  std::string owned_key(40, 'o');
  std::string owned_value(200, 'v');
  b.PutOwned(owned_key, std::move(owned_value));  // one copied in, one moved in
  EXPECT_EQ(b.ByteSize(), 1u + 1 + 1 + 1 + 100 + 40 + 200);
  b.Put("k", "overwritten");
  b.DeleteRange("r", "s");
  b.Put("r1", "new");
  ASSERT_TRUE(this->store_->WriteOwned(std::move(b), false).ok());
  EXPECT_EQ(this->Get("x"), std::nullopt);
  EXPECT_EQ(this->Get("y"), std::string(100, 'y'));
  EXPECT_EQ(this->Get(std::string(40, 'o')), std::string(200, 'v'));
  EXPECT_EQ(this->Get("k"), "overwritten");
  EXPECT_EQ(this->Get("r1"), "new");
  EXPECT_EQ(this->Get("r2"), std::nullopt);

  WriteBatch bad;
  bad.Put("z", "1");
  bad.DeleteRange("b", "a");
  EXPECT_EQ(this->store_->WriteOwned(std::move(bad), false).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(this->Get("z"), std::nullopt);
}

TYPED_TEST(StoreConformanceTest, ScanBoundsAndEarlyStop) {
  for (const char* k : {"a", "b", "c", "d"}) this->Put(k, std::string(k) + "v");
  EXPECT_EQ(this->ScanAll("b", "d"), (Entries{{"b", "bv"}, {"c", "cv"}}));
  EXPECT_EQ(this->ScanAll("b", ""), (Entries{{"b", "bv"}, {"c", "cv"}, {"d", "dv"}}));
  EXPECT_EQ(this->ScanAll("", "b"), (Entries{{"a", "av"}}));
  EXPECT_EQ(this->ScanAll("bb", "c"), Entries{});
  EXPECT_EQ(this->ScanAll("c", "c"), Entries{});
  EXPECT_EQ(this->ScanAll("e", ""), Entries{});
  EXPECT_EQ(this->ScanAll("", "", 2), (Entries{{"a", "av"}, {"b", "bv"}}));
  EXPECT_EQ(this->ScanAll("a", "", 1), (Entries{{"a", "av"}}));
}

TYPED_TEST(StoreConformanceTest, BinaryKeysSortAsUnsignedBytes) {
  const std::vector<std::string> sorted = {
      std::string(),
      std::string("\x00", 1),
      std::string("\x00\x00", 2),
      std::string("\x00\xFF", 2),
      std::string("\x01", 1),
      std::string("\x7F", 1),
      std::string("\x80", 1),
      std::string("\xFF", 1),
      std::string("\xFF\x00", 2),
      std::string("\xFF\xFF", 2),
  };
  // Insert in reverse so that insertion order cannot explain the result.
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
    this->Put(*it, std::string("v\x00", 2) + *it);
  }
  Entries all = this->ScanAll("", "");
  ASSERT_EQ(all.size(), sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    EXPECT_EQ(all[i].first, sorted[i]) << i;
    EXPECT_EQ(all[i].second, std::string("v\x00", 2) + sorted[i]) << i;
  }
  // Bounds made of 0x00 / 0xFF bytes.
  Entries mid = this->ScanAll(std::string("\x00\xFF", 2), std::string("\xFF\x00", 2));
  ASSERT_EQ(mid.size(), 5u);
  EXPECT_EQ(mid.front().first, std::string("\x00\xFF", 2));
  EXPECT_EQ(mid.back().first, std::string("\xFF", 1));
  EXPECT_EQ(this->Get(std::string("\x00", 1)), std::string("v\x00\x00", 3));

  WriteBatch b;
  b.DeleteRange(std::string("\x00", 1), std::string("\xFF", 1));
  ASSERT_TRUE(this->store_->Write(b, false).ok());
  EXPECT_EQ(this->ScanAll("", "").size(), 4u);  // "", 0xFF, 0xFF00, 0xFFFF
}

TYPED_TEST(StoreConformanceTest, BatchIsAtomicForConcurrentReaders) {
  constexpr int kKeys = 16;
  auto make_batch = [](int generation) {
    WriteBatch b;
    for (int k = 0; k < kKeys; ++k)
      b.Put("atom/" + std::to_string(100 + k), std::to_string(generation));
    return b;
  };
  ASSERT_TRUE(this->store_->Write(make_batch(0), false).ok());
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::atomic<int> scans{0};
  std::thread reader([&] {
    while (!done.load()) {
      std::set<std::string> values;
      int count = 0;
      Status s = this->store_->Scan("atom/", "atom0", [&](std::string_view, std::string_view v) {
        values.emplace(v);
        ++count;
        return true;
      });
      if (!s.ok() || values.size() != 1 || count != kKeys) torn.fetch_add(1);
      scans.fetch_add(1);
    }
  });
  for (int g = 1; g <= 300; ++g) ASSERT_TRUE(this->store_->Write(make_batch(g), false).ok());
  while (scans.load() < 10) std::this_thread::yield();
  done = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0) << "a scan saw a partially applied batch";
}

TYPED_TEST(StoreConformanceTest, MatchesOrderedMapModel) {
  std::mt19937_64 rng(20240611);
  const char alphabet[] = {'\x00', '\x01', 'a', '\x7F', '\x80', '\xFF'};
  auto random_key = [&] {
    std::string k(rng() % 4, '\0');
    for (char& c : k) c = alphabet[rng() % sizeof(alphabet)];
    return k;
  };
  std::map<std::string, std::string> model;
  for (int round = 0; round < 200; ++round) {
    WriteBatch b;
    std::map<std::string, std::string> next = model;
    const int ops = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < ops; ++i) {
      std::string k = random_key();
      switch (rng() % 4) {
        case 0:
        case 1: {
          std::string v = std::to_string(rng() % 1000);
          b.Put(k, v);
          next[k] = v;
          break;
        }
        case 2:
          b.Delete(k);
          next.erase(k);
          break;
        case 3: {
          std::string e = random_key();
          if (e < k) std::swap(k, e);
          b.DeleteRange(k, e);
          next.erase(next.lower_bound(k), next.lower_bound(e));
          break;
        }
      }
    }
    ASSERT_TRUE(this->store_->Write(b, rng() % 2 == 0).ok());
    model = std::move(next);

    std::string begin = random_key();
    std::string end = rng() % 3 == 0 ? std::string() : random_key();
    Entries expected;
    for (auto it = model.lower_bound(begin); it != model.end(); ++it) {
      if (!end.empty() && it->first >= end) break;
      expected.emplace_back(it->first, it->second);
    }
    ASSERT_EQ(this->ScanAll(begin, end), expected) << "round " << round;
    std::string probe = random_key();
    auto found = model.find(probe);
    ASSERT_EQ(this->Get(probe),
              found == model.end() ? std::nullopt : std::optional<std::string>(found->second));
  }
}

// Batches shaped like Kinesis PutRecords (ascending runs per shard, interleaved) mixed with
// overwrites, deletes and range deletes, big enough to fill and split a store's internal
// chunks and to make stores reorder ops within a batch (batch_order.h); Write and
// WriteOwned alternate.
TYPED_TEST(StoreConformanceTest, LargeInterleavedBatchesMatchModel) {
  std::mt19937_64 rng(977);
  auto key_of = [](uint64_t shard, uint64_t counter) {
    std::string k = "kinesis/r";
    AppendU64BE(&k, shard);
    AppendU64BE(&k, counter);
    return k;
  };
  std::map<std::string, std::string> model;
  std::vector<uint64_t> next_counter(5, 0);
  for (int round = 0; round < 40; ++round) {
    WriteBatch b;
    std::map<std::string, std::string> next = model;
    const int ops = 1 + static_cast<int>(rng() % 400);
    for (int i = 0; i < ops; ++i) {
      const uint64_t shard = rng() % 5;
      const uint64_t roll = rng() % 100;
      if (roll < 80 || next_counter[shard] == 0) {
        std::string k = key_of(shard, next_counter[shard]++);
        std::string v = std::to_string(round) + "/" + std::to_string(i);
        b.Put(k, v);
        next[k] = v;
      } else if (roll < 90) {
        std::string k = key_of(shard, rng() % next_counter[shard]);
        std::string v = "over" + std::to_string(i);
        b.Put(k, v);
        next[k] = v;
      } else if (roll < 97) {
        std::string k = key_of(shard, rng() % (next_counter[shard] + 1));
        b.Delete(k);
        next.erase(k);
      } else {
        const uint64_t from = rng() % next_counter[shard];
        std::string k = key_of(shard, from);
        std::string e = key_of(shard, from + rng() % 50);
        b.DeleteRange(k, e);
        next.erase(next.lower_bound(k), next.lower_bound(e));
      }
    }
    if (round % 2 == 0) {
      ASSERT_TRUE(this->store_->Write(b, false).ok());
    } else {
      ASSERT_TRUE(this->store_->WriteOwned(std::move(b), false).ok());
    }
    model = std::move(next);
    Entries expected(model.begin(), model.end());
    ASSERT_EQ(this->ScanAll("", ""), expected) << "round " << round;
    const std::string probe = key_of(rng() % 5, rng() % (next_counter[0] + 1));
    auto found = model.find(probe);
    ASSERT_EQ(this->Get(probe),
              found == model.end() ? std::nullopt : std::optional<std::string>(found->second));
  }
}

}  // namespace
}  // namespace tidepool::storage

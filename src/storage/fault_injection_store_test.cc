// The durability proof: with Durability::kSync nothing acknowledged is lost in a machine
// crash (FaultInjectionStore::DropUnsyncedData); with kAsync acknowledged writes can be.
#include "storage/fault_injection_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/commit_queue.h"

namespace tidepool::storage {
namespace {

WriteBatch PutBatch(const std::string& key, const std::string& value) {
  WriteBatch b;
  b.Put(key, value);
  return b;
}

TEST(FaultInjectionStoreTest, DropForgetsOnlyUnsyncedWrites) {
  FaultInjectionStore store;
  ASSERT_TRUE(store.Write(PutBatch("synced", "1"), true).ok());
  ASSERT_TRUE(store.Write(PutBatch("unsynced", "2"), false).ok());
  WriteBatch del;
  del.Delete("synced");
  ASSERT_TRUE(store.Write(del, false).ok());
  EXPECT_EQ(*store.Get("unsynced"), "2");  // visible before the crash
  EXPECT_EQ(*store.Get("synced"), std::nullopt);
  EXPECT_EQ(store.unsynced_batches(), 2u);

  store.DropUnsyncedData();
  EXPECT_EQ(*store.Get("synced"), "1");  // the unsynced delete is undone
  EXPECT_EQ(*store.Get("unsynced"), std::nullopt);
  EXPECT_EQ(store.unsynced_batches(), 0u);
}

TEST(FaultInjectionStoreTest, SyncMakesEarlierUnsyncedWritesDurable) {
  FaultInjectionStore store;
  ASSERT_TRUE(store.Write(PutBatch("a", "1"), false).ok());
  ASSERT_TRUE(store.Write(PutBatch("b", "2"), true).ok());
  ASSERT_TRUE(store.Write(PutBatch("c", "3"), false).ok());
  store.DropUnsyncedData();
  EXPECT_EQ(*store.Get("a"), "1");
  EXPECT_EQ(*store.Get("b"), "2");
  EXPECT_EQ(*store.Get("c"), std::nullopt);
  EXPECT_EQ(store.writes(), 3u);
  EXPECT_EQ(store.synced_writes(), 1u);
}

TEST(FaultInjectionStoreTest, InjectedErrorFailsWritesAndAppliesNothing) {
  FaultInjectionStore store;
  store.InjectWriteError(Status::IoError("injected"));
  EXPECT_EQ(store.Write(PutBatch("a", "1"), true).code(), StatusCode::kIoError);
  EXPECT_EQ(*store.Get("a"), std::nullopt);
  store.InjectWriteError(Status::Ok());
  EXPECT_TRUE(store.Write(PutBatch("a", "1"), true).ok());
}

// Submits unique keys from 8 threads through a CommitQueue, crashes the store part-way, and
// returns how many keys acknowledged before the crash were missing right after it, plus how
// many were acknowledged.
struct CrashOutcome {
  size_t acked_before_crash = 0;
  size_t lost = 0;
};

CrashOutcome RunCrash(Durability durability, bool crash_while_running) {
  FaultInjectionStore store;
  CommitQueue queue(store, durability);
  std::mutex mu;
  std::set<std::string> acked;
  std::atomic<int> submitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        std::string key = "k/" + std::to_string(t) + "/" + std::to_string(i);
        Status s = queue.Submit(PutBatch(key, "v"), [&, key](const Status& st) {
          if (!st.ok()) return;
          std::lock_guard lock(mu);
          acked.insert(key);
        });
        EXPECT_TRUE(s.ok());
        submitted.fetch_add(1);
      }
    });
  }
  if (crash_while_running) {
    while (submitted.load() < 1000) std::this_thread::yield();
  } else {
    for (auto& t : threads) t.join();
    queue.Flush();
  }

  CrashOutcome outcome;
  std::set<std::string> acked_before;
  {
    std::lock_guard lock(mu);
    acked_before = acked;
  }
  store.DropUnsyncedData();  // the machine crashes here
  for (const std::string& key : acked_before) {
    auto value = store.Get(key);
    if (!value.ok() || !value->has_value()) ++outcome.lost;
  }
  outcome.acked_before_crash = acked_before.size();
  for (auto& t : threads) {
    if (t.joinable()) t.join();
  }
  queue.Stop();
  return outcome;
}

TEST(FaultInjectionStoreTest, SyncModeLosesNothingAcknowledged) {
  for (int run = 0; run < 5; ++run) {
    CrashOutcome mid = RunCrash(Durability::kSync, /*crash_while_running=*/true);
    EXPECT_EQ(mid.lost, 0u) << "run " << run << ": acked " << mid.acked_before_crash;
  }
  CrashOutcome after = RunCrash(Durability::kSync, /*crash_while_running=*/false);
  EXPECT_EQ(after.acked_before_crash, 2400u);
  EXPECT_EQ(after.lost, 0u);
}

// The same harness does detect loss: kAsync acknowledges writes that a crash then drops.
TEST(FaultInjectionStoreTest, AsyncModeCanLoseAcknowledgedWrites) {
  CrashOutcome after = RunCrash(Durability::kAsync, /*crash_while_running=*/false);
  EXPECT_EQ(after.acked_before_crash, 2400u);
  EXPECT_GT(after.lost, 0u);
}

}  // namespace
}  // namespace tidepool::storage

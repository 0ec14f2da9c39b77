#include "storage/commit_queue.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/fault_injection_store.h"
#include "storage/memory_store.h"

namespace tidepool::storage {
namespace {

using namespace std::chrono_literals;

// Wraps a store; every Write blocks until the gate is opened, so a test can make batches
// pile up behind a write in progress.
class GatedStore final : public Store {
 public:
  explicit GatedStore(Store& inner) : inner_(inner) {}

  Result<std::optional<std::string>> Get(std::string_view key) const override {
    return inner_.Get(key);
  }
  Status Scan(std::string_view b, std::string_view e, const Visitor& v) const override {
    return inner_.Scan(b, e, v);
  }
  Status Write(const WriteBatch& batch, bool sync) override {
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    {
      std::unique_lock lock(mu_);
      ++entered_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return open_; });
      syncs_ += sync ? 1 : 0;
    }
    return inner_.Write(batch, sync);
  }

  void WaitEntered(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int entered() {
    std::lock_guard lock(mu_);
    return entered_;
  }
  // Every Write takes at least `delay` (a stand-in for an fsync).
  void set_delay(std::chrono::microseconds delay) { delay_ = delay; }
  int syncs() {
    std::lock_guard lock(mu_);
    return syncs_;
  }

 private:
  Store& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int entered_ = 0;
  int syncs_ = 0;
  std::chrono::microseconds delay_{0};
};

WriteBatch PutBatch(const std::string& key, const std::string& value) {
  WriteBatch b;
  b.Put(key, value);
  return b;
}

TEST(CommitQueueTest, WritesThenCompletesOnTheWriterThread) {
  MemoryStore store;
  CommitQueue queue(store, Durability::kSync);
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Status got = Status::Internal("not called");
  std::optional<std::string> seen;
  std::thread::id completion_thread;
  ASSERT_TRUE(queue
                  .Submit(PutBatch("k", "v"),
                          [&](const Status& s) {
                            std::lock_guard lock(mu);
                            got = s;
                            seen = *store.Get("k");  // written before the completion runs
                            completion_thread = std::this_thread::get_id();
                            done = true;
                            cv.notify_all();
                          })
                  .ok());
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  EXPECT_TRUE(got.ok()) << got.ToString();
  EXPECT_EQ(seen, "v");
  EXPECT_NE(completion_thread, std::this_thread::get_id());
}

// The writer runs at a lower priority than the thread that created the queue
// (commit_queue.h): 10 nice levels lower, at most 19.
TEST(CommitQueueTest, TheWriterThreadRunsTenNiceLevelsLower) {
  errno = 0;
  const int ours = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  ASSERT_EQ(errno, 0);
  MemoryStore store;
  CommitQueue queue(store, Durability::kSync);
  std::atomic<int> writer{-100};
  ASSERT_TRUE(queue
                  .Submit(PutBatch("k", "v"),
                          [&](const Status&) {  // runs on the writer (no Deferrer)
                            writer = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
                          })
                  .ok());
  queue.Flush();
  EXPECT_EQ(writer.load(), std::min(ours + 10, 19));
}

TEST(CommitQueueTest, NeverCompletesInline) {
  MemoryStore inner;
  GatedStore store(inner);
  CommitQueue queue(store, Durability::kAsync);
  std::atomic<bool> called{false};
  ASSERT_TRUE(queue.Submit(PutBatch("a", "1"), [&](const Status&) { called = true; }).ok());
  store.WaitEntered(1);
  EXPECT_FALSE(called.load());
  store.Open();
  queue.Flush();
  EXPECT_TRUE(called.load());
}

// Submitters serialize Submit() with their own lock (as a shard does); completions must then
// come back in exactly that order, and the store must reflect the last submitted write.
TEST(CommitQueueTest, CompletesInSubmissionOrderUnderConcurrentSubmitters) {
  MemoryStore store;
  CommitQueue queue(store, Durability::kSync);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  std::mutex submit_mu;
  int next_index = 0;
  std::vector<int> completed;  // only touched by completions, i.e. the writer thread
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        std::lock_guard lock(submit_mu);
        const int index = next_index++;
        WriteBatch b;
        b.Put("last", std::to_string(index));
        b.Put("item/" + std::to_string(index), "x");
        Status s = queue.Submit(std::move(b), [&, index](const Status& st) {
          if (!st.ok()) failures.fetch_add(1);
          completed.push_back(index);
        });
        if (!s.ok()) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  queue.Flush();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(completed.size(), static_cast<size_t>(kThreads * kPerThread));
  for (size_t i = 0; i < completed.size(); ++i) ASSERT_EQ(completed[i], static_cast<int>(i));
  EXPECT_EQ(*store.Get("last"), std::to_string(kThreads * kPerThread - 1));
  EXPECT_EQ(store.size(), static_cast<size_t>(kThreads * kPerThread + 1));
  EXPECT_EQ(queue.stats().batches, static_cast<uint64_t>(kThreads * kPerThread));
}

// Without a shared lock, each thread's own batches still complete in its order.
TEST(CommitQueueTest, PerThreadOrderWithoutExternalLock) {
  MemoryStore store;
  CommitQueue queue(store, Durability::kAsync);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 400;
  std::vector<int> last_seen(kThreads, -1);  // only touched by completions
  std::atomic<int> out_of_order{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(queue
                        .Submit(PutBatch("t" + std::to_string(t), std::to_string(i)),
                                [&, t, i](const Status&) {
                                  if (last_seen[t] != i - 1) out_of_order.fetch_add(1);
                                  last_seen[t] = i;
                                })
                        .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  queue.Flush();
  EXPECT_EQ(out_of_order.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(last_seen[t], kPerThread - 1);
    EXPECT_EQ(*store.Get("t" + std::to_string(t)), std::to_string(kPerThread - 1));
  }
}

TEST(CommitQueueTest, BatchesWaitingBehindAWriteFormOneGroup) {
  MemoryStore inner;
  GatedStore store(inner);
  CommitQueue queue(store, Durability::kSync);
  std::atomic<int> ok{0};
  auto count_ok = [&](const Status& s) { ok.fetch_add(s.ok() ? 1 : 0); };
  ASSERT_TRUE(queue.Submit(PutBatch("first", "1"), count_ok).ok());
  store.WaitEntered(1);  // the writer is now stuck in the first group
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        EXPECT_TRUE(queue.Submit(PutBatch(std::to_string(t * 100 + i), "v"), count_ok).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  store.Open();
  queue.Flush();
  EXPECT_EQ(ok.load(), 201);
  EXPECT_EQ(queue.stats().batches, 201u);
  EXPECT_EQ(queue.stats().groups, 2u);
  EXPECT_EQ(store.syncs(), 2);  // kSync: one fsync per group, not per batch
  EXPECT_EQ(inner.size(), 201u);
}

TEST(CommitQueueTest, GroupsFormUnderLoad) {
  MemoryStore inner;
  GatedStore store(inner);
  store.Open();
  store.set_delay(std::chrono::microseconds(200));
  CommitQueue queue(store, Durability::kSync);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(queue
                        .Submit(PutBatch(std::to_string(t) + "/" + std::to_string(i), "v"),
                                [](const Status&) {})
                        .ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  queue.Flush();
  const CommitQueue::Stats stats = queue.stats();
  EXPECT_EQ(stats.batches, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LT(stats.groups, stats.batches);
  EXPECT_EQ(inner.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(CommitQueueTest, HugeBacklogIsSplitIntoSeveralGroups) {
  MemoryStore inner;
  GatedStore store(inner);
  CommitQueue queue(store, Durability::kAsync);
  ASSERT_TRUE(queue.Submit(PutBatch("first", "1"), nullptr).ok());
  store.WaitEntered(1);
  // Many small batches, and a few big ones.
  for (int i = 0; i < 10000; ++i) {
    ASSERT_TRUE(queue.Submit(PutBatch("small/" + std::to_string(i), "v"), nullptr).ok());
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        queue.Submit(PutBatch("big/" + std::to_string(i), std::string(5 << 20, 'x')), nullptr)
            .ok());
  }
  store.Open();
  queue.Flush();
  EXPECT_EQ(queue.stats().batches, 10004u);
  // 10000 small batches cannot be one group, and no two 5 MiB batches share one.
  EXPECT_GE(queue.stats().groups, 1u + 2u + 3u);
  EXPECT_EQ(inner.size(), 10004u);
}

TEST(CommitQueueTest, FlushWaitsForEverythingSubmittedBefore) {
  MemoryStore inner;
  GatedStore store(inner);
  CommitQueue queue(store, Durability::kSync);
  std::atomic<int> completed{0};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(queue
                    .Submit(PutBatch(std::to_string(i), "v"),
                            [&](const Status&) { completed.fetch_add(1); })
                    .ok());
  }
  std::atomic<bool> flushed{false};
  std::thread flusher([&] {
    queue.Flush();
    flushed = true;
  });
  store.WaitEntered(1);
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(flushed.load());
  store.Open();
  flusher.join();
  EXPECT_TRUE(flushed.load());
  EXPECT_EQ(completed.load(), 5);
  EXPECT_EQ(inner.size(), 5u);
}

TEST(CommitQueueTest, FlushOnIdleQueueReturns) {
  MemoryStore store;
  CommitQueue queue(store, Durability::kMemory);
  queue.Flush();
  EXPECT_EQ(queue.stats().batches, 0u);
  EXPECT_EQ(queue.stats().groups, 0u);
}

TEST(CommitQueueTest, StopDrainsThenRefuses) {
  MemoryStore inner;
  GatedStore store(inner);
  CommitQueue queue(store, Durability::kSync);
  std::atomic<int> ok{0};
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(queue
                    .Submit(PutBatch(std::to_string(i), "v"),
                            [&](const Status& s) { ok.fetch_add(s.ok() ? 1 : 0); })
                    .ok());
  }
  store.WaitEntered(1);
  std::thread stopper([&] { queue.Stop(); });
  std::this_thread::sleep_for(20ms);
  store.Open();
  stopper.join();
  EXPECT_EQ(ok.load(), 10);
  EXPECT_EQ(inner.size(), 10u);

  auto token = std::make_shared<int>(0);
  std::atomic<bool> called{false};
  Status s = queue.Submit(PutBatch("late", "v"), [&, token](const Status&) { called = true; });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(token.use_count(), 1) << "a refused completion must be dropped";
  queue.Stop();  // idempotent
  queue.Flush();
  EXPECT_FALSE(called.load());
  EXPECT_EQ(*inner.Get("late"), std::nullopt);
}

TEST(CommitQueueTest, DestructorDrains) {
  MemoryStore store;
  std::atomic<int> completed{0};
  {
    CommitQueue queue(store, Durability::kAsync);
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(queue
                      .Submit(PutBatch(std::to_string(i), "v"),
                              [&](const Status&) { completed.fetch_add(1); })
                      .ok());
    }
  }
  EXPECT_EQ(completed.load(), 100);
  EXPECT_EQ(store.size(), 100u);
}

TEST(CommitQueueTest, FailedWriteFailsEveryBatchOfTheGroup) {
  FaultInjectionStore faulty;
  GatedStore store(faulty);
  CommitQueue queue(store, Durability::kSync);
  faulty.InjectWriteError(Status::IoError("disk on fire"));
  std::mutex mu;
  std::vector<Status> results;
  auto record = [&](const Status& s) {
    std::lock_guard lock(mu);
    results.push_back(s);
  };
  ASSERT_TRUE(queue.Submit(PutBatch("first", "1"), record).ok());
  store.WaitEntered(1);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(queue.Submit(PutBatch(std::to_string(i), "v"), record).ok());
  }
  store.Open();
  queue.Flush();
  ASSERT_EQ(results.size(), 21u);
  for (const Status& s : results) {
    EXPECT_EQ(s.code(), StatusCode::kIoError);
    EXPECT_NE(s.message().find("disk on fire"), std::string::npos);
  }
  EXPECT_EQ(queue.stats().groups, 2u);
  EXPECT_EQ(*faulty.Get("first"), std::nullopt);

  // The queue keeps working once the store recovers.
  faulty.InjectWriteError(Status::Ok());
  Status later = Status::Internal("not called");
  ASSERT_TRUE(queue.Submit(PutBatch("later", "v"), [&](const Status& s) { later = s; }).ok());
  queue.Flush();
  EXPECT_TRUE(later.ok()) << later.ToString();
  EXPECT_EQ(*faulty.Get("later"), "v");
}

TEST(CommitQueueTest, InvalidBatchFailsAloneInItsGroup) {
  MemoryStore inner;
  GatedStore store(inner);
  CommitQueue queue(store, Durability::kSync);
  std::vector<StatusCode> codes(4, StatusCode::kInternal);  // written by completions only
  ASSERT_TRUE(
      queue.Submit(PutBatch("first", "1"), [&](const Status& s) { codes[0] = s.code(); }).ok());
  store.WaitEntered(1);
  WriteBatch reversed;
  reversed.Put("bad", "v");
  reversed.DeleteRange("z", "a");
  ASSERT_TRUE(queue.Submit(PutBatch("a", "1"), [&](const Status& s) { codes[1] = s.code(); }).ok());
  ASSERT_TRUE(
      queue.Submit(std::move(reversed), [&](const Status& s) { codes[2] = s.code(); }).ok());
  ASSERT_TRUE(queue.Submit(PutBatch("b", "1"), [&](const Status& s) { codes[3] = s.code(); }).ok());
  store.Open();
  queue.Flush();
  EXPECT_EQ(codes[0], StatusCode::kOk);
  EXPECT_EQ(codes[1], StatusCode::kOk);
  EXPECT_EQ(codes[2], StatusCode::kInvalidArgument);
  EXPECT_EQ(codes[3], StatusCode::kOk);
  EXPECT_EQ(*inner.Get("a"), "1");
  EXPECT_EQ(*inner.Get("b"), "1");
  EXPECT_EQ(*inner.Get("bad"), std::nullopt);
}

TEST(CommitQueueTest, CompletionMaySubmitFlushAndStop) {
  MemoryStore store;
  CommitQueue queue(store, Durability::kAsync);
  std::atomic<bool> chained{false};
  ASSERT_TRUE(queue
                  .Submit(PutBatch("a", "1"),
                          [&](const Status&) {
                            queue.Flush();  // must not deadlock on the writer itself
                            EXPECT_TRUE(queue
                                            .Submit(PutBatch("b", "2"),
                                                    [&](const Status& s) {
                                                      queue.Stop();  // from the writer
                                                      chained = s.ok();
                                                    })
                                            .ok());
                          })
                  .ok());
  // Wait for the chain to finish without Flush racing the chained Submit.
  for (int i = 0; i < 2000 && !chained.load(); ++i) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(chained.load());
  EXPECT_EQ(queue.Submit(PutBatch("c", "3"), nullptr).code(), StatusCode::kUnavailable);
  queue.Stop();  // joins the writer that stopped itself
  EXPECT_EQ(*store.Get("b"), "2");
  EXPECT_EQ(queue.stats().batches, 2u);
}

TEST(CommitQueueTest, ThrowingCompletionDoesNotKillTheWriter) {
  MemoryStore store;
  CommitQueue queue(store, Durability::kAsync);
  ASSERT_TRUE(
      queue.Submit(PutBatch("a", "1"), [](const Status&) { throw std::runtime_error("boom"); })
          .ok());
  std::atomic<bool> second{false};
  ASSERT_TRUE(queue.Submit(PutBatch("b", "2"), [&](const Status&) { second = true; }).ok());
  queue.Flush();
  EXPECT_TRUE(second.load());
}

}  // namespace
}  // namespace tidepool::storage

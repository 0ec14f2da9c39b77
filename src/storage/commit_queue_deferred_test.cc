// CommitQueue with a Deferrer (what `tidepool serve` uses). Memory durability: batches are
// applied inside Submit(). Every mode: completions run later, in submission order, from the
// deferred task (or from Flush/Stop when that task cannot run).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/commit_queue.h"
#include "storage/memory_store.h"

namespace tidepool::storage {
namespace {

// Collects deferred tasks; the test decides when they run.
struct ManualDeferrer {
  std::mutex mu;
  std::vector<std::function<void()>> tasks;

  CommitQueue::Deferrer Get() {
    return [this](std::function<void()> task) {
      std::lock_guard lock(mu);
      tasks.push_back(std::move(task));
    };
  }
  size_t pending() {
    std::lock_guard lock(mu);
    return tasks.size();
  }
  void RunAll() {
    std::vector<std::function<void()>> now;
    {
      std::lock_guard lock(mu);
      now.swap(tasks);
    }
    for (auto& t : now) t();
  }
};

WriteBatch PutBatch(const std::string& key, const std::string& value) {
  WriteBatch b;
  b.Put(key, value);
  return b;
}

TEST(CommitQueueDeferredTest, AppliesAtSubmitAndCompletesOnlyFromTheDeferredTask) {
  MemoryStore store;
  ManualDeferrer deferrer;
  CommitQueue queue(store, Durability::kMemory, deferrer.Get());
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(queue
                    .Submit(PutBatch("k" + std::to_string(i), "v"),
                            [&order, i](const Status& s) {
                              EXPECT_TRUE(s.ok());
                              order.push_back(i);
                            })
                    .ok());
  }
  EXPECT_EQ(*store.Get("k2"), "v");   // applied already
  EXPECT_TRUE(order.empty());         // never inline
  EXPECT_EQ(deferrer.pending(), 1u);  // one task for a burst of submits
  deferrer.RunAll();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(queue.stats().batches, 3u);
  // A later submit schedules a new task.
  ASSERT_TRUE(queue.Submit(PutBatch("k3", "v"), [&](const Status&) { order.push_back(3); }).ok());
  EXPECT_EQ(deferrer.pending(), 1u);
  deferrer.RunAll();
  EXPECT_EQ(order.back(), 3);
}

TEST(CommitQueueDeferredTest, WriterModesHandCompletionsToTheDeferrer) {
  for (Durability durability : {Durability::kSync, Durability::kAsync}) {
    MemoryStore store;
    ManualDeferrer deferrer;
    CommitQueue queue(store, durability, deferrer.Get());
    std::atomic<int> done{0};
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(queue
                      .Submit(PutBatch("k" + std::to_string(i), "v"),
                              [&done, i](const Status& s) {
                                EXPECT_TRUE(s.ok());
                                EXPECT_EQ(done.load(), i);  // in submission order
                                ++done;
                              })
                      .ok());
    }
    // The writer writes, then schedules a task instead of running the completions itself.
    for (int spins = 0; spins < 5000 && deferrer.pending() == 0; ++spins) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GE(deferrer.pending(), 1u);
    queue.Flush();  // waits for the writer, then (the deferrer being idle) drains here
    EXPECT_EQ(done.load(), 3);
    EXPECT_EQ(*store.Get("k2"), "v");
    deferrer.RunAll();  // the scheduled task finds nothing left
    EXPECT_EQ(done.load(), 3);
    EXPECT_EQ(queue.stats().batches, 3u);
  }
}

TEST(CommitQueueDeferredTest, WriterModeStopRunsCompletionsTheDeferrerNeverRan) {
  MemoryStore store;
  ManualDeferrer deferrer;  // never run: e.g. the io_context stopped first
  std::atomic<int> done{0};
  {
    CommitQueue queue(store, Durability::kSync, deferrer.Get());
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(queue
                      .Submit(PutBatch("k" + std::to_string(i), "v"),
                              [&](const Status& s) {
                                EXPECT_TRUE(s.ok());
                                ++done;
                              })
                      .ok());
    }
    queue.Stop();
    EXPECT_EQ(done.load(), 5);
  }
  EXPECT_EQ(done.load(), 5);
}

TEST(CommitQueueDeferredTest, InvalidBatchFailsAloneAndIsNotApplied) {
  MemoryStore store;
  ManualDeferrer deferrer;
  CommitQueue queue(store, Durability::kMemory, deferrer.Get());
  WriteBatch bad;
  bad.DeleteRange("b", "a");  // end before begin
  std::vector<StatusCode> codes;
  ASSERT_TRUE(
      queue.Submit(std::move(bad), [&](const Status& s) { codes.push_back(s.code()); }).ok());
  ASSERT_TRUE(
      queue.Submit(PutBatch("a", "1"), [&](const Status& s) { codes.push_back(s.code()); }).ok());
  deferrer.RunAll();
  EXPECT_EQ(codes, (std::vector<StatusCode>{StatusCode::kInvalidArgument, StatusCode::kOk}));
  EXPECT_EQ(*store.Get("a"), "1");
}

TEST(CommitQueueDeferredTest, FlushRunsPendingCompletionsOnTheCaller) {
  MemoryStore store;
  ManualDeferrer deferrer;  // never run by the test: Flush must not wait for it
  CommitQueue queue(store, Durability::kMemory, deferrer.Get());
  bool done = false;
  ASSERT_TRUE(queue.Submit(PutBatch("a", "1"), [&](const Status&) { done = true; }).ok());
  queue.Flush();
  EXPECT_TRUE(done);
  deferrer.RunAll();  // the stale task finds nothing to do
  EXPECT_EQ(queue.stats().batches, 1u);
}

TEST(CommitQueueDeferredTest, StopCompletesEverythingThenRefuses) {
  MemoryStore store;
  ManualDeferrer deferrer;
  CommitQueue queue(store, Durability::kMemory, deferrer.Get());
  int done = 0;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        queue.Submit(PutBatch("k", std::to_string(i)), [&](const Status&) { ++done; }).ok());
  }
  queue.Stop();
  EXPECT_EQ(done, 5);
  EXPECT_EQ(queue.Submit(PutBatch("x", "y"), nullptr).code(), StatusCode::kUnavailable);
  EXPECT_EQ(*store.Get("x"), std::nullopt);
  queue.Stop();  // idempotent
}

TEST(CommitQueueDeferredTest, CompletionMaySubmitFlushAndStop) {
  MemoryStore store;
  ManualDeferrer deferrer;
  CommitQueue queue(store, Durability::kMemory, deferrer.Get());
  std::vector<std::string> seen;
  ASSERT_TRUE(queue
                  .Submit(PutBatch("a", "1"),
                          [&](const Status&) {
                            seen.push_back("a");
                            queue.Flush();  // must not deadlock on the drain itself
                            EXPECT_TRUE(queue
                                            .Submit(PutBatch("b", "2"),
                                                    [&](const Status& s) {
                                                      seen.push_back("b");
                                                      queue.Stop();  // from a completion
                                                      EXPECT_TRUE(s.ok());
                                                    })
                                            .ok());
                          })
                  .ok());
  deferrer.RunAll();  // the chained completion runs in the same drain
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(queue.Submit(PutBatch("c", "3"), nullptr).code(), StatusCode::kUnavailable);
  EXPECT_EQ(*store.Get("b"), "2");
}

// Several threads submit (each under its own lock, as a shard does) while two threads drain:
// every completion runs exactly once and, per submitter, in submission order.
TEST(CommitQueueDeferredTest, ConcurrentSubmittersAndDrainers) {
  MemoryStore store;
  std::mutex task_mu;
  std::vector<std::function<void()>> tasks;
  std::atomic<bool> stop{false};
  CommitQueue queue(store, Durability::kMemory, [&](std::function<void()> task) {
    std::lock_guard lock(task_mu);
    tasks.push_back(std::move(task));
  });
  auto drainer = [&] {
    while (!stop.load()) {
      std::function<void()> task;
      {
        std::lock_guard lock(task_mu);
        if (!tasks.empty()) {
          task = std::move(tasks.back());
          tasks.pop_back();
        }
      }
      if (task) task();
      std::this_thread::yield();
    }
  };
  std::thread d1(drainer), d2(drainer);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::vector<int>> got(kThreads);
  std::vector<std::thread> submitters;
  for (int t = 0; t < kThreads; ++t) {
    submitters.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        ASSERT_TRUE(queue
                        .Submit(PutBatch("t" + std::to_string(t), std::to_string(i)),
                                [&got, t, i](const Status&) { got[t].push_back(i); })
                        .ok());
      }
    });
  }
  for (auto& s : submitters) s.join();
  queue.Flush();
  stop = true;
  d1.join();
  d2.join();
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(got[t].size(), static_cast<size_t>(kPerThread));
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(got[t][i], i);
    EXPECT_EQ(*store.Get("t" + std::to_string(t)), std::to_string(kPerThread - 1));
  }
}

}  // namespace
}  // namespace tidepool::storage

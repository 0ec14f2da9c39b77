// CommitQueue: the one way state changes reach the store (group commit).
//
// Handlers Submit() a WriteBatch with a completion. One writer thread takes every batch
// waiting, writes them as one Store::Write (fsynced in kSync mode), then runs each completion
// in submission order. Asio threads never wait for the disk.
//
// With a Deferrer (what `tidepool serve` passes: a post to the io_context) the completions
// run on the Deferrer's threads, one task for everything that is ready, instead of on the
// writer: the next group's write and fsync start without waiting for the replies (sync SQS
// send+receive+delete cycles: +45-55% in alternating runs). In memory mode there is no disk
// to wait for either, so Submit() applies the batch to the store at once (under the queue's
// lock, so still in submission order) and no writer thread is started.
//
// Ordering contract: batches are applied and completed in the order Submit() was called.
// A caller that must order its writes (e.g. records of one shard) calls Submit() while holding
// its own resource lock. Completions run one at a time (on the writer thread, or on a
// Deferrer thread) and may take resource locks (Submit() never runs a completion inline, so
// this cannot deadlock), but must stay short: they delay every later completion.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/status.h"
#include "storage/store.h"
#include "storage/write_batch.h"

namespace tidepool::storage {

class CommitQueue {
 public:
  // Called once with the outcome of the write: OK means durable per the durability mode.
  using Completion = std::function<void(const Status&)>;

  // Runs `task` later, never inline, on a thread where completions may run (e.g. posts it to
  // an io_context). Must stay callable until Stop() returns.
  using Deferrer = std::function<void(std::function<void()> task)>;

  // `store` must outlive the queue. Starts the writer thread, except in memory mode with a
  // `defer` (see above).
  CommitQueue(Store& store, Durability durability, Deferrer defer = {});
  ~CommitQueue();  // Stop()s
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Thread-safe. Never runs `done` inline. After Stop() it queues nothing, drops `done`
  // and returns Unavailable; otherwise returns OK and `done` runs exactly once later.
  Status Submit(WriteBatch batch, Completion done);

  // Writes and completes everything submitted so far, then stops the writer; completions the
  // Deferrer has not run yet run here. Idempotent.
  void Stop();

  // Blocks until every batch submitted before the call is written and completed (tests,
  // shutdown). With a Deferrer the calling thread may run pending completions itself.
  void Flush();

  struct Stats {
    uint64_t batches = 0;  // batches submitted and written
    uint64_t groups = 0;   // Store::Write calls (fsyncs in kSync mode)
  };
  Stats stats() const;

 private:
  // How many nice levels the writer thread runs below the thread that created the queue.
  // When the writer shares a core with the I/O threads (the server pinned to one core), a
  // writer at their priority preempts them the moment its fsync returns, and commits the few
  // batches that arrived meanwhile. Ten levels lower it waits until they block or their slice
  // ends, then commits all they produced in one group. Measured on the 2-core VM: in sync SQS
  // send+receive+delete cycles the writer blocked 2-2.5 times less often (fewer, larger
  // groups) and the server took 7-15% less CPU per request; sync PutRecord 15-18% less. Where
  // the writer has a core to itself, its nice value changes nothing.
  static constexpr int kWriterNice = 10;

  void WriterLoop();
  // With a Deferrer: runs every ready completion in order; one thread at a time.
  void DrainReady();

  Store& store_;
  const Durability durability_;
  mutable std::mutex mu_;
  std::condition_variable wake_;        // a batch arrived or stop was asked
  std::condition_variable progressed_;  // a group finished (for Flush)
  struct Pending {
    WriteBatch batch;
    Completion done;
  };
  std::deque<Pending> pending_;
  uint64_t submitted_ = 0;  // guarded by mu_
  uint64_t written_ = 0;    // guarded by mu_ (with a Deferrer: completed)
  uint64_t handed_ = 0;     // guarded by mu_; writer with a Deferrer: written and handed over
  uint64_t groups_ = 0;     // guarded by mu_
  bool stopping_ = false;
  std::thread writer_;

  // With a Deferrer, completions run on its threads (DrainReady), in every mode.
  const Deferrer defer_;
  // Memory durability with a Deferrer: batches are applied inside Submit(), no writer thread.
  const bool apply_at_submit_;
  struct Ready {
    Completion done;
    Status status;
  };
  std::vector<Ready> ready_;      // written, not yet completed; guarded by mu_
  bool drain_scheduled_ = false;  // a DrainReady task is deferred or running; guarded by mu_
  std::mutex drain_mu_;           // held while completions run
};

}  // namespace tidepool::storage

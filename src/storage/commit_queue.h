// CommitQueue: the one way state changes reach the store (group commit).
//
// Handlers Submit() a WriteBatch with a completion. One writer thread takes every batch
// waiting, writes them as one Store::Write (fsynced in kSync mode), then runs each completion
// in submission order, on the writer thread. Asio threads never wait for the disk.
//
// Ordering contract: batches are applied and completed in the order Submit() was called.
// A caller that must order its writes (e.g. records of one shard) calls Submit() while holding
// its own resource lock. Completions run on the writer thread and may take resource locks
// (Submit() never runs a completion inline, so this cannot deadlock), but must stay short:
// they delay every later completion.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "storage/store.h"
#include "storage/write_batch.h"

namespace tidepool::storage {

class CommitQueue {
 public:
  // Called once with the outcome of the write: OK means durable per the durability mode.
  using Completion = std::function<void(const Status&)>;

  // `store` must outlive the queue. Starts the writer thread.
  CommitQueue(Store& store, Durability durability);
  ~CommitQueue();  // Stop()s
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Thread-safe. Never runs `done` inline. After Stop() it queues nothing, drops `done`
  // and returns Unavailable; otherwise returns OK and `done` runs exactly once later.
  Status Submit(WriteBatch batch, Completion done);

  // Writes and completes everything submitted so far, then stops the writer. Idempotent.
  void Stop();

  // Blocks until every batch submitted before the call is written (tests, shutdown).
  void Flush();

  struct Stats {
    uint64_t batches = 0;  // batches submitted and written
    uint64_t groups = 0;   // Store::Write calls (fsyncs in kSync mode)
  };
  Stats stats() const;

 private:
  void WriterLoop();

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
  uint64_t written_ = 0;    // guarded by mu_
  uint64_t groups_ = 0;     // guarded by mu_
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace tidepool::storage

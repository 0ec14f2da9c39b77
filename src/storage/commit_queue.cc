#include "storage/commit_queue.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <utility>
#include <vector>

#include "storage/batch_check.h"

namespace tidepool::storage {
namespace {

// A group stops growing at either limit, so one huge backlog is written in several Writes
// and the first requests in it are acknowledged without waiting for the last.
constexpr size_t kMaxGroupBytes = 8 << 20;
constexpr size_t kMaxGroupBatches = 4096;

// The queue whose writer loop runs on this thread, if any: Stop() and Flush() called from a
// completion must not wait for the writer, which is the caller itself.
thread_local const CommitQueue* current_writer_of = nullptr;
// The queue whose ready completions this thread is running (with a Deferrer), if any.
thread_local const CommitQueue* current_drainer_of = nullptr;

void RunCompletion(CommitQueue::Completion& done, const Status& status) {
  if (!done) return;
  try {
    done(status);
  } catch (const std::exception& e) {
    spdlog::error("commit queue: a completion threw: {}", e.what());
  } catch (...) {
    spdlog::error("commit queue: a completion threw a non-standard exception");
  }
}

}  // namespace

CommitQueue::CommitQueue(Store& store, Durability durability, Deferrer defer)
    : store_(store),
      durability_(durability),
      defer_(std::move(defer)),
      apply_at_submit_(durability == Durability::kMemory && defer_) {
  if (!apply_at_submit_) writer_ = std::thread([this] { WriterLoop(); });
}

CommitQueue::~CommitQueue() { Stop(); }

Status CommitQueue::Submit(WriteBatch batch, Completion done) {
  if (apply_at_submit_) {
    bool schedule = false;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return Status::Unavailable("commit queue is stopped");
      Status status = CheckWriteBatch(batch);
      if (status.ok()) {
        try {
          status = store_.WriteOwned(std::move(batch), /*sync=*/false);
          ++groups_;
        } catch (const std::exception& e) {
          status = Status::Internal(std::string("store write threw: ") + e.what());
        }
      }
      ready_.push_back(Ready{std::move(done), std::move(status)});
      ++submitted_;
      schedule = !drain_scheduled_;
      drain_scheduled_ = true;
    }
    if (schedule) defer_([this] { DrainReady(); });
    return Status::Ok();
  }
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::Unavailable("commit queue is stopped");
    pending_.push_back(Pending{std::move(batch), std::move(done)});
    ++submitted_;
  }
  wake_.notify_one();
  return Status::Ok();
}

void CommitQueue::DrainReady() {
  if (current_drainer_of == this) return;  // a completion's Flush/Stop: the loop below goes on
  std::lock_guard drain(drain_mu_);
  current_drainer_of = this;
  std::vector<Ready> batch;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      written_ += batch.size();
      batch.clear();
      if (ready_.empty()) {
        drain_scheduled_ = false;
        break;
      }
      batch.swap(ready_);
    }
    for (Ready& r : batch) RunCompletion(r.done, r.status);
  }
  current_drainer_of = nullptr;
  progressed_.notify_all();
}

void CommitQueue::Stop() {
  if (apply_at_submit_) {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    DrainReady();  // the Deferrer may already be gone; completions run here instead
    return;
  }
  std::thread writer;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    // From a completion the writer cannot join itself: it exits once drained and a later
    // Stop() (at the latest the destructor's) joins it.
    if (current_writer_of == this) return;
    writer = std::move(writer_);
  }
  wake_.notify_one();
  if (writer.joinable()) {
    writer.join();
    if (defer_) DrainReady();  // handed to a Deferrer that may already be gone
    return;
  }
  // Another thread's Stop() is joining (or already joined) the writer: wait for the drain.
  std::unique_lock lock(mu_);
  progressed_.wait(lock, [this] { return written_ == submitted_; });
}

void CommitQueue::Flush() {
  // The writer cannot wait for itself: from a completion, Flush returns at once.
  if (current_writer_of == this || current_drainer_of == this) return;
  if (apply_at_submit_) DrainReady();
  std::unique_lock lock(mu_);
  const uint64_t target = submitted_;
  if (defer_ && !apply_at_submit_) {
    // The Deferrer may be this very thread: once the writer has handed everything over, run
    // the completions here rather than wait for a task that cannot run.
    progressed_.wait(lock, [&] { return handed_ >= target; });
    lock.unlock();
    DrainReady();
    lock.lock();
  }
  progressed_.wait(lock, [&] { return written_ >= target; });
}

CommitQueue::Stats CommitQueue::stats() const {
  std::lock_guard lock(mu_);
  return Stats{.batches = written_, .groups = groups_};
}

void CommitQueue::WriterLoop() {
  current_writer_of = this;
  // See kWriterNice: relative to the nice value the thread inherited. Raising a thread's nice
  // value needs no privilege; failing only costs throughput.
  errno = 0;
  const int inherited = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  const int nice = std::min(inherited + kWriterNice, 19);
  if (errno != 0 || ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice) != 0) {
    spdlog::debug("commit queue: cannot lower the writer's priority: {}", std::strerror(errno));
  }
  const bool sync = durability_ == Durability::kSync;
  std::vector<Pending> group;
  std::vector<Status> rejected;  // per batch in `group`: OK, or why it was left out
  WriteBatch merged;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return !pending_.empty() || stopping_; });
      if (pending_.empty()) return;  // stopping, and everything is written
      size_t bytes = 0;
      while (!pending_.empty() && group.size() < kMaxGroupBatches &&
             (group.empty() || bytes + pending_.front().batch.ByteSize() <= kMaxGroupBytes)) {
        bytes += pending_.front().batch.ByteSize();
        group.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
    }

    // A batch the store would reject fails alone instead of failing its whole group.
    rejected.clear();
    size_t valid = 0;
    size_t last_valid = 0;
    for (size_t i = 0; i < group.size(); ++i) {
      rejected.push_back(CheckWriteBatch(group[i].batch));
      if (rejected.back().ok()) {
        ++valid;
        last_valid = i;
      }
    }

    Status written;
    if (valid > 0) {
      try {
        if (valid == 1) {
          written = store_.Write(group[last_valid].batch, sync);
        } else {
          merged.Clear();
          for (size_t i = 0; i < group.size(); ++i) {
            if (rejected[i].ok()) merged.Append(std::move(group[i].batch));
          }
          written = store_.Write(merged, sync);
          merged.Clear();  // frees the moved-in payloads now, keeps the op vector's capacity
        }
      } catch (const std::exception& e) {
        written = Status::Internal(std::string("store write threw: ") + e.what());
      }
      if (!written.ok()) {
        spdlog::error("commit queue: write of {} batches failed: {}", valid, written.ToString());
      }
    }

    if (defer_) {
      // The completions run on a Deferrer thread: the next group's write (and fsync) need
      // not wait for them.
      bool schedule = false;
      {
        std::lock_guard lock(mu_);
        for (size_t i = 0; i < group.size(); ++i) {
          ready_.push_back(
              Ready{std::move(group[i].done), rejected[i].ok() ? written : rejected[i]});
        }
        handed_ += group.size();
        if (valid > 0) ++groups_;
        schedule = !drain_scheduled_;
        drain_scheduled_ = true;
      }
      progressed_.notify_all();
      if (schedule) defer_([this] { DrainReady(); });
      group.clear();
      continue;
    }
    for (size_t i = 0; i < group.size(); ++i) {
      RunCompletion(group[i].done, rejected[i].ok() ? written : rejected[i]);
    }

    {
      std::lock_guard lock(mu_);
      written_ += group.size();
      if (valid > 0) ++groups_;
    }
    progressed_.notify_all();
    group.clear();
  }
}

}  // namespace tidepool::storage

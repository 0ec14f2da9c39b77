// The state StreamMapping keeps per shard and per lane (stream_mapping.h); guarded by the
// mapping's mutex. Internal to stream_mapping*.cc.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/stream_mapping.h"

namespace tidepool::engine {

// Data per batch: the invoke payload stays under Lambda's 6 MB once base64 and JSON are added.
inline constexpr size_t kMaxBatchBytes = 4 * 1024 * 1024;

// Wall-clock milliseconds since the epoch (record arrival times and windows are on this clock).
inline int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One lane of a shard: its records in sequence order, one batch in flight at a time.
struct StreamMapping::Lane {
  struct Item {
    uint64_t ordinal;  // the record's place in Shard::order
    size_t bytes;
    boost::json::object record;  // wire form
  };
  std::deque<Item> buffer;  // records read and not yet done
  size_t bytes = 0;         // data in `buffer`
  bool busy = false;        // an invocation or a back-off is in progress
  bool window_armed = false;
  int64_t window_start_ms = 0;  // when the first waiting record arrived (batching window)
  std::chrono::steady_clock::time_point woken{};  // first wake not yet dispatched (metrics)
  int attempts = 0;                               // failed invocations of the batch at the front
  size_t limit = 0;                               // bisected batch size (0: BatchSize)
  size_t bisect_left = 0;                         // records of the bisected batch not yet through
  std::shared_ptr<boost::asio::steady_timer> timer;
  std::shared_ptr<boost::asio::steady_timer> window_timer;

  // Tumbling windows, one state per lane: the open window (epoch ms; -1: none), the state its
  // last invocation returned, and whether that state outgrew its limit (the window then ends
  // early). `through` is the sequence number of the last record the lane finished; with several
  // lanes it is stored with the state, and after a restart (`skip_through`) the lane skips the
  // records up to it that come again from the shard's position, so none is folded in twice.
  int64_t window_start = -1;
  std::string window_state = "{}";
  bool window_full = false;
  std::string through;
  std::string skip_through;
  bool tumble_armed = false;  // tumble_timer waits for the open window's end
  std::shared_ptr<boost::asio::steady_timer> tumble_timer;
};

struct StreamMapping::Shard {
  std::string id;
  std::string parent;
  std::string adjacent_parent;
  std::string read_after;      // sequence number of the last record read; empty: use `start`
  std::string start = "trim";  // when read_after is empty: "trim" or "at" (AT_TIMESTAMP)
  std::string iterator;        // the next GetRecords iterator; empty: get one
  bool reading = false;        // a read or a read back-off is in progress
  bool caught_up = false;      // the last read found nothing and no wake came since
  bool ended = false;          // a closed shard read to its end
  bool done = false;           // ended, and every record read is done
  std::chrono::steady_clock::time_point woken{};  // first wake not yet read (metrics)
  std::shared_ptr<boost::asio::steady_timer> read_timer;

  std::vector<StreamMapping::LanePtr> lanes;  // ParallelizationFactor of them
  // Every record read and not yet passed by the stored position, in sequence order.
  struct Entry {
    std::string seq;
    bool done = false;
  };
  std::deque<Entry> order;
  uint64_t first_ordinal = 0;  // the ordinal of order.front()
  size_t buffered = 0;         // records in the lanes
  size_t buffered_bytes = 0;
  // Outcomes other than delivery of records not yet passed by the position, by sequence
  // number ('f' filtered, 'e' expired, 'o' sent to the on-failure destination, 'x' dropped).
  std::map<std::string, char> marks;
  // The ledger run the last passed record belongs to (empty outcome: it was delivered).
  struct Run {
    char outcome = 0;
    std::string first;
    std::string last;
    uint64_t count = 0;
  } run;

  bool Idle() const {
    for (const auto& l : lanes) {
      if (l->busy) return false;
    }
    return order.empty();
  }
  bool WindowOpen() const {
    for (const auto& l : lanes) {
      if (l->window_start >= 0) return true;
    }
    return false;
  }
  void SetLanes(size_t n) {
    lanes.clear();
    for (size_t i = 0; i < n; ++i) lanes.push_back(std::make_shared<StreamMapping::Lane>());
  }
};

}  // namespace tidepool::engine

// OwnedRecords: one kind of record of the API Gateway keyspace (keyspace.h: kind byte, then a
// string key) kept in memory and written through the commit queue, each record a JSON object
// owned by an account and region ({"account", "region", ...}). Custom domain names and VPC
// links are such tables.
//
// Thread-safety: every method may be called from any thread (one shared mutex; a write holds
// it from the edit to the submission of its batch, so records commit in edit order). The
// object must outlive the CommitQueue's pending completions.
#pragma once

#include <boost/json/object.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "protocol/service.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::apigateway {

class OwnedRecords {
 public:
  OwnedRecords(storage::CommitQueue& commits, char kind) : commits_(commits), kind_(kind) {}

  // Loads every record of the kind; undecodable ones are logged and skipped.
  Status Recover(storage::Store& store);

  // A management edit of record `key`, owned by the caller's account and region (NotFound
  // `not_found` otherwise). With `create` the record must not exist (ConflictException
  // `exists`) and `edit` starts from {"account","region"} of the caller. `edit` changes a
  // copy; an edit that empties the record deletes it. The edit's output is replied once the
  // record is durable.
  using Edit = std::function<Result<boost::json::object>(boost::json::object& record)>;
  void Change(protocol::CallPtr call, const std::string& key, bool create,
              std::string_view not_found, std::string_view exists, const Edit& edit);
  // The same without a write: `read` sees the record itself; its output is replied at once.
  void Read(protocol::CallPtr call, const std::string& key, std::string_view not_found,
            const Edit& read);
  // Every record of the caller's account and region, by key.
  std::vector<boost::json::object> List(const protocol::Call& call) const;
  // Runs `visit` with record `key` (nullptr when there is none) under the shared lock.
  void Visit(const std::string& key,
             const std::function<void(const boost::json::object*)>& visit) const;
  // Whether there is no record at all (no lock).
  bool empty() const { return count_.load(std::memory_order_relaxed) == 0; }

 private:
  storage::CommitQueue& commits_;
  const char kind_;
  mutable std::shared_mutex mu_;
  std::map<std::string, boost::json::object> records_;
  std::atomic<size_t> count_{0};  // records_.size()
};

}  // namespace tidepool::apigateway

// The write path every service shares: submit a WriteBatch on behalf of a call, then reply
// once it is committed or fail with the service's own error mapping. Header-only; used by
// src/services/<name>/ (each passes its ToAwsError).
#pragma once

#include <spdlog/spdlog.h>
#include <boost/json/object.hpp>

#include <string_view>
#include <utility>

#include "core/status.h"
#include "protocol/service.h"
#include "storage/commit_queue.h"
#include "storage/write_batch.h"

namespace tidepool::services {

// A service's mapping from a Status to the AWS error its clients expect.
using ErrorMapper = protocol::AwsError (*)(const Status&);

// Submits `batch`; `done` runs once it is durable (or with the error). When the queue refuses
// the batch (the server is stopping), `call` (if any) fails at once, `done` never runs, and
// false is returned.
inline bool SubmitForCall(storage::CommitQueue& commits, storage::WriteBatch batch,
                          const protocol::CallPtr& call, storage::CommitQueue::Completion done,
                          ErrorMapper to_error) {
  Status st = commits.Submit(std::move(batch), std::move(done));
  if (st.ok()) return true;
  if (call) call->Fail(to_error(st));
  return false;
}

// A completion that replies `output` to `call` once committed, or fails it with the commit's
// error. With no call (an internal write, e.g. a status transition), a failure is logged as
// `service`'s.
inline storage::CommitQueue::Completion ReplyWhenCommitted(protocol::CallPtr call,
                                                           boost::json::object output,
                                                           ErrorMapper to_error,
                                                           std::string_view service) {
  return [call = std::move(call), output = std::move(output), to_error,
          service](const Status& st) mutable {
    if (!call) {
      if (!st.ok()) spdlog::error("{}: commit failed: {}", service, st.ToString());
      return;
    }
    if (st.ok()) {
      call->Reply(std::move(output));
    } else {
      call->Fail(to_error(st));
    }
  };
}

}  // namespace tidepool::services

// Queue attributes: validation of the values CreateQueue / SetQueueAttributes set (AWS's
// ranges and errors), and rendering for GetQueueAttributes. Pure; thread-safe; callers hold
// the queue's lock when they pass a Queue.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/sqs/queue.h"

namespace tidepool::sqs {

// A parsed RedrivePolicy, for the caller to check against the target queue.
struct RedriveChange {
  bool present = false;    // RedrivePolicy was among the attributes
  std::string target_arn;  // empty: the policy is removed
  int64_t max_receive_count = 0;
};

// Applies `attributes` (a QueueAttributeMap) to `*config`. `creating` allows FifoQueue.
// Errors: InvalidAttributeName for unknown, read-only or wrong-queue-type names,
// InvalidAttributeValue for values out of range. On error `*config` may be partly changed.
Status ApplyAttributes(const boost::json::object& attributes, bool creating, QueueConfig* config,
                       RedriveChange* redrive);

// The attribute CreateQueue found different from the existing queue's (QueueNameExists), or
// empty when all given attributes match.
std::string FirstDifferentAttribute(const boost::json::object& attributes,
                                    const QueueConfig& requested, const QueueConfig& existing);

// The value of one attribute, or false when the queue does not have it (e.g. FIFO-only
// attributes of a standard queue, unset policies). Call q.Promote(now) first.
bool RenderAttribute(const Queue& q, std::string_view name, std::string* value);

// Every attribute name GetQueueAttributes "All" may return, in AWS's order.
const std::vector<std::string_view>& AllAttributeNames();

// Whether `redrive_allow_policy` (JSON text, empty = allowAll) lets `source_arn` use the
// queue as its dead-letter queue.
bool RedriveAllowed(std::string_view redrive_allow_policy, std::string_view source_arn);

}  // namespace tidepool::sqs

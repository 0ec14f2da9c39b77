// QueueMeta: the stored form of a queue's identity, settings and tags (one JSON object per
// queue, written on create and on every settings change):
//   {"uid", "account", "region", "name", "fifo", "created", "modified", "last_purge",
//    "purge_floor", "config": {...QueueConfig members...}, "tags": {...}}
// Pure; thread-safe (the caller holds the queue's lock while encoding).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "services/sqs/queue.h"

namespace tidepool::sqs {

std::string EncodeQueueMeta(const Queue& q);
// A queue with its settings restored (no messages); nullptr for malformed input.
std::shared_ptr<Queue> DecodeQueueMeta(std::string_view value);

}  // namespace tidepool::sqs

// TopicMeta: how a Topic is stored (the value of keyspace::TopicKey), as a JSON object:
//
//   {"arn","account","region","name","fifo":bool,"attributes":{..},"tags":{..},
//    "deleted_subscriptions":n,
//    "subscriptions":[{"arn","owner","protocol","endpoint","pending":bool,"token",
//                      "attributes":{..}}],
//    "unsubscribed":[the same shape]}   (Topic::unsubscribed; absent when empty)
//
// FIFO counters and deduplication records live under their own keys (keyspace.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/sns/topic.h"

namespace tidepool::sns {

// Requires topic.mu held.
std::string EncodeTopicMeta(const Topic& topic);

// Builds a Topic (with subscriptions, their filter policies compiled). Corruption on
// malformed input.
Result<std::shared_ptr<Topic>> DecodeTopicMeta(std::string_view value);

// Recomputes a subscription's derived fields (filter, raw, dlq_arn) from its attributes.
// The attributes must have been validated (a stored policy that no longer parses is
// dropped with a warning).
void ApplyDerived(Subscription& sub);

}  // namespace tidepool::sns

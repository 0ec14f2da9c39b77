// Topics and subscriptions as the SNS service holds them in memory.
//
// A Topic owns its subscriptions; both are guarded by Topic::mu. Every change to a topic or
// to one of its subscriptions rewrites the topic's metadata (topic_codec.h) in one batch
// submitted while holding mu.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "patterns/filter_policy.h"

namespace tidepool::sns {

// Filter policies are the shared event-pattern language (src/patterns/).
using patterns::FilterInput;
using patterns::FilterPolicy;
using patterns::FilterScope;
using patterns::FilterValue;

struct Subscription {
  std::string arn;
  std::string topic_arn;
  std::string owner;
  std::string protocol;  // sqs | http | https | lambda
  std::string endpoint;
  bool pending = false;  // PendingConfirmation (http/https until ConfirmSubscription)
  std::string token;     // confirmation token (http/https)
  // Attributes set by the user: DeliveryPolicy, FilterPolicy, FilterPolicyScope,
  // RawMessageDelivery ("true"/"false"), RedrivePolicy, SubscriptionRoleArn.
  std::map<std::string, std::string> attributes;
  // Derived from attributes (kept in sync by ApplyDerived).
  std::shared_ptr<const FilterPolicy> filter;  // null: no policy
  bool raw = false;
  std::string dlq_arn;  // RedrivePolicy.deadLetterTargetArn, empty for none

  std::string Attribute(std::string_view name) const {
    auto it = attributes.find(std::string(name));
    return it == attributes.end() ? std::string() : it->second;
  }
};

struct DedupRecord {
  std::string message_id;
  std::string sequence_number;
  int64_t expires_micros = 0;
};

struct Topic {
  mutable std::mutex mu;
  std::string arn;
  std::string account;
  std::string region;
  std::string name;
  bool fifo = false;
  // Attributes set by the user (DisplayName, Policy, DeliveryPolicy, KmsMasterKeyId,
  // ContentBasedDeduplication, TracingConfig, SignatureVersion, ...). Computed attributes
  // (Owner, SubscriptionsConfirmed...) are not stored.
  std::map<std::string, std::string> attributes;
  std::map<std::string, std::string> tags;
  std::vector<std::shared_ptr<Subscription>> subscriptions;  // creation order
  // Confirmed http/https subscriptions that Unsubscribe removed, oldest first, at most
  // kKeptUnsubscribed: ConfirmSubscription with the token their UnsubscribeConfirmation
  // carried restores them (as AWS's "restore the subscription" SubscribeURL does).
  static constexpr size_t kKeptUnsubscribed = 100;
  std::vector<std::shared_ptr<Subscription>> unsubscribed;
  uint64_t deleted_subscriptions = 0;
  uint64_t fifo_counter = 0;                           // FIFO: last SequenceNumber
  std::unordered_map<std::string, DedupRecord> dedup;  // FIFO: by deduplication id
  bool deleted = false;  // set under mu when DeleteTopic removes it from the registry

  std::string Attribute(std::string_view name) const {
    auto it = attributes.find(std::string(name));
    return it == attributes.end() ? std::string() : it->second;
  }
  bool ContentBasedDeduplication() const {
    return Attribute("ContentBasedDeduplication") == "true";
  }
  std::shared_ptr<Subscription> FindSubscription(std::string_view arn) const {
    for (const auto& s : subscriptions) {
      if (s->arn == arn) return s;
    }
    return nullptr;
  }
};

}  // namespace tidepool::sns

// S3 event notifications: the bucket's NotificationConfiguration (queue, topic and function
// targets, event types, prefix/suffix filters), the event documents S3 sends (event records
// in AWS's format, eventVersion 2.1; the s3:TestEvent message), and the sink they go to.
// The sink is the engine's (engine/s3_notification_delivery.h), bound by src/main/serve.cc:
// S3 knows no other service. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::s3 {

// Where notification documents go. Thread-safe.
class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // `arn`: an SQS queue, SNS topic or Lambda function ARN; `message`: the JSON document.
  // `done` (may be empty) runs once with `settled` true when the target accepted the message
  // or refused it for good (logged): S3 then forgets its outbox record; false when the sink
  // ran out of retries on a failure that may pass (logged): the record stays, and the next
  // start delivers it again.
  virtual void Deliver(std::string_view arn, std::string message,
                       std::function<void(bool settled)> done = {}) = 0;
};

// An event waiting in the outbox (keyspace 'n'): written in the commit of the change it
// reports, deleted once the sink is done with it, delivered again after a restart otherwise.
struct OutboxEntry {
  std::string store_key;
  std::string arn;
  std::string message;
};

// Checks a PutBucketNotificationConfiguration document (the decoded NotificationConfiguration)
// and returns it as stored: every configuration with an Id (generated when absent). Errors as
// S3 gives them: InvalidArgument for an unknown event, a bad filter rule name, a missing
// destination, or overlapping rules for the same event.
Result<boost::json::object> ValidateNotificationConfiguration(const boost::json::object& config);

struct NotificationTarget {
  std::string arn;
  std::string configuration_id;
};

// The targets of `config` whose events include `event` ("s3:ObjectCreated:Put") and whose
// filter rules accept `key`.
std::vector<NotificationTarget> MatchingTargets(const boost::json::object& config,
                                                std::string_view event, std::string_view key);

// The queue and topic ARNs of `config` (they get the s3:TestEvent when it is saved).
std::vector<std::string> TestEventTargets(const boost::json::object& config);

struct ObjectEvent {
  std::string event;  // "s3:ObjectCreated:Put": the record's eventName drops the "s3:" prefix
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;        // without quotes
  std::string version_id;  // "" when the bucket was never versioned
  std::string region;
  std::string owner;  // the bucket owner's account
  std::string principal;
  std::string source_ip = "127.0.0.1";
  std::string request_id;
  int64_t time_ms = 0;
  uint64_t sequencer = 0;
};

// {"Records":[{eventVersion 2.1, eventSource aws:s3, ...}]} for one target configuration.
std::string EventDocument(const ObjectEvent& event, std::string_view configuration_id);
// {"Service":"Amazon S3","Event":"s3:TestEvent",...}
std::string TestEventDocument(std::string_view bucket, std::string_view request_id,
                              int64_t time_ms);

}  // namespace tidepool::s3

// S3 event notifications: the bucket's NotificationConfiguration (queue, topic and function
// targets, event types, prefix/suffix filters), the event documents S3 sends (event records
// in AWS's format, eventVersion 2.1; the s3:TestEvent message), and the sink they go to.
// The sink is the engine's (engine/s3_notification_delivery.h), bound by src/main/serve.cc:
// S3 knows no other service. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::s3 {

// Where notification documents go. Deliver is fire-and-forget from S3's side: the
// implementation retries or logs. Thread-safe.
class NotificationSink {
 public:
  virtual ~NotificationSink() = default;
  // `arn`: an SQS queue, SNS topic or Lambda function ARN; `message`: the JSON document.
  virtual void Deliver(std::string_view arn, std::string message) = 0;
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
  std::string etag;  // without quotes
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

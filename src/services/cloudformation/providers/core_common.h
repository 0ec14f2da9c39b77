// What the core providers (core_*.cc) share: property checks and conversions, polling, and
// the provider instances the table in core_providers.cc lists.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "services/cloudformation/provider.h"

namespace tidepool::cloudformation::core {

// InvalidRequest naming the first property of `r` that is not in `honoured`: a property a
// provider does not apply is refused, never dropped.
Status CheckProperties(const ResourceRequest& r, std::initializer_list<std::string_view> honoured);

// A scalar as text (numbers and booleans as CloudFormation passes them), anything else as
// JSON text (a policy document given as an object).
std::string Text(const boost::json::value& v);
// Property `key` as Text; "" when absent.
std::string PropText(const boost::json::object& p, std::string_view key);
bool PropBool(const boost::json::object& p, std::string_view key);
int64_t PropInt(const boost::json::object& p, std::string_view key, int64_t otherwise);
const boost::json::array& PropArray(const boost::json::object& p, std::string_view key);
const boost::json::object& PropObject(const boost::json::object& p, std::string_view key);
// Whether any of `keys` differs between `before` and `after`.
bool Changed(const boost::json::object& before, const boost::json::object& after,
             std::initializer_list<std::string_view> keys);
// The Tags property ([{Key, Value}]) as a {key: value} map.
boost::json::object TagMap(const boost::json::object& p);

// Calls `ready` every 50 ms until it says true or fails; InvalidRequest after `timeout`.
Status WaitFor(const std::function<Result<bool>()>& ready, std::chrono::seconds timeout,
               std::string_view what);

// The resource's name: property `name_key`, or GeneratedName.
std::string NameOrGenerated(const ResourceRequest& r, std::string_view name_key, size_t max_length,
                            bool lower_case = false);

// A provider whose Delete tolerates a resource already gone: NotFound is success.
Status IgnoreNotFound(Status s);

// The keys of the Tags of `before` that `after` no longer has.
boost::json::array RemovedTagKeys(const boost::json::object& before,
                                  const boost::json::object& after);

// The one instance of provider class P.
template <typename P>
const ResourceProvider& Instance() {
  static const P provider;
  return provider;
}

// core_messaging.cc
const ResourceProvider& SqsQueue();
const ResourceProvider& SqsQueuePolicy();
const ResourceProvider& SnsTopic();
const ResourceProvider& SnsSubscription();
const ResourceProvider& SnsTopicPolicy();
// core_data.cc
const ResourceProvider& KinesisStream();
const ResourceProvider& KinesisStreamConsumer();
const ResourceProvider& DynamoDbTable();
const ResourceProvider& LogsLogGroup();
const ResourceProvider& WaitConditionHandle();
// core_s3.cc
const ResourceProvider& S3Bucket();
const ResourceProvider& S3BucketPolicy();
// core_iam.cc
const ResourceProvider& IamRole();
const ResourceProvider& IamPolicy();
const ResourceProvider& IamManagedPolicy();

}  // namespace tidepool::cloudformation::core

#include <boost/json.hpp>

#include <array>
#include <thread>

#include "services/cloudformation/intrinsics.h"
#include "services/cloudformation/providers/core_common.h"
#include "services/cloudformation/providers/providers.h"

namespace tidepool::cloudformation {
namespace json = boost::json;

namespace core {

Status CheckProperties(const ResourceRequest& r, std::initializer_list<std::string_view> honoured) {
  for (const auto& [key, _] : r.properties) {
    bool known = false;
    for (std::string_view h : honoured) known = known || key == h;
    if (!known) {
      return Status::InvalidArgument("Property " + std::string(key) + " of " + r.type +
                                     " is not supported by tidepool");
    }
  }
  return Status::Ok();
}

std::string Text(const json::value& v) {
  if (auto s = ScalarText(v)) return *s;
  return json::serialize(v);
}

std::string PropText(const json::object& p, std::string_view key) {
  const json::value* v = p.if_contains(key);
  return v ? Text(*v) : std::string();
}

bool PropBool(const json::object& p, std::string_view key) { return PropText(p, key) == "true"; }

int64_t PropInt(const json::object& p, std::string_view key, int64_t otherwise) {
  std::string t = PropText(p, key);
  if (t.empty()) return otherwise;
  char* end = nullptr;
  long long n = std::strtoll(t.c_str(), &end, 10);
  return end && *end == '\0' ? n : otherwise;
}

const json::array& PropArray(const json::object& p, std::string_view key) {
  static const json::array kEmpty;
  const json::value* v = p.if_contains(key);
  return v && v->is_array() ? v->get_array() : kEmpty;
}

const json::object& PropObject(const json::object& p, std::string_view key) {
  static const json::object kEmpty;
  const json::value* v = p.if_contains(key);
  return v && v->is_object() ? v->get_object() : kEmpty;
}

bool Changed(const json::object& before, const json::object& after,
             std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    const json::value* a = before.if_contains(k);
    const json::value* b = after.if_contains(k);
    if ((a == nullptr) != (b == nullptr) || (a && *a != *b)) return true;
  }
  return false;
}

json::object TagMap(const json::object& p) {
  json::object tags;
  for (const auto& t : PropArray(p, "Tags")) {
    if (!t.is_object()) continue;
    tags[PropText(t.get_object(), "Key")] = PropText(t.get_object(), "Value");
  }
  return tags;
}

Status WaitFor(const std::function<Result<bool>()>& ready, std::chrono::seconds timeout,
               std::string_view what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto done = ready();
    if (!done.ok()) return done.status();
    if (*done) return Status::Ok();
    if (std::chrono::steady_clock::now() > deadline) {
      return Status::InvalidArgument("Timed out waiting for " + std::string(what));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string NameOrGenerated(const ResourceRequest& r, std::string_view name_key, size_t max_length,
                            bool lower_case) {
  std::string name = PropText(r.properties, name_key);
  return name.empty() ? GeneratedName(r, max_length, lower_case) : name;
}

json::array RemovedTagKeys(const json::object& before, const json::object& after) {
  json::array removed;
  json::object tags = TagMap(after);
  for (const auto& [k, _] : TagMap(before)) {
    if (!tags.contains(k)) removed.emplace_back(k);
  }
  return removed;
}

Status IgnoreNotFound(Status s) { return s.code() == StatusCode::kNotFound ? Status::Ok() : s; }

}  // namespace core

namespace {

constexpr std::string_view kArn[] = {"Arn"};
constexpr std::string_view kQueue[] = {"Arn", "QueueName", "QueueUrl"};
constexpr std::string_view kTopic[] = {"TopicArn", "TopicName"};
constexpr std::string_view kSubscription[] = {"Arn"};
constexpr std::string_view kConsumer[] = {"ConsumerARN", "ConsumerName", "ConsumerStatus",
                                          "ConsumerCreationTimestamp", "StreamARN"};
constexpr std::string_view kTableAttributes[] = {"Arn", "StreamArn"};
constexpr std::string_view kBucket[] = {"Arn", "DomainName", "DualStackDomainName",
                                        "RegionalDomainName", "WebsiteURL"};
constexpr std::string_view kRole[] = {"Arn", "RoleId"};
constexpr std::string_view kManagedPolicy[] = {"PolicyArn", "PolicyId"};
constexpr std::string_view kNone[] = {"Id"};

}  // namespace

std::span<const ProviderEntry> CoreProviders() {
  static const std::array<ProviderEntry, 15> kTable{{
      {"AWS::CloudFormation::WaitConditionHandle", &core::WaitConditionHandle(), kNone},
      {"AWS::DynamoDB::Table", &core::DynamoDbTable(), kTableAttributes},
      {"AWS::IAM::ManagedPolicy", &core::IamManagedPolicy(), kManagedPolicy},
      {"AWS::IAM::Policy", &core::IamPolicy(), kNone},
      {"AWS::IAM::Role", &core::IamRole(), kRole},
      {"AWS::Kinesis::Stream", &core::KinesisStream(), kArn},
      {"AWS::Kinesis::StreamConsumer", &core::KinesisStreamConsumer(), kConsumer},
      {"AWS::Logs::LogGroup", &core::LogsLogGroup(), kArn},
      {"AWS::S3::Bucket", &core::S3Bucket(), kBucket},
      {"AWS::S3::BucketPolicy", &core::S3BucketPolicy(), kNone},
      {"AWS::SNS::Subscription", &core::SnsSubscription(), kSubscription},
      {"AWS::SNS::Topic", &core::SnsTopic(), kTopic},
      {"AWS::SNS::TopicPolicy", &core::SnsTopicPolicy(), kNone},
      {"AWS::SQS::Queue", &core::SqsQueue(), kQueue},
      {"AWS::SQS::QueuePolicy", &core::SqsQueuePolicy(), kNone},
  }};
  return kTable;
}

}  // namespace tidepool::cloudformation

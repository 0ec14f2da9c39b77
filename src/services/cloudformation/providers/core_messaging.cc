// Queues and topics: AWS::SQS::Queue, AWS::SQS::QueuePolicy, AWS::SNS::Topic,
// AWS::SNS::Subscription, AWS::SNS::TopicPolicy.
#include <boost/json.hpp>

#include "services/cloudformation/providers/core_common.h"

namespace tidepool::cloudformation::core {
namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------- SQS queue

// The properties that are queue attributes of the same name.
constexpr std::string_view kQueueAttributes[] = {"ContentBasedDeduplication",
                                                 "DeduplicationScope",
                                                 "DelaySeconds",
                                                 "FifoQueue",
                                                 "FifoThroughputLimit",
                                                 "MaximumMessageSize",
                                                 "MessageRetentionPeriod",
                                                 "ReceiveMessageWaitTimeSeconds",
                                                 "RedriveAllowPolicy",
                                                 "RedrivePolicy",
                                                 "SqsManagedSseEnabled",
                                                 "VisibilityTimeout"};

json::object QueueAttributes(const json::object& p) {
  json::object attributes;
  for (std::string_view a : kQueueAttributes) {
    if (p.contains(a)) attributes[a] = PropText(p, a);
  }
  return attributes;
}

class SqsQueueProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"QueueName", "FifoQueue"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    std::string name = PropText(r.properties, "QueueName");
    if (name.empty()) {
      const bool fifo = PropBool(r.properties, "FifoQueue");
      name = GeneratedName(r, fifo ? 75 : 80) + (fifo ? ".fifo" : "");
    }
    json::object in{{"QueueName", name}, {"Attributes", QueueAttributes(r.properties)}};
    if (json::object tags = TagMap(r.properties); !tags.empty()) in["tags"] = std::move(tags);
    auto out = CallOrFail(services, "sqs", "CreateQueue", std::move(in));
    if (!out.ok()) return out.status();
    return StateOf(services, PropText(*out, "QueueUrl"), name);
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    json::object attributes = QueueAttributes(r.properties);
    // Attributes removed from the template go back to their defaults.
    static const std::pair<std::string_view, std::string_view> kDefaults[] = {
        {"DelaySeconds", "0"},
        {"MaximumMessageSize", "262144"},
        {"MessageRetentionPeriod", "345600"},
        {"ReceiveMessageWaitTimeSeconds", "0"},
        {"VisibilityTimeout", "30"},
        {"RedrivePolicy", ""}};
    for (const auto& [name, value] : kDefaults) {
      if (!attributes.contains(name) && r.previous_properties.contains(name)) {
        attributes[name] = value;
      }
    }
    if (!attributes.empty()) {
      TP_RETURN_IF_ERROR(CallOrFail(services, "sqs", "SetQueueAttributes",
                                    {{"QueueUrl", r.physical_id}, {"Attributes", attributes}})
                             .status());
    }
    json::object old_tags = TagMap(r.previous_properties), tags = TagMap(r.properties);
    json::array removed = RemovedTagKeys(r.previous_properties, r.properties);
    if (!removed.empty()) {
      TP_RETURN_IF_ERROR(CallOrFail(services, "sqs", "UntagQueue",
                                    {{"QueueUrl", r.physical_id}, {"TagKeys", removed}})
                             .status());
    }
    if (!tags.empty() && tags != old_tags) {
      TP_RETURN_IF_ERROR(
          CallOrFail(services, "sqs", "TagQueue", {{"QueueUrl", r.physical_id}, {"Tags", tags}})
              .status());
    }
    return StateOf(services, r.physical_id, PropText(r.attributes, "QueueName"));
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(
        CallOrFail(services, "sqs", "DeleteQueue", {{"QueueUrl", r.physical_id}}).status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(
        r, {"QueueName", "ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds",
            "FifoQueue", "FifoThroughputLimit", "MaximumMessageSize", "MessageRetentionPeriod",
            "ReceiveMessageWaitTimeSeconds", "RedriveAllowPolicy", "RedrivePolicy",
            "SqsManagedSseEnabled", "VisibilityTimeout", "Tags"});
  }
  static Result<ResourceState> StateOf(ServiceCaller& services, const std::string& url,
                                       const std::string& name) {
    auto attrs = CallOrFail(services, "sqs", "GetQueueAttributes",
                            {{"QueueUrl", url}, {"AttributeNames", json::array{"QueueArn"}}});
    if (!attrs.ok()) return attrs.status();
    std::string arn = PropText(PropObject(*attrs, "Attributes"), "QueueArn");
    return ResourceState{url, {{"Arn", arn}, {"QueueName", name}, {"QueueUrl", url}}};
  }
};

// ---------------------------------------------------------------------------- policies

// A policy set on each of a list of targets (queues, topics) as one attribute; its physical
// id is generated (AWS's is too).
class AttributePolicyProvider final : public ResourceProvider {
 public:
  AttributePolicyProvider(std::string_view service, std::string_view operation,
                          std::string_view list_key, std::string_view target_member)
      : service_(service), operation_(operation), list_key_(list_key), target_(target_member) {}

  bool RequiresReplacement(const json::object&, const json::object&) const override {
    return false;
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(CheckProperties(r, {list_key_, "PolicyDocument"}));
    TP_RETURN_IF_ERROR(Apply(services, r.properties, PropText(r.properties, "PolicyDocument")));
    return ResourceState{GeneratedName(r, 64), {}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(CheckProperties(r, {list_key_, "PolicyDocument"}));
    TP_RETURN_IF_ERROR(Remove(services, r.previous_properties, &r.properties));
    TP_RETURN_IF_ERROR(Apply(services, r.properties, PropText(r.properties, "PolicyDocument")));
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return Remove(services, r.properties, nullptr);
  }

 private:
  Status Apply(ServiceCaller& services, const json::object& p, const std::string& policy) const {
    for (const auto& target : PropArray(p, list_key_)) {
      json::object in{{target_, Text(target)}};
      if (service_ == "sqs") {
        in["Attributes"] = json::object{{"Policy", policy}};
      } else {
        in["AttributeName"] = "Policy";
        in["AttributeValue"] = policy;
      }
      TP_RETURN_IF_ERROR(CallOrFail(services, service_, operation_, std::move(in)).status());
    }
    return Status::Ok();
  }
  // Clears the policy of the targets of `p` that `keep` (when given) no longer lists. A topic
  // gets back an empty policy document; targets already gone are skipped.
  Status Remove(ServiceCaller& services, const json::object& p, const json::object* keep) const {
    for (const auto& target : PropArray(p, list_key_)) {
      bool kept = false;
      if (keep) {
        for (const auto& t : PropArray(*keep, list_key_)) kept = kept || t == target;
      }
      if (kept) continue;
      json::object in{{target_, Text(target)}};
      if (service_ == "sqs") {
        in["Attributes"] = json::object{{"Policy", ""}};
      } else {
        in["AttributeName"] = "Policy";
        in["AttributeValue"] = R"({"Version":"2012-10-17","Statement":[]})";
      }
      TP_RETURN_IF_ERROR(
          IgnoreNotFound(CallOrFail(services, service_, operation_, std::move(in)).status()));
    }
    return Status::Ok();
  }

  std::string service_, operation_, list_key_, target_;
};

// ---------------------------------------------------------------------------- SNS topic

// Sets each of `names` that changed between r's previous and new properties, one SNS
// Set*Attributes call each (SNS takes one attribute per call).
Status SetChangedAttributes(ServiceCaller& services, std::string_view operation,
                            std::string_view arn_member, const ResourceRequest& r,
                            std::initializer_list<std::string_view> names) {
  for (std::string_view a : names) {
    if (!Changed(r.previous_properties, r.properties, {a})) continue;
    TP_RETURN_IF_ERROR(CallOrFail(services, "sns", operation,
                                  {{arn_member, r.physical_id},
                                   {"AttributeName", a},
                                   {"AttributeValue", PropText(r.properties, a)}})
                           .status());
  }
  return Status::Ok();
}

class SnsTopicProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"TopicName", "FifoTopic"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    std::string name = PropText(r.properties, "TopicName");
    if (name.empty()) {
      const bool fifo = PropBool(r.properties, "FifoTopic");
      name = GeneratedName(r, fifo ? 251 : 256) + (fifo ? ".fifo" : "");
    }
    json::object attributes;
    for (std::string_view a : {"DisplayName", "FifoTopic", "ContentBasedDeduplication"}) {
      if (r.properties.contains(a)) attributes[a] = PropText(r.properties, a);
    }
    json::object in{{"Name", name}, {"Attributes", std::move(attributes)}};
    if (const auto& tags = PropArray(r.properties, "Tags"); !tags.empty()) in["Tags"] = tags;
    auto out = CallOrFail(services, "sns", "CreateTopic", std::move(in));
    if (!out.ok()) return out.status();
    const std::string arn = PropText(*out, "TopicArn");
    for (const auto& s : PropArray(r.properties, "Subscription")) {
      if (!s.is_object()) continue;
      TP_RETURN_IF_ERROR(CallOrFail(services, "sns", "Subscribe",
                                    {{"TopicArn", arn},
                                     {"Protocol", PropText(s.get_object(), "Protocol")},
                                     {"Endpoint", PropText(s.get_object(), "Endpoint")}})
                             .status());
    }
    return ResourceState{arn, {{"TopicArn", arn}, {"TopicName", name}}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    if (Changed(r.previous_properties, r.properties, {"Subscription", "Tags"})) {
      return Status::InvalidArgument(
          "tidepool does not update the Subscription or Tags of an AWS::SNS::Topic in place; "
          "use AWS::SNS::Subscription resources");
    }
    TP_RETURN_IF_ERROR(SetChangedAttributes(services, "SetTopicAttributes", "TopicArn", r,
                                            {"DisplayName", "ContentBasedDeduplication"}));
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(
        CallOrFail(services, "sns", "DeleteTopic", {{"TopicArn", r.physical_id}}).status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(r, {"TopicName", "DisplayName", "FifoTopic", "ContentBasedDeduplication",
                               "Subscription", "Tags"});
  }
};

// ---------------------------------------------------------------------------- subscription

constexpr std::string_view kSubscriptionAttributes[] = {
    "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy"};

class SnsSubscriptionProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"TopicArn", "Protocol", "Endpoint"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    json::object attributes;
    for (std::string_view a : kSubscriptionAttributes) {
      if (r.properties.contains(a)) attributes[a] = PropText(r.properties, a);
    }
    auto out = CallOrFail(services, "sns", "Subscribe",
                          {{"TopicArn", PropText(r.properties, "TopicArn")},
                           {"Protocol", PropText(r.properties, "Protocol")},
                           {"Endpoint", PropText(r.properties, "Endpoint")},
                           {"Attributes", std::move(attributes)},
                           {"ReturnSubscriptionArn", true}});
    if (!out.ok()) return out.status();
    std::string arn = PropText(*out, "SubscriptionArn");
    return ResourceState{arn, {{"Arn", arn}}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    TP_RETURN_IF_ERROR(
        SetChangedAttributes(services, "SetSubscriptionAttributes", "SubscriptionArn", r,
                             {"FilterPolicy", "FilterPolicyScope", "RawMessageDelivery",
                              "RedrivePolicy", "DeliveryPolicy"}));
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(
        CallOrFail(services, "sns", "Unsubscribe", {{"SubscriptionArn", r.physical_id}}).status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(r,
                           {"TopicArn", "Protocol", "Endpoint", "FilterPolicy", "FilterPolicyScope",
                            "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy"});
  }
};

}  // namespace

const ResourceProvider& SqsQueue() { return Instance<SqsQueueProvider>(); }
const ResourceProvider& SqsQueuePolicy() {
  static const AttributePolicyProvider p("sqs", "SetQueueAttributes", "Queues", "QueueUrl");
  return p;
}
const ResourceProvider& SnsTopic() { return Instance<SnsTopicProvider>(); }
const ResourceProvider& SnsSubscription() { return Instance<SnsSubscriptionProvider>(); }
const ResourceProvider& SnsTopicPolicy() {
  static const AttributePolicyProvider p("sns", "SetTopicAttributes", "Topics", "TopicArn");
  return p;
}

}  // namespace tidepool::cloudformation::core

// Streams, tables and log groups: AWS::Kinesis::Stream, AWS::Kinesis::StreamConsumer,
// AWS::DynamoDB::Table, AWS::Logs::LogGroup; and AWS::CloudFormation::WaitConditionHandle.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/cloudformation/providers/core_common.h"

namespace tidepool::cloudformation::core {
namespace json = boost::json;

namespace {

constexpr std::chrono::seconds kStabilise{120};

// ---------------------------------------------------------------------------- Kinesis

class KinesisStreamProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"Name"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const std::string name = NameOrGenerated(r, "Name", 128);
    json::object in{{"StreamName", name}};
    const std::string mode = PropText(PropObject(r.properties, "StreamModeDetails"), "StreamMode");
    if (!mode.empty()) in["StreamModeDetails"] = json::object{{"StreamMode", mode}};
    if (mode != "ON_DEMAND") in["ShardCount"] = PropInt(r.properties, "ShardCount", 1);
    TP_RETURN_IF_ERROR(CallOrFail(services, "kinesis", "CreateStream", std::move(in)).status());
    auto arn = WaitActive(services, name);
    if (!arn.ok()) return arn.status();
    TP_RETURN_IF_ERROR(
        Retention(services, name, 24, PropInt(r.properties, "RetentionPeriodHours", 24)));
    if (json::object tags = TagMap(r.properties); !tags.empty()) {
      TP_RETURN_IF_ERROR(
          CallOrFail(services, "kinesis", "AddTagsToStream", {{"StreamName", name}, {"Tags", tags}})
              .status());
    }
    return ResourceState{name, {{"Arn", *arn}}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const std::string& name = r.physical_id;
    const auto& p = r.properties;
    const auto& old = r.previous_properties;
    if (Changed(old, p, {"StreamModeDetails"})) {
      std::string mode = PropText(PropObject(p, "StreamModeDetails"), "StreamMode");
      TP_RETURN_IF_ERROR(
          CallOrFail(services, "kinesis", "UpdateStreamMode",
                     {{"StreamARN", PropText(r.attributes, "Arn")},
                      {"StreamModeDetails", {{"StreamMode", mode.empty() ? "PROVISIONED" : mode}}}})
              .status());
      TP_RETURN_IF_ERROR(WaitActive(services, name).status());
    }
    if (Changed(old, p, {"ShardCount"}) &&
        PropText(PropObject(p, "StreamModeDetails"), "StreamMode") != "ON_DEMAND") {
      TP_RETURN_IF_ERROR(CallOrFail(services, "kinesis", "UpdateShardCount",
                                    {{"StreamName", name},
                                     {"TargetShardCount", PropInt(p, "ShardCount", 1)},
                                     {"ScalingType", "UNIFORM_SCALING"}})
                             .status());
      TP_RETURN_IF_ERROR(WaitActive(services, name).status());
    }
    TP_RETURN_IF_ERROR(Retention(services, name, PropInt(old, "RetentionPeriodHours", 24),
                                 PropInt(p, "RetentionPeriodHours", 24)));
    if (Changed(old, p, {"Tags"})) {
      json::array removed = RemovedTagKeys(old, p);
      json::object tags = TagMap(p);
      if (!removed.empty()) {
        TP_RETURN_IF_ERROR(CallOrFail(services, "kinesis", "RemoveTagsFromStream",
                                      {{"StreamName", name}, {"TagKeys", removed}})
                               .status());
      }
      if (!tags.empty()) {
        TP_RETURN_IF_ERROR(CallOrFail(services, "kinesis", "AddTagsToStream",
                                      {{"StreamName", name}, {"Tags", tags}})
                               .status());
      }
    }
    return ResourceState{name, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(
        CallOrFail(services, "kinesis", "DeleteStream",
                   {{"StreamName", r.physical_id}, {"EnforceConsumerDeletion", true}})
            .status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(
        r, {"Name", "ShardCount", "StreamModeDetails", "RetentionPeriodHours", "Tags"});
  }
  // The stream's ARN once it is ACTIVE.
  static Result<std::string> WaitActive(ServiceCaller& services, const std::string& name) {
    std::string arn;
    Status st = WaitFor(
        [&]() -> Result<bool> {
          auto out =
              CallOrFail(services, "kinesis", "DescribeStreamSummary", {{"StreamName", name}});
          if (!out.ok()) return out.status();
          const auto& summary = PropObject(*out, "StreamDescriptionSummary");
          arn = PropText(summary, "StreamARN");
          return PropText(summary, "StreamStatus") == "ACTIVE";
        },
        kStabilise, "stream " + name + " to become ACTIVE");
    if (!st.ok()) return st;
    return arn;
  }
  static Status Retention(ServiceCaller& services, const std::string& name, int64_t from,
                          int64_t to) {
    if (from == to) return Status::Ok();
    return CallOrFail(services, "kinesis",
                      to > from ? "IncreaseStreamRetentionPeriod" : "DecreaseStreamRetentionPeriod",
                      {{"StreamName", name}, {"RetentionPeriodHours", to}})
        .status();
  }
};

class KinesisStreamConsumerProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return before != after;  // every property is "Update requires: Replacement"
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(CheckProperties(r, {"ConsumerName", "StreamARN"}));
    auto out = CallOrFail(services, "kinesis", "RegisterStreamConsumer",
                          {{"StreamARN", PropText(r.properties, "StreamARN")},
                           {"ConsumerName", PropText(r.properties, "ConsumerName")}});
    if (!out.ok()) return out.status();
    const auto& c = PropObject(*out, "Consumer");
    const std::string arn = PropText(c, "ConsumerARN");
    return ResourceState{arn,
                         {{"ConsumerARN", arn},
                          {"ConsumerName", PropText(c, "ConsumerName")},
                          {"ConsumerStatus", "ACTIVE"},
                          {"ConsumerCreationTimestamp", PropText(c, "ConsumerCreationTimestamp")},
                          {"StreamARN", PropText(r.properties, "StreamARN")}}};
  }
  Result<ResourceState> Update(ServiceCaller&, const ResourceRequest& r) const override {
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(CallOrFail(services, "kinesis", "DeregisterStreamConsumer",
                                     {{"ConsumerARN", r.physical_id}})
                              .status());
  }
};

// ---------------------------------------------------------------------------- DynamoDB

// CloudFormation passes numbers as given (parameters make them strings); DynamoDB's model
// wants integers.
json::value Throughput(const json::value& v) {
  if (!v.is_object()) return v;
  json::object out;
  for (const auto& [k, _] : v.get_object()) out[k] = PropInt(v.get_object(), k, 0);
  return out;
}

json::array Indexes(const json::array& indexes) {
  json::array out;
  for (const auto& i : indexes) {
    if (!i.is_object()) continue;
    json::object index = i.get_object();
    if (auto* t = index.if_contains("ProvisionedThroughput")) *t = Throughput(*t);
    index.erase("ContributorInsightsSpecification");
    out.push_back(std::move(index));
  }
  return out;
}

class DynamoDbTableProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"TableName", "KeySchema", "LocalSecondaryIndexes"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const auto& p = r.properties;
    const std::string name = NameOrGenerated(r, "TableName", 255);
    json::object in{{"TableName", name},
                    {"AttributeDefinitions", PropArray(p, "AttributeDefinitions")},
                    {"KeySchema", PropArray(p, "KeySchema")}};
    for (std::string_view k : {"BillingMode", "TableClass"}) {
      if (p.contains(k)) in[k] = PropText(p, k);
    }
    if (p.contains("DeletionProtectionEnabled")) {
      in["DeletionProtectionEnabled"] = PropBool(p, "DeletionProtectionEnabled");
    }
    if (auto* t = p.if_contains("ProvisionedThroughput"))
      in["ProvisionedThroughput"] = Throughput(*t);
    if (p.contains("GlobalSecondaryIndexes")) {
      in["GlobalSecondaryIndexes"] = Indexes(PropArray(p, "GlobalSecondaryIndexes"));
    }
    if (p.contains("LocalSecondaryIndexes")) {
      in["LocalSecondaryIndexes"] = Indexes(PropArray(p, "LocalSecondaryIndexes"));
    }
    if (p.contains("StreamSpecification")) {
      in["StreamSpecification"] = json::object{
          {"StreamEnabled", true},
          {"StreamViewType", PropText(PropObject(p, "StreamSpecification"), "StreamViewType")}};
    }
    if (const auto& tags = PropArray(p, "Tags"); !tags.empty()) in["Tags"] = tags;
    TP_RETURN_IF_ERROR(CallOrFail(services, "dynamodb", "CreateTable", std::move(in)).status());
    TP_RETURN_IF_ERROR(WaitActive(services, name).status());
    if (p.contains("TimeToLiveSpecification")) {
      TP_RETURN_IF_ERROR(Ttl(services, name, PropObject(p, "TimeToLiveSpecification")));
    }
    return StateOf(services, name);
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const std::string& name = r.physical_id;
    const auto& p = r.properties;
    const auto& old = r.previous_properties;
    auto update = [&](json::object in) -> Status {
      in["TableName"] = name;
      TP_RETURN_IF_ERROR(CallOrFail(services, "dynamodb", "UpdateTable", std::move(in)).status());
      return WaitActive(services, name).status();
    };
    if (Changed(old, p, {"BillingMode", "ProvisionedThroughput"})) {
      json::object in{
          {"BillingMode", p.contains("BillingMode") ? PropText(p, "BillingMode") : "PROVISIONED"}};
      if (auto* t = p.if_contains("ProvisionedThroughput")) {
        in["ProvisionedThroughput"] = Throughput(*t);
      }
      TP_RETURN_IF_ERROR(update(std::move(in)));
    }
    if (Changed(old, p, {"DeletionProtectionEnabled"})) {
      TP_RETURN_IF_ERROR(
          update({{"DeletionProtectionEnabled", PropBool(p, "DeletionProtectionEnabled")}}));
    }
    if (Changed(old, p, {"TableClass"}) && p.contains("TableClass")) {
      TP_RETURN_IF_ERROR(update({{"TableClass", PropText(p, "TableClass")}}));
    }
    if (Changed(old, p, {"StreamSpecification"})) {
      if (old.contains("StreamSpecification")) {
        TP_RETURN_IF_ERROR(update({{"StreamSpecification", {{"StreamEnabled", false}}}}));
      }
      if (p.contains("StreamSpecification")) {
        TP_RETURN_IF_ERROR(
            update({{"StreamSpecification",
                     {{"StreamEnabled", true},
                      {"StreamViewType",
                       PropText(PropObject(p, "StreamSpecification"), "StreamViewType")}}}}));
      }
    }
    if (Changed(old, p, {"GlobalSecondaryIndexes"})) {
      TP_RETURN_IF_ERROR(UpdateIndexes(update, PropArray(old, "GlobalSecondaryIndexes"),
                                       Indexes(PropArray(p, "GlobalSecondaryIndexes")),
                                       PropArray(p, "AttributeDefinitions")));
    }
    if (Changed(old, p, {"TimeToLiveSpecification"})) {
      json::object ttl = PropObject(p, "TimeToLiveSpecification");
      if (ttl.empty()) {
        ttl = PropObject(old, "TimeToLiveSpecification");
        ttl["Enabled"] = false;
      }
      TP_RETURN_IF_ERROR(Ttl(services, name, ttl));
    }
    if (Changed(old, p, {"Tags"})) {
      auto state = StateOf(services, name);
      if (!state.ok()) return state.status();
      const std::string arn = PropText(state->attributes, "Arn");
      json::array removed = RemovedTagKeys(old, p);
      if (!removed.empty()) {
        TP_RETURN_IF_ERROR(CallOrFail(services, "dynamodb", "UntagResource",
                                      {{"ResourceArn", arn}, {"TagKeys", removed}})
                               .status());
      }
      if (!PropArray(p, "Tags").empty()) {
        TP_RETURN_IF_ERROR(CallOrFail(services, "dynamodb", "TagResource",
                                      {{"ResourceArn", arn}, {"Tags", PropArray(p, "Tags")}})
                               .status());
      }
    }
    return StateOf(services, name);
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(
        CallOrFail(services, "dynamodb", "DeleteTable", {{"TableName", r.physical_id}}).status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(
        r,
        {"TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
         "GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification",
         "TimeToLiveSpecification", "Tags", "TableClass", "DeletionProtectionEnabled"});
  }
  static Result<json::object> WaitActive(ServiceCaller& services, const std::string& name) {
    json::object table;
    Status st = WaitFor(
        [&]() -> Result<bool> {
          auto out = CallOrFail(services, "dynamodb", "DescribeTable", {{"TableName", name}});
          if (!out.ok()) return out.status();
          table = PropObject(*out, "Table");
          if (PropText(table, "TableStatus") != "ACTIVE") return false;
          for (const auto& gsi : PropArray(table, "GlobalSecondaryIndexes")) {
            if (PropText(gsi.as_object(), "IndexStatus") != "ACTIVE") return false;
          }
          return true;
        },
        kStabilise, "table " + name + " to become ACTIVE");
    if (!st.ok()) return st;
    return table;
  }
  static Result<ResourceState> StateOf(ServiceCaller& services, const std::string& name) {
    auto table = WaitActive(services, name);
    if (!table.ok()) return table.status();
    json::object attributes{{"Arn", PropText(*table, "TableArn")}};
    if (table->contains("LatestStreamArn")) {
      attributes["StreamArn"] = PropText(*table, "LatestStreamArn");
    }
    return ResourceState{name, std::move(attributes)};
  }
  static Status Ttl(ServiceCaller& services, const std::string& name, const json::object& spec) {
    return CallOrFail(services, "dynamodb", "UpdateTimeToLive",
                      {{"TableName", name},
                       {"TimeToLiveSpecification",
                        {{"AttributeName", PropText(spec, "AttributeName")},
                         {"Enabled", PropBool(spec, "Enabled")}}}})
        .status();
  }
  // GSIs by IndexName: removed ones deleted, new ones created, changed throughput updated;
  // one index change per UpdateTable, as DynamoDB requires.
  template <typename UpdateFn>
  static Status UpdateIndexes(UpdateFn& update, const json::array& before, const json::array& after,
                              const json::array& definitions) {
    auto find = [](const json::array& list, const std::string& name) -> const json::object* {
      for (const auto& i : list) {
        if (i.is_object() && PropText(i.get_object(), "IndexName") == name) {
          return &i.get_object();
        }
      }
      return nullptr;
    };
    for (const auto& i : before) {
      std::string name = PropText(i.as_object(), "IndexName");
      if (find(after, name)) continue;
      TP_RETURN_IF_ERROR(
          update({{"GlobalSecondaryIndexUpdates",
                   json::array{json::object{{"Delete", json::object{{"IndexName", name}}}}}}}));
    }
    for (const auto& i : after) {
      std::string name = PropText(i.as_object(), "IndexName");
      const json::object* old = find(before, name);
      if (old == nullptr) {
        TP_RETURN_IF_ERROR(
            update({{"AttributeDefinitions", definitions},
                    {"GlobalSecondaryIndexUpdates", json::array{json::object{{"Create", i}}}}}));
      } else if (Changed(*old, i.as_object(), {"KeySchema", "Projection"})) {
        return Status::InvalidArgument("Cannot update the KeySchema or Projection of index " +
                                       name + "; give it a new IndexName");
      } else if (Changed(*old, i.as_object(), {"ProvisionedThroughput"})) {
        json::object u{
            {"IndexName", name},
            {"ProvisionedThroughput", PropObject(i.as_object(), "ProvisionedThroughput")}};
        TP_RETURN_IF_ERROR(update({{"GlobalSecondaryIndexUpdates",
                                    json::array{json::object{{"Update", std::move(u)}}}}}));
      }
    }
    return Status::Ok();
  }
};

// ---------------------------------------------------------------------------- Logs

class LogGroupProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"LogGroupName"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const std::string name = NameOrGenerated(r, "LogGroupName", 512);
    json::object in{{"logGroupName", name}};
    if (json::object tags = TagMap(r.properties); !tags.empty()) in["tags"] = std::move(tags);
    if (r.properties.contains("LogGroupClass")) {
      in["logGroupClass"] = PropText(r.properties, "LogGroupClass");
    }
    TP_RETURN_IF_ERROR(CallOrFail(services, "logs", "CreateLogGroup", std::move(in)).status());
    TP_RETURN_IF_ERROR(Retention(services, name, r.properties));
    return ResourceState{
        name,
        {{"Arn", fmt::format("arn:aws:logs:{}:{}:log-group:{}:*", r.region, r.account_id, name)}}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    if (Changed(r.previous_properties, r.properties, {"LogGroupClass"})) {
      return Status::InvalidArgument("LogGroupClass cannot be changed");
    }
    if (Changed(r.previous_properties, r.properties, {"RetentionInDays"})) {
      TP_RETURN_IF_ERROR(Retention(services, r.physical_id, r.properties));
    }
    if (Changed(r.previous_properties, r.properties, {"Tags"})) {
      json::array removed = RemovedTagKeys(r.previous_properties, r.properties);
      json::object tags = TagMap(r.properties);
      const std::string arn = PropText(r.attributes, "Arn");
      const std::string tag_arn = arn.ends_with(":*") ? arn.substr(0, arn.size() - 2) : arn;
      if (!removed.empty()) {
        TP_RETURN_IF_ERROR(CallOrFail(services, "logs", "UntagResource",
                                      {{"resourceArn", tag_arn}, {"tagKeys", removed}})
                               .status());
      }
      if (!tags.empty()) {
        TP_RETURN_IF_ERROR(
            CallOrFail(services, "logs", "TagResource", {{"resourceArn", tag_arn}, {"tags", tags}})
                .status());
      }
    }
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(
        CallOrFail(services, "logs", "DeleteLogGroup", {{"logGroupName", r.physical_id}}).status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(r, {"LogGroupName", "RetentionInDays", "Tags", "LogGroupClass"});
  }
  static Status Retention(ServiceCaller& services, const std::string& name, const json::object& p) {
    if (!p.contains("RetentionInDays")) {
      return CallOrFail(services, "logs", "DeleteRetentionPolicy", {{"logGroupName", name}})
          .status();
    }
    return CallOrFail(
               services, "logs", "PutRetentionPolicy",
               {{"logGroupName", name}, {"retentionInDays", PropInt(p, "RetentionInDays", 0)}})
        .status();
  }
};

// ---------------------------------------------------------------------------- wait handle

// Nothing to create: its Ref is a URL AWS would presign for signalling; tidepool serves no
// wait conditions (AWS::CloudFormation::WaitCondition is not deployable).
class WaitConditionHandleProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object&, const json::object&) const override {
    return false;
  }
  Result<ResourceState> Create(ServiceCaller&, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(CheckProperties(r, {}));
    return ResourceState{
        fmt::format("https://cloudformation-waitcondition-{}.s3.amazonaws.com/{}/{}", r.region,
                    r.stack_id, r.logical_id),
        {}};
  }
  Result<ResourceState> Update(ServiceCaller&, const ResourceRequest& r) const override {
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller&, const ResourceRequest&) const override { return Status::Ok(); }
};

}  // namespace

const ResourceProvider& KinesisStream() { return Instance<KinesisStreamProvider>(); }
const ResourceProvider& KinesisStreamConsumer() {
  return Instance<KinesisStreamConsumerProvider>();
}
const ResourceProvider& DynamoDbTable() { return Instance<DynamoDbTableProvider>(); }
const ResourceProvider& LogsLogGroup() { return Instance<LogGroupProvider>(); }
const ResourceProvider& WaitConditionHandle() { return Instance<WaitConditionHandleProvider>(); }

}  // namespace tidepool::cloudformation::core

// Buckets: AWS::S3::Bucket (versioning, notifications, lifecycle, CORS, tags) and
// AWS::S3::BucketPolicy. CloudFormation's property shapes differ from S3's API shapes; the
// conversions are here.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/cloudformation/providers/core_common.h"

namespace tidepool::cloudformation::core {
namespace json = boost::json;

namespace {

// Filter {S3Key {Rules [{Name, Value}]}} -> {Key {FilterRules [{Name, Value}]}}.
json::object NotificationFilter(const json::object& c) {
  const json::object& key = PropObject(PropObject(c, "Filter"), "S3Key");
  json::array rules;
  for (const auto& rule : PropArray(key, "Rules")) {
    rules.push_back(json::object{{"Name", PropText(rule.as_object(), "Name")},
                                 {"Value", PropText(rule.as_object(), "Value")}});
  }
  return json::object{{"Key", json::object{{"FilterRules", std::move(rules)}}}};
}

Result<json::object> Notifications(const json::object& cfn) {
  static const std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>
      kKinds[] = {{"QueueConfigurations", "Queue", "QueueConfigurations", "QueueArn"},
                  {"TopicConfigurations", "Topic", "TopicConfigurations", "TopicArn"},
                  {"LambdaConfigurations", "Function", "LambdaFunctionConfigurations",
                   "LambdaFunctionArn"}};
  json::object out;
  for (const auto& [key, _] : cfn) {
    bool known = false;
    for (const auto& kind : kKinds) known = known || key == std::get<0>(kind);
    if (!known) {
      return Status::InvalidArgument("NotificationConfiguration." + std::string(key) +
                                     " is not supported by tidepool");
    }
  }
  for (const auto& [cfn_key, target_key, api_key, api_target] : kKinds) {
    json::array list;
    for (const auto& c : PropArray(cfn, cfn_key)) {
      if (!c.is_object()) continue;
      json::object one{{api_target, PropText(c.get_object(), target_key)},
                       {"Events", json::array{json::string(PropText(c.get_object(), "Event"))}}};
      if (c.get_object().contains("Filter")) one["Filter"] = NotificationFilter(c.get_object());
      list.push_back(std::move(one));
    }
    if (!list.empty()) out[api_key] = std::move(list);
  }
  return out;
}

// CorsRules [{AllowedHeaders, AllowedMethods, AllowedOrigins, ExposedHeaders, Id, MaxAge}].
json::object Cors(const json::object& cfn) {
  json::array rules;
  for (const auto& r : PropArray(cfn, "CorsRules")) {
    const json::object& c = r.as_object();
    json::object rule;
    for (std::string_view k : {"AllowedHeaders", "AllowedMethods", "AllowedOrigins"}) {
      if (c.contains(k)) rule[k] = PropArray(c, k);
    }
    if (c.contains("ExposedHeaders")) rule["ExposeHeaders"] = PropArray(c, "ExposedHeaders");
    if (c.contains("Id")) rule["ID"] = PropText(c, "Id");
    if (c.contains("MaxAge")) rule["MaxAgeSeconds"] = PropInt(c, "MaxAge", 0);
    rules.push_back(std::move(rule));
  }
  return json::object{{"CORSRules", std::move(rules)}};
}

// Rules [{Id, Status, Prefix, ExpirationInDays, NoncurrentVersionExpirationInDays,
// AbortIncompleteMultipartUpload}]; other rule properties are refused.
Result<json::object> Lifecycle(const json::object& cfn) {
  json::array rules;
  for (const auto& r : PropArray(cfn, "Rules")) {
    const json::object& c = r.as_object();
    for (const auto& [k, _] : c) {
      if (k != "Id" && k != "Status" && k != "Prefix" && k != "ExpirationInDays" &&
          k != "NoncurrentVersionExpirationInDays" && k != "AbortIncompleteMultipartUpload") {
        return Status::InvalidArgument("LifecycleConfiguration rule property " + std::string(k) +
                                       " is not supported by tidepool");
      }
    }
    json::object rule{{"Status", PropText(c, "Status")},
                      {"Filter", json::object{{"Prefix", PropText(c, "Prefix")}}}};
    if (c.contains("Id")) rule["ID"] = PropText(c, "Id");
    if (c.contains("ExpirationInDays")) {
      rule["Expiration"] = json::object{{"Days", PropInt(c, "ExpirationInDays", 0)}};
    }
    if (c.contains("NoncurrentVersionExpirationInDays")) {
      rule["NoncurrentVersionExpiration"] =
          json::object{{"NoncurrentDays", PropInt(c, "NoncurrentVersionExpirationInDays", 0)}};
    }
    if (c.contains("AbortIncompleteMultipartUpload")) {
      rule["AbortIncompleteMultipartUpload"] = json::object{
          {"DaysAfterInitiation",
           PropInt(PropObject(c, "AbortIncompleteMultipartUpload"), "DaysAfterInitiation", 0)}};
    }
    rules.push_back(std::move(rule));
  }
  return json::object{{"Rules", std::move(rules)}};
}

class S3BucketProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"BucketName"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    const std::string name = NameOrGenerated(r, "BucketName", 63, true);
    json::object in{{"Bucket", name}};
    if (r.region != "us-east-1") {
      in["CreateBucketConfiguration"] = json::object{{"LocationConstraint", r.region}};
    }
    TP_RETURN_IF_ERROR(CallOrFail(services, "s3", "CreateBucket", std::move(in)).status());
    TP_RETURN_IF_ERROR(Configure(services, name, {}, r.properties));
    return ResourceState{name, Attributes(r, name)};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(Check(r));
    TP_RETURN_IF_ERROR(Configure(services, r.physical_id, r.previous_properties, r.properties));
    return ResourceState{r.physical_id, Attributes(r, r.physical_id)};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(
        CallOrFail(services, "s3", "DeleteBucket", {{"Bucket", r.physical_id}}).status());
  }

 private:
  static Status Check(const ResourceRequest& r) {
    return CheckProperties(r, {"BucketName", "VersioningConfiguration", "NotificationConfiguration",
                               "LifecycleConfiguration", "CorsConfiguration", "Tags"});
  }
  static json::object Attributes(const ResourceRequest& r, const std::string& name) {
    return {{"Arn", "arn:aws:s3:::" + name},
            {"DomainName", name + ".s3.amazonaws.com"},
            {"DualStackDomainName", name + ".s3.dualstack." + r.region + ".amazonaws.com"},
            {"RegionalDomainName", name + ".s3." + r.region + ".amazonaws.com"},
            {"WebsiteURL", "http://" + name + ".s3-website-" + r.region + ".amazonaws.com"}};
  }
  // Applies what changed from `before` to `after` (everything on create).
  static Status Configure(ServiceCaller& services, const std::string& bucket,
                          const json::object& before, const json::object& after) {
    auto call = [&](std::string_view op, json::object in) {
      in["Bucket"] = bucket;
      return CallOrFail(services, "s3", op, std::move(in)).status();
    };
    if (Changed(before, after, {"VersioningConfiguration"})) {
      std::string status = PropText(PropObject(after, "VersioningConfiguration"), "Status");
      if (!status.empty() || before.contains("VersioningConfiguration")) {
        TP_RETURN_IF_ERROR(call(
            "PutBucketVersioning",
            {{"VersioningConfiguration", {{"Status", status.empty() ? "Suspended" : status}}}}));
      }
    }
    if (Changed(before, after, {"NotificationConfiguration"})) {
      auto n = Notifications(PropObject(after, "NotificationConfiguration"));
      if (!n.ok()) return n.status();
      TP_RETURN_IF_ERROR(
          call("PutBucketNotificationConfiguration", {{"NotificationConfiguration", *n}}));
    }
    if (Changed(before, after, {"LifecycleConfiguration"})) {
      if (after.contains("LifecycleConfiguration")) {
        auto l = Lifecycle(PropObject(after, "LifecycleConfiguration"));
        if (!l.ok()) return l.status();
        TP_RETURN_IF_ERROR(
            call("PutBucketLifecycleConfiguration", {{"LifecycleConfiguration", *l}}));
      } else {
        TP_RETURN_IF_ERROR(call("DeleteBucketLifecycle", {}));
      }
    }
    if (Changed(before, after, {"CorsConfiguration"})) {
      if (after.contains("CorsConfiguration")) {
        TP_RETURN_IF_ERROR(call("PutBucketCors", {{"CORSConfiguration",
                                                   Cors(PropObject(after, "CorsConfiguration"))}}));
      } else {
        TP_RETURN_IF_ERROR(call("DeleteBucketCors", {}));
      }
    }
    if (Changed(before, after, {"Tags"})) {
      json::array tags;
      for (const auto& [k, v] : TagMap(after)) {
        tags.push_back(json::object{{"Key", k}, {"Value", v}});
      }
      if (tags.empty()) {
        TP_RETURN_IF_ERROR(call("DeleteBucketTagging", {}));
      } else {
        TP_RETURN_IF_ERROR(call("PutBucketTagging", {{"Tagging", {{"TagSet", tags}}}}));
      }
    }
    return Status::Ok();
  }
};

class S3BucketPolicyProvider final : public ResourceProvider {
 public:
  bool RequiresReplacement(const json::object& before, const json::object& after) const override {
    return Changed(before, after, {"Bucket"});
  }
  Result<ResourceState> Create(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(CheckProperties(r, {"Bucket", "PolicyDocument"}));
    TP_RETURN_IF_ERROR(Put(services, r));
    return ResourceState{GeneratedName(r, 64), {}};
  }
  Result<ResourceState> Update(ServiceCaller& services, const ResourceRequest& r) const override {
    TP_RETURN_IF_ERROR(CheckProperties(r, {"Bucket", "PolicyDocument"}));
    TP_RETURN_IF_ERROR(Put(services, r));
    return ResourceState{r.physical_id, r.attributes};
  }
  Status Delete(ServiceCaller& services, const ResourceRequest& r) const override {
    return IgnoreNotFound(CallOrFail(services, "s3", "DeleteBucketPolicy",
                                     {{"Bucket", PropText(r.properties, "Bucket")}})
                              .status());
  }

 private:
  static Status Put(ServiceCaller& services, const ResourceRequest& r) {
    return CallOrFail(services, "s3", "PutBucketPolicy",
                      {{"Bucket", PropText(r.properties, "Bucket")},
                       {"Policy", PropText(r.properties, "PolicyDocument")}})
        .status();
  }
};

}  // namespace

const ResourceProvider& S3Bucket() { return Instance<S3BucketProvider>(); }
const ResourceProvider& S3BucketPolicy() { return Instance<S3BucketPolicyProvider>(); }

}  // namespace tidepool::cloudformation::core

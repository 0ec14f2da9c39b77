// What REST and HTTP APIs' Lambda authorizers share: the IAM policy a result carries,
// evaluated against the method or route ARN
// ("arn:aws:execute-api:<region>:<account>:<api>/<stage>/<VERB>/<path>", '*' and '?'
// wildcards in Resource and Action), and the cache of results by authorizer and identity.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::apigateway {

// kAllow: an Allow statement for execute-api:Invoke matches and no Deny does; kDeny: a Deny
// matches; kNoAllow: none matches; kMalformed: no policyDocument or Statement, or a statement
// that is not an object.
enum class PolicyVerdict { kAllow, kDeny, kNoAllow, kMalformed };
PolicyVerdict EvaluatePolicy(const boost::json::object& result, std::string_view resource_arn);

// The ARN an authorizer's policy is evaluated against: `path` starts with '/'.
std::string ExecuteApiArn(std::string_view region, std::string_view account,
                          std::string_view api_id, std::string_view stage, std::string_view verb,
                          std::string_view path);

// Authorizer results by key (the API, stage, authorizer and identity values) until they
// expire. Bounded: past kMaxEntries it forgets everything (a miss only asks again).
// Thread-safe.
class AuthorizerResultCache {
 public:
  static constexpr size_t kMaxEntries = 10000;
  std::optional<boost::json::object> Find(const std::string& key, int64_t now_ms);
  void Put(const std::string& key, int64_t expires_ms, boost::json::object result);
  // Forgets every entry of stage `stage` of API `api_id` (keys "<api>/<stage>/...").
  void ForgetStage(std::string_view api_id, std::string_view stage);

 private:
  struct Entry {
    int64_t expires_ms;
    boost::json::object result;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // guarded by mu_
};

}  // namespace tidepool::apigateway

#include "services/apigateway/authorizer_policy.h"

#include <boost/json.hpp>

#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

// `text` matches `pattern` with '*' (any run) and '?' (one character).
bool Glob(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool AnyMatches(const json::value* v, std::string_view text) {
  if (v == nullptr) return false;
  if (v->is_string()) return Glob(v->get_string(), text);
  if (v->is_array()) {
    for (const json::value& item : v->get_array()) {
      if (item.is_string() && Glob(item.get_string(), text)) return true;
    }
  }
  return false;
}

}  // namespace

PolicyVerdict EvaluatePolicy(const json::object& result, std::string_view resource_arn) {
  const json::object* policy = FindObject(result, "policyDocument");
  if (policy == nullptr) return PolicyVerdict::kMalformed;
  const json::value* statements = policy->if_contains("Statement");
  if (statements == nullptr) return PolicyVerdict::kMalformed;
  json::array list = statements->is_array() ? statements->get_array() : json::array{*statements};
  bool allowed = false;
  for (const json::value& st : list) {
    const json::object* s = st.if_object();
    if (s == nullptr) return PolicyVerdict::kMalformed;
    bool invoke = AnyMatches(s->if_contains("Action"), "execute-api:Invoke");
    if (!invoke || !AnyMatches(s->if_contains("Resource"), resource_arn)) continue;
    std::string effect = StringField(*s, "Effect");
    if (effect == "Deny") return PolicyVerdict::kDeny;
    allowed = allowed || effect == "Allow";
  }
  return allowed ? PolicyVerdict::kAllow : PolicyVerdict::kNoAllow;
}

std::string ExecuteApiArn(std::string_view region, std::string_view account,
                          std::string_view api_id, std::string_view stage, std::string_view verb,
                          std::string_view path) {
  std::string arn = "arn:aws:execute-api:";
  arn.append(region).append(":").append(account).append(":").append(api_id);
  arn.append("/").append(stage).append("/").append(verb).append(path);
  return arn;
}

std::optional<json::object> AuthorizerResultCache::Find(const std::string& key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.expires_ms <= now_ms) return std::nullopt;
  return it->second.result;
}

void AuthorizerResultCache::Put(const std::string& key, int64_t expires_ms, json::object result) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = Entry{expires_ms, std::move(result)};
}

void AuthorizerResultCache::ForgetStage(std::string_view api_id, std::string_view stage) {
  const std::string prefix = std::string(api_id) + "/" + std::string(stage) + "/";
  std::lock_guard lock(mu_);
  auto it = entries_.lower_bound(prefix);
  while (it != entries_.end() && it->first.starts_with(prefix)) it = entries_.erase(it);
}

}  // namespace tidepool::apigateway

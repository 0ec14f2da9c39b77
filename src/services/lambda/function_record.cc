#include "services/lambda/function_record.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <ctime>

namespace tidepool::lambda {

namespace json = boost::json;

std::string StringMember(const boost::json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string LastModified(const Clock& clock) {
  int64_t ms = clock.NowMillis();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03d+0000", buf, static_cast<int>(ms % 1000));
  return out;
}

std::string FunctionRecord::Encode() const {
  json::object code{{"sha", code_sha}, {"dir", code_dir}};
  json::object out{{"config", config}, {"code", std::move(code)}, {"tags", tags}};
  if (reserved_concurrency) out["concurrency"] = *reserved_concurrency;
  if (last_version > 0) out["last_version"] = last_version;
  if (!published_from.empty()) out["from"] = published_from;
  if (!policy.empty()) out["policy"] = policy;
  if (!invoke_configs.empty()) out["invoke_configs"] = invoke_configs;
  if (!urls.empty()) out["urls"] = urls;
  if (!provisioned.empty()) out["provisioned"] = provisioned;
  if (!scaling.empty()) out["scaling"] = scaling;
  if (!runtime_management.empty()) out["runtime_management"] = runtime_management;
  if (recursion_allowed) out["recursion"] = "Allow";
  return json::serialize(out);
}

Result<FunctionRecord> FunctionRecord::Decode(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Corruption("function record is not a JSON object");
  json::object& o = v.get_object();
  FunctionRecord r;
  const json::value* config = o.if_contains("config");
  const json::value* code = o.if_contains("code");
  if (config == nullptr || !config->is_object() || code == nullptr || !code->is_object()) {
    return Status::Corruption("function record lacks config or code");
  }
  r.config = config->get_object();
  const json::value* name = r.config.if_contains("FunctionName");
  const json::value* arn = r.config.if_contains("FunctionArn");
  if (name == nullptr || !name->is_string() || arn == nullptr || !arn->is_string()) {
    return Status::Corruption("function record has no name or ARN");
  }
  const json::object& c = code->get_object();
  if (const json::value* sha = c.if_contains("sha"); sha && sha->is_string()) {
    r.code_sha = std::string(sha->get_string());
  }
  if (const json::value* dir = c.if_contains("dir"); dir && dir->is_string()) {
    r.code_dir = std::string(dir->get_string());
  }
  if (r.code_sha.empty() == r.code_dir.empty()) {
    return Status::Corruption("function record needs exactly one of a package and a directory");
  }
  if (const json::value* tags = o.if_contains("tags"); tags && tags->is_object()) {
    r.tags = tags->get_object();
  }
  if (const json::value* n = o.if_contains("concurrency"); n && n->is_int64()) {
    r.reserved_concurrency = n->get_int64();
  }
  if (const json::value* f = o.if_contains("from"); f && f->is_string()) {
    r.published_from = std::string(f->get_string());
  }
  if (const json::value* n = o.if_contains("last_version"); n && n->is_int64()) {
    r.last_version = n->get_int64();
  }
  if (const json::value* loop = o.if_contains("recursion"); loop && loop->is_string()) {
    r.recursion_allowed = loop->get_string() == "Allow";
  }
  for (auto [member, target] : {std::pair{"policy", &r.policy},
                                {"invoke_configs", &r.invoke_configs},
                                {"urls", &r.urls},
                                {"provisioned", &r.provisioned},
                                {"scaling", &r.scaling},
                                {"runtime_management", &r.runtime_management}}) {
    if (const json::value* v = o.if_contains(member); v && v->is_object()) {
      *target = v->get_object();
    }
  }
  return r;
}

int ScalingLimit(const FunctionRecord& latest, std::string_view version, std::string_view limit) {
  const json::value* config = latest.scaling.if_contains(version);
  if (config == nullptr || !config->is_object()) return -1;
  const json::value* n = config->get_object().if_contains(limit);
  return n && n->is_int64() ? static_cast<int>(n->get_int64()) : -1;
}

int RequestedProvisioned(const FunctionRecord& latest, std::string_view qualifier) {
  const json::value* p = latest.provisioned.if_contains(qualifier);
  if (p == nullptr || !p->is_object()) return 0;
  const json::value* n = p->get_object().if_contains("RequestedProvisionedConcurrentExecutions");
  return n && n->is_int64() ? static_cast<int>(n->get_int64()) : 0;
}

}  // namespace tidepool::lambda

// PublishVersion, ListVersionsByFunction and aliases (Create/Get/Update/Delete/ListAliases).
//
// A version is an immutable snapshot of $LATEST's configuration and code under its own key;
// an alias is a name for one version, optionally routing a weight of invocations to a second
// (RecordToRun picks per invocation).
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/encoding.h"
#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"
#include "services/write_path.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr int64_t kMaxListItems = 50;

bool IsVersionNumber(std::string_view q) {
  return !q.empty() && q.size() <= 18 &&
         std::all_of(q.begin(), q.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status CheckAliasName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 128 && !IsVersionNumber(name);
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) ok = false;
  }
  if (ok) return Status::Ok();
  return InvalidParameter("1 validation error detected: Value '" + std::string(name) +
                          "' at 'name' failed to satisfy constraint: Member must satisfy regular "
                          "expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
}

// The version an alias may name: $LATEST or a published one.
Status CheckAliasTarget(const Function& fn, const std::string& arn, const std::string& version) {
  if (version == "$LATEST") return Status::Ok();
  if (IsVersionNumber(version) && fn.versions.count(std::stoll(version))) return Status::Ok();
  return NotFound("Function not found: " + arn + ":" + version);
}

// Validates RoutingConfig against the alias's primary `version`.
Status CheckRouting(const Function& fn, const std::string& arn, const std::string& version,
                    const json::value* routing) {
  if (routing == nullptr || !routing->is_object()) return Status::Ok();
  const json::value* weights = routing->get_object().if_contains("AdditionalVersionWeights");
  if (weights == nullptr || !weights->is_object() || weights->get_object().empty()) {
    return Status::Ok();
  }
  if (weights->get_object().size() > 1) {
    return InvalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1");
  }
  if (version == "$LATEST") {
    return InvalidParameter(
        "$LATEST is not supported for an alias pointing to more than 1 version");
  }
  for (const auto& kv : weights->get_object()) {
    std::string other(kv.key());
    if (other == "$LATEST" || !IsVersionNumber(other)) {
      return InvalidParameter(
          "$LATEST is not supported for an alias pointing to more than 1 "
          "version");
    }
    if (other == version) {
      return InvalidParameter("Invalid function version " + other + ". Function version " + other +
                              " is already included in routing configuration.");
    }
    if (Status s = CheckAliasTarget(fn, arn, other); !s.ok()) return s;
    double w = kv.value().is_number() ? kv.value().to_number<double>() : -1.0;
    if (w < 0.0 || w > 1.0) {
      return InvalidParameter(
          "1 validation error detected: Value at 'routingConfig.additionalVersionWeights' failed "
          "to satisfy constraint: Map value must satisfy constraint: [Member must have value less "
          "than or equal to 1.0, Member must have value greater than or equal to 0.0]");
    }
  }
  return Status::Ok();
}

// Every alias of `fn` that routes to `version`.
std::vector<std::string> AliasesOf(const Function& fn, const std::string& version) {
  std::vector<std::string> names;
  for (const auto& [name, alias] : fn.aliases) {
    bool uses = StringMember(alias, "FunctionVersion") == version;
    if (const json::value* r = alias.if_contains("RoutingConfig"); r && r->is_object()) {
      if (const json::value* w = r->get_object().if_contains("AdditionalVersionWeights");
          w && w->is_object() && w->get_object().contains(version)) {
        uses = true;
      }
    }
    if (uses) names.push_back(name);
  }
  return names;
}

std::string UnqualifiedArn(const Function& fn) {
  return StringMember(fn.record.config, "FunctionArn");
}

}  // namespace

json::object LambdaService::PublishLocked(Function& fn, std::string description,
                                          storage::WriteBatch& batch) {
  const std::string arn = UnqualifiedArn(fn);
  // Nothing changed since the last version was published: that version is the answer.
  const std::string revision = StringMember(fn.record.config, "RevisionId");
  if (!fn.versions.empty() && fn.versions.rbegin()->second.published_from == revision) {
    return fn.versions.rbegin()->second.config;
  }
  const int64_t n = ++fn.record.last_version;
  FunctionRecord v;
  v.config = fn.record.config;
  v.code_sha = fn.record.code_sha;
  v.code_dir = fn.record.code_dir;
  v.published_from = revision;
  v.config["Version"] = std::to_string(n);
  v.config["FunctionArn"] = arn + ":" + std::to_string(n);
  if (!description.empty()) v.config["Description"] = std::move(description);
  v.config["RevisionId"] = NewUuid();
  v.config["State"] = "Active";
  v.config["LastUpdateStatus"] = "Successful";
  json::object output = v.config;
  batch.Put(keyspace::VersionKey(arn, n), v.Encode());
  batch.Put(keyspace::FunctionKey(arn), fn.record.Encode());
  fn.versions.emplace(n, std::move(v));
  return output;
}

Status LambdaService::DeleteVersionLocked(Function& fn, const std::string& version,
                                          storage::WriteBatch& batch) {
  const std::string arn = UnqualifiedArn(fn);
  if (!IsVersionNumber(version) || !fn.versions.count(std::stoll(version))) {
    return NotFound("Function not found: " + arn + ":" + version);
  }
  if (auto aliases = AliasesOf(fn, version); !aliases.empty()) {
    std::string list;
    for (const auto& a : aliases) list += (list.empty() ? "" : ", ") + a;
    return Conflict("Unable to delete version because the following aliases reference it: [" +
                    list + "]");
  }
  // Its warm sandboxes (provisioned concurrency, a scaling config's minimum) end.
  const bool warm = fn.record.provisioned.contains(version) || fn.record.scaling.contains(version);
  fn.record.scaling.erase(version);
  if (warm) ProvisionLocked(fn, version, 0);
  fn.versions.erase(std::stoll(version));
  for (json::object* per :
       {&fn.record.policy, &fn.record.invoke_configs, &fn.record.urls, &fn.record.provisioned}) {
    per->erase(version);
  }
  batch.Delete(keyspace::VersionKey(arn, std::stoll(version)));
  batch.Put(keyspace::FunctionKey(arn), fn.record.Encode());
  return Status::Ok();
}

void LambdaService::PublishVersion(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  if (Status s = CheckPublishTo(in); !s.ok()) return Fail(call, s);
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  std::string sha = StringMember(in, "CodeSha256");
  if (!sha.empty() && sha != StringMember(r.config, "CodeSha256")) {
    return Fail(call, InvalidParameter("CodeSHA256 (" + sha +
                                       ") is different from current CodeSHA256 in $LATEST (" +
                                       StringMember(r.config, "CodeSha256") +
                                       "). Please try again with the latest code."));
  }
  if (Status s =
          CheckRevisionId(StringMember(in, "RevisionId"), StringMember(r.config, "RevisionId"));
      !s.ok()) {
    return Fail(call, s);
  }
  storage::WriteBatch batch;
  json::object output = PublishLocked(**fn, StringMember(in, "Description"), batch);
  if (batch.empty()) return call->Reply(std::move(output));
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "lambda"), &ToAwsError);
}

void LambdaService::ListVersionsByFunction(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  int64_t max_items = kMaxListItems;
  if (const json::value* v = in.if_contains("MaxItems"); v && v->is_int64()) {
    max_items = std::clamp<int64_t>(v->get_int64(), 1, kMaxListItems);
  }
  // The marker is the index of the next entry in [$LATEST, 1, 2, ...].
  std::string marker = StringMember(in, "Marker");
  size_t skip = IsVersionNumber(marker) ? static_cast<size_t>(std::stoll(marker)) : 0;
  std::lock_guard lock((*fn)->mu);
  json::array versions;
  size_t index = 0;
  bool more = false;
  auto add = [&](const json::object& config) {
    if (index++ < skip) return;
    if (static_cast<int64_t>(versions.size()) == max_items) {
      more = true;
      return;
    }
    versions.push_back(config);
  };
  add((*fn)->record.config);
  for (const auto& [n, v] : (*fn)->versions) add(v.config);
  json::object output{{"Versions", std::move(versions)}};
  if (more) output["NextMarker"] = std::to_string(skip + static_cast<size_t>(max_items));
  call->Reply(std::move(output));
}

void LambdaService::CreateAlias(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  const std::string name = StringMember(in, "Name");
  if (Status s = CheckAliasName(name); !s.ok()) return Fail(call, s);
  const std::string version = StringMember(in, "FunctionVersion");
  std::lock_guard lock((*fn)->mu);
  const std::string arn = UnqualifiedArn(**fn);
  if (Status s = CheckAliasTarget(**fn, arn, version); !s.ok()) return Fail(call, s);
  if (Status s = CheckRouting(**fn, arn, version, in.if_contains("RoutingConfig")); !s.ok()) {
    return Fail(call, s);
  }
  if ((*fn)->aliases.count(name)) {
    return Fail(call, Conflict("Alias already exists: " + arn + ":" + name));
  }
  json::object alias{{"AliasArn", arn + ":" + name},
                     {"Name", name},
                     {"FunctionVersion", version},
                     {"Description", StringMember(in, "Description")},
                     {"RevisionId", NewUuid()}};
  if (const json::value* routing = in.if_contains("RoutingConfig")) {
    alias["RoutingConfig"] = *routing;
  }
  (*fn)->aliases[name] = alias;
  storage::WriteBatch batch;
  batch.Put(keyspace::AliasKey(arn, name), json::serialize(alias));
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(alias), &ToAwsError, "lambda"), &ToAwsError);
}

void LambdaService::GetAlias(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  const std::string name = StringMember(in, "Name");
  std::lock_guard lock((*fn)->mu);
  auto it = (*fn)->aliases.find(name);
  if (it == (*fn)->aliases.end()) {
    return Fail(call, NotFound("Alias not found: " + UnqualifiedArn(**fn) + ":" + name));
  }
  call->Reply(it->second);
}

void LambdaService::UpdateAlias(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  const std::string name = StringMember(in, "Name");
  std::lock_guard lock((*fn)->mu);
  const std::string arn = UnqualifiedArn(**fn);
  auto it = (*fn)->aliases.find(name);
  if (it == (*fn)->aliases.end())
    return Fail(call, NotFound("Alias not found: " + arn + ":" + name));
  json::object alias = it->second;
  if (Status s = CheckRevisionId(StringMember(in, "RevisionId"), StringMember(alias, "RevisionId"));
      !s.ok()) {
    return Fail(call, s);
  }
  if (std::string version = StringMember(in, "FunctionVersion"); !version.empty()) {
    if (Status s = CheckAliasTarget(**fn, arn, version); !s.ok()) return Fail(call, s);
    alias["FunctionVersion"] = version;
  }
  if (in.contains("Description")) alias["Description"] = StringMember(in, "Description");
  if (const json::value* routing = in.if_contains("RoutingConfig"))
    alias["RoutingConfig"] = *routing;
  if (Status s = CheckRouting(**fn, arn, StringMember(alias, "FunctionVersion"),
                              alias.if_contains("RoutingConfig"));
      !s.ok()) {
    return Fail(call, s);
  }
  alias["RevisionId"] = NewUuid();
  it->second = alias;
  storage::WriteBatch batch;
  batch.Put(keyspace::AliasKey(arn, name), json::serialize(alias));
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(alias), &ToAwsError, "lambda"), &ToAwsError);
}

void LambdaService::DeleteAlias(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  const std::string name = StringMember(in, "Name");
  std::lock_guard lock((*fn)->mu);
  const std::string arn = UnqualifiedArn(**fn);
  storage::WriteBatch batch;
  // AWS answers 204 for an alias that does not exist.
  if ((*fn)->aliases.count(name) > 0) {
    if ((*fn)->record.provisioned.contains(name)) ProvisionLocked(**fn, name, 0);
    (*fn)->aliases.erase(name);
    for (json::object* per : {&(*fn)->record.policy, &(*fn)->record.invoke_configs,
                              &(*fn)->record.urls, &(*fn)->record.provisioned}) {
      per->erase(name);
    }
    batch.Delete(keyspace::AliasKey(arn, name));
    batch.Put(keyspace::FunctionKey(arn), (*fn)->record.Encode());
  }
  if (batch.empty()) return call->Reply({});
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, {}, &ToAwsError, "lambda"),
                          &ToAwsError);
}

void LambdaService::ListAliases(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  int64_t max_items = kMaxListItems;
  if (const json::value* v = in.if_contains("MaxItems"); v && v->is_int64()) {
    max_items = std::clamp<int64_t>(v->get_int64(), 1, kMaxListItems);
  }
  const std::string version = StringMember(in, "FunctionVersion");
  const std::string marker = StringMember(in, "Marker");
  std::lock_guard lock((*fn)->mu);
  json::array aliases;
  std::string last;
  bool more = false;
  for (auto it = marker.empty() ? (*fn)->aliases.begin() : (*fn)->aliases.upper_bound(marker);
       it != (*fn)->aliases.end(); ++it) {
    if (!version.empty() && StringMember(it->second, "FunctionVersion") != version) continue;
    if (static_cast<int64_t>(aliases.size()) == max_items) {
      more = true;
      break;
    }
    aliases.push_back(it->second);
    last = it->first;
  }
  json::object output{{"Aliases", std::move(aliases)}};
  if (more) output["NextMarker"] = last;
  call->Reply(std::move(output));
}

}  // namespace tidepool::lambda

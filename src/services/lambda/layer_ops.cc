// Layers: PublishLayerVersion, GetLayerVersion(ByArn), ListLayerVersions, ListLayers,
// DeleteLayerVersion, and layer version policies (Add/RemoveLayerVersionPermission,
// GetLayerVersionPolicy). A layer version is stored as
//   {"out": the GetLayerVersion output, "sha": hex SHA-256 of its zip (the 'z' package),
//    "dir": a hot-reload directory (instead of a zip), "deleted": true once deleted,
//    "policy": [policy statement] (absent: none), "rev": the policy's RevisionId}
// A layer version's policy is stored and returned as AWS writes it, never evaluated: every
// local account may use every layer (docs/differences.md).
// A deleted version keeps its record, so that its number is never given again and functions
// configured with it keep running (both as on AWS).
// A function's layers are extracted like its code and put on the runtime's search paths
// (functions/runtimes.cc).
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "core/encoding.h"

#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"
#include "services/lambda/package.h"
#include "services/lambda/policy_statement.h"
#include "services/write_path.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr int64_t kMaxListItems = 50;

Status CheckLayerName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 140;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) ok = false;
  }
  if (ok) return Status::Ok();
  return InvalidParameter("1 validation error detected: Value '" + std::string(name) +
                          "' at 'layerName' failed to satisfy constraint: Member must satisfy "
                          "regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:"
                          "\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+");
}

// The layer ARN a LayerName (a name or a layer ARN) means for `call`.
std::string LayerArnFor(const protocol::Call& call, const std::string& name) {
  if (name.rfind("arn:", 0) == 0) return name;
  return "arn:aws:lambda:" + call.context().region + ":" + call.context().account_id +
         ":layer:" + name;
}

bool Compatible(const json::object& out, const std::string& runtime, const std::string& arch) {
  auto contains = [&](std::string_view member, const std::string& value) {
    if (value.empty()) return true;
    const json::value* list = out.if_contains(member);
    if (list == nullptr || !list->is_array()) return false;
    return std::any_of(
        list->get_array().begin(), list->get_array().end(),
        [&](const json::value& v) { return v.is_string() && v.get_string() == value; });
  };
  return contains("CompatibleRuntimes", runtime) && contains("CompatibleArchitectures", arch);
}

int64_t VersionNumberOf(const json::object& in) {
  const json::value* n = in.if_contains("VersionNumber");
  return n && n->is_int64() ? n->get_int64() : 0;
}

Status LayerVersionNotFound(const std::string& layer_arn, int64_t version) {
  return NotFound("Layer version " + layer_arn + ":" + std::to_string(version) +
                  " does not exist.");
}

Status CheckLayerRevisionId(std::string_view given, std::string_view current) {
  if (given.empty() || given == current) return Status::Ok();
  return LambdaStatus(LambdaError::kPreconditionFailed,
                      "The Revision Id provided does not match the latest Revision Id. Call the "
                      "GetLayerPolicy API to retrieve the latest Revision Id");
}

// A layer version record's policy statements (none: empty).
json::array PolicyStatements(const json::object& record) {
  const json::value* p = record.if_contains("policy");
  return p && p->is_array() ? p->get_array() : json::array();
}

// Sets the record's policy (removed when empty) and RevisionId; returns the write storing it.
storage::WriteBatch SetPolicy(json::object& record, json::array statements,
                              const std::string& revision, const std::string& layer_arn,
                              int64_t version) {
  if (statements.empty()) {
    record.erase("policy");
  } else {
    record["policy"] = std::move(statements);
  }
  record["rev"] = revision;
  storage::WriteBatch batch;
  batch.Put(keyspace::LayerKey(layer_arn, version), json::serialize(record));
  return batch;
}

json::object ListItem(const json::object& out) {
  json::object item = out;
  item.erase("Content");
  item.erase("LayerArn");
  return item;
}

}  // namespace

void LambdaService::PublishLayerVersion(CallPtr call) {
  const json::object& in = call->input();
  const std::string name = StringMember(in, "LayerName");
  if (name.rfind("arn:", 0) != 0) {
    if (Status s = CheckLayerName(name); !s.ok()) return Fail(call, s);
  }
  const json::value* content = in.if_contains("Content");
  if (content == nullptr || !content->is_object()) {
    return Fail(call, InvalidParameter("Content is required."));
  }
  auto package = ReadPackage(content->get_object(), options_.read_s3_object);
  if (!package.ok()) return Fail(call, package.status());
  if (!package->zip.empty()) {
    if (auto dir = CodeDirFor(package->sha_hex, package->zip); !dir.ok()) {
      return Fail(call, InvalidParameter("Could not unzip uploaded file. Please check your file, "
                                         "then try to upload again."));
    }
  }
  const std::string layer_arn = LayerArnFor(*call, name);
  std::unique_lock lock(registry_mu_);
  auto& versions = layers_[layer_arn];
  const int64_t n = versions.empty() ? 1 : versions.rbegin()->first + 1;
  json::object out{
      {"Content",
       json::object{{"Location", options_.public_endpoint + "/_tidepool/lambda/code/" +
                                     (package->sha_hex.empty() ? "hot-reload" : package->sha_hex)},
                    {"CodeSha256", package->sha_base64},
                    {"CodeSize", package->size}}},
      {"LayerArn", layer_arn},
      {"LayerVersionArn", layer_arn + ":" + std::to_string(n)},
      {"Description", StringMember(in, "Description")},
      {"CreatedDate", LastModified(clock_)},
      {"Version", n}};
  for (std::string_view m : {"CompatibleRuntimes", "LicenseInfo", "CompatibleArchitectures"}) {
    if (const json::value* v = in.if_contains(m)) out[m] = *v;
  }
  json::object record{{"out", out}, {"sha", package->sha_hex}, {"dir", package->code_dir}};
  versions[n] = record;
  lock.unlock();
  storage::WriteBatch batch;
  if (!package->zip.empty()) batch.Put(keyspace::CodeKey(package->sha_hex), package->zip);
  batch.Put(keyspace::LayerKey(layer_arn, n), json::serialize(record));
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, std::move(out), &ToAwsError, "lambda"),
                          &ToAwsError);
}

Result<json::object> LambdaService::FindLayerVersion(const std::string& layer_arn,
                                                     int64_t version) const {
  std::shared_lock lock(registry_mu_);
  auto layer = layers_.find(layer_arn);
  if (layer != layers_.end()) {
    auto it = layer->second.find(version);
    if (it != layer->second.end() && !it->second.contains("deleted")) return it->second;
  }
  return NotFound("The resource you requested does not exist.");
}

void LambdaService::GetLayerVersion(CallPtr call) {
  const json::object& in = call->input();
  const json::value* n = in.if_contains("VersionNumber");
  auto record = FindLayerVersion(LayerArnFor(*call, StringMember(in, "LayerName")),
                                 n && n->is_int64() ? n->get_int64() : 0);
  if (!record.ok()) return Fail(call, record.status());
  call->Reply(record->at("out").get_object());
}

void LambdaService::GetLayerVersionByArn(CallPtr call) {
  const std::string arn = StringMember(call->input(), "Arn");
  size_t colon = arn.rfind(':');
  std::string number = colon == std::string::npos ? "" : arn.substr(colon + 1);
  if (number.empty() || number.size() > 18 ||
      number.find_first_not_of("0123456789") != std::string::npos) {
    return Fail(call, InvalidParameter("1 validation error detected: Value '" + arn +
                                       "' at 'arn' failed to satisfy constraint: Member must "
                                       "satisfy regular expression pattern: "
                                       "arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:"
                                       "[a-zA-Z0-9-_]+:[0-9]+"));
  }
  auto record = FindLayerVersion(arn.substr(0, colon), std::stoll(number));
  if (!record.ok()) return Fail(call, record.status());
  call->Reply(record->at("out").get_object());
}

void LambdaService::ListLayerVersions(CallPtr call) {
  const json::object& in = call->input();
  const std::string layer_arn = LayerArnFor(*call, StringMember(in, "LayerName"));
  const std::string runtime = StringMember(in, "CompatibleRuntime");
  const std::string arch = StringMember(in, "CompatibleArchitecture");
  int64_t max_items = kMaxListItems;
  if (const json::value* v = in.if_contains("MaxItems"); v && v->is_int64()) {
    max_items = std::clamp<int64_t>(v->get_int64(), 1, kMaxListItems);
  }
  std::string marker = StringMember(in, "Marker");
  int64_t below = marker.empty() || marker.size() > 18 ||
                          marker.find_first_not_of("0123456789") != std::string::npos
                      ? INT64_MAX
                      : std::stoll(marker);
  json::array list;
  std::string next;
  std::shared_lock lock(registry_mu_);
  if (auto layer = layers_.find(layer_arn); layer != layers_.end()) {
    // Newest first, as AWS lists them.
    for (auto it = layer->second.rbegin(); it != layer->second.rend(); ++it) {
      if (it->first >= below || it->second.contains("deleted")) continue;
      const json::object& out = it->second.at("out").get_object();
      if (!Compatible(out, runtime, arch)) continue;
      if (static_cast<int64_t>(list.size()) == max_items) {
        next = std::to_string(it->first + 1);
        break;
      }
      list.push_back(ListItem(out));
    }
  }
  json::object output{{"LayerVersions", std::move(list)}};
  if (!next.empty()) output["NextMarker"] = next;
  call->Reply(std::move(output));
}

void LambdaService::ListLayers(CallPtr call) {
  const json::object& in = call->input();
  const std::string runtime = StringMember(in, "CompatibleRuntime");
  const std::string arch = StringMember(in, "CompatibleArchitecture");
  const std::string prefix =
      "arn:aws:lambda:" + call->context().region + ":" + call->context().account_id + ":layer:";
  json::array layers;
  std::shared_lock lock(registry_mu_);
  for (auto it = layers_.lower_bound(prefix);
       it != layers_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    for (auto v = it->second.rbegin(); v != it->second.rend(); ++v) {
      if (v->second.contains("deleted")) continue;
      const json::object& out = v->second.at("out").get_object();
      if (!Compatible(out, runtime, arch)) continue;
      layers.push_back(json::object{{"LayerName", it->first.substr(prefix.size())},
                                    {"LayerArn", it->first},
                                    {"LatestMatchingVersion", ListItem(out)}});
      break;
    }
  }
  call->Reply(json::object{{"Layers", std::move(layers)}});
}

void LambdaService::DeleteLayerVersion(CallPtr call) {
  const json::object& in = call->input();
  const std::string layer_arn = LayerArnFor(*call, StringMember(in, "LayerName"));
  const json::value* n = in.if_contains("VersionNumber");
  const int64_t version = n && n->is_int64() ? n->get_int64() : 0;
  std::unique_lock lock(registry_mu_);
  auto layer = layers_.find(layer_arn);
  if (layer == layers_.end() || !layer->second.count(version) ||
      layer->second[version].contains("deleted")) {
    lock.unlock();
    return call->Reply({});  // AWS answers 204 for a version that does not exist
  }
  json::object tombstone = layer->second[version];
  tombstone["deleted"] = true;
  layer->second[version] = tombstone;
  lock.unlock();
  storage::WriteBatch batch;
  batch.Put(keyspace::LayerKey(layer_arn, version), json::serialize(tombstone));
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, {}, &ToAwsError, "lambda"),
                          &ToAwsError);
}

json::object* LambdaService::LiveLayerRecord(const std::string& layer_arn, int64_t version) {
  auto layer = layers_.find(layer_arn);
  if (layer == layers_.end()) return nullptr;
  auto it = layer->second.find(version);
  return it == layer->second.end() || it->second.contains("deleted") ? nullptr : &it->second;
}

void LambdaService::AddLayerVersionPermission(CallPtr call) {
  const json::object& in = call->input();
  const std::string layer_arn = LayerArnFor(*call, StringMember(in, "LayerName"));
  const int64_t version = VersionNumberOf(in);
  // Held until the write is submitted: two changes of one policy commit in their order.
  std::unique_lock lock(registry_mu_);
  json::object* record = LiveLayerRecord(layer_arn, version);
  if (record == nullptr) return Fail(call, LayerVersionNotFound(layer_arn, version));
  json::array statements = PolicyStatements(*record);
  const std::string sid = StringMember(in, "StatementId");
  for (const auto& st : statements) {
    if (st.is_object() && StringMember(st.get_object(), "Sid") == sid) {
      return Fail(call, Conflict("The statement id (" + sid +
                                 ") provided already exists. Please provide a new statement id, "
                                 "or remove the existing statement."));
    }
  }
  if (Status s = CheckLayerRevisionId(StringMember(in, "RevisionId"), StringMember(*record, "rev"));
      !s.ok()) {
    return Fail(call, s);
  }
  json::object statement{{"Sid", sid},
                         {"Effect", "Allow"},
                         {"Principal", PrincipalElement(StringMember(in, "Principal"))},
                         {"Action", StringMember(in, "Action")},
                         {"Resource", layer_arn + ":" + std::to_string(version)}};
  if (std::string org = StringMember(in, "OrganizationId"); !org.empty()) {
    statement["Condition"] =
        json::object{{"StringEquals", json::object{{"aws:PrincipalOrgID", org}}}};
  }
  statements.push_back(statement);
  const std::string revision = NewUuid();
  storage::WriteBatch batch =
      SetPolicy(*record, std::move(statements), revision, layer_arn, version);
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(
          call, json::object{{"Statement", json::serialize(statement)}, {"RevisionId", revision}},
          &ToAwsError, "lambda"),
      &ToAwsError);
}

void LambdaService::RemoveLayerVersionPermission(CallPtr call) {
  const json::object& in = call->input();
  const std::string layer_arn = LayerArnFor(*call, StringMember(in, "LayerName"));
  std::unique_lock lock(registry_mu_);
  json::object* record = LiveLayerRecord(layer_arn, VersionNumberOf(in));
  if (record == nullptr) return Fail(call, LayerVersionNotFound(layer_arn, VersionNumberOf(in)));
  if (Status s = CheckLayerRevisionId(StringMember(in, "RevisionId"), StringMember(*record, "rev"));
      !s.ok()) {
    return Fail(call, s);
  }
  json::array statements = PolicyStatements(*record);
  const std::string sid = StringMember(in, "StatementId");
  auto it = std::find_if(statements.begin(), statements.end(), [&](const json::value& v) {
    return v.is_object() && StringMember(v.get_object(), "Sid") == sid;
  });
  if (it == statements.end()) {
    return Fail(call, NotFound("Statement " + sid + " is not found in resource policy."));
  }
  statements.erase(it);
  storage::WriteBatch batch =
      SetPolicy(*record, std::move(statements), NewUuid(), layer_arn, VersionNumberOf(in));
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, {}, &ToAwsError, "lambda"),
                          &ToAwsError);
}

void LambdaService::GetLayerVersionPolicy(CallPtr call) {
  const json::object& in = call->input();
  const std::string layer_arn = LayerArnFor(*call, StringMember(in, "LayerName"));
  const int64_t version = VersionNumberOf(in);
  auto record = FindLayerVersion(layer_arn, version);
  if (!record.ok()) return Fail(call, LayerVersionNotFound(layer_arn, version));
  const json::value* policy = record->if_contains("policy");
  if (policy == nullptr || !policy->is_array() || policy->get_array().empty()) {
    return Fail(call, NotFound("No policy is associated with the given resource."));
  }
  json::object document{{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", *policy}};
  call->Reply(json::object{{"Policy", json::serialize(document)},
                           {"RevisionId", StringMember(*record, "rev")}});
}

Status LambdaService::ResolveLayers(const json::value* layers, json::object& config) {
  if (layers == nullptr) return Status::Ok();
  if (!layers->is_array()) return InvalidParameter("Layers must be a list of layer version ARNs.");
  if (layers->get_array().size() > 5) {
    return InvalidParameter("Cannot reference more than 5 layers.");
  }
  json::array resolved;
  for (const auto& v : layers->get_array()) {
    std::string arn = v.is_string() ? std::string(v.get_string()) : "";
    size_t colon = arn.rfind(':');
    std::string number = colon == std::string::npos ? "" : arn.substr(colon + 1);
    if (number.empty() || number.size() > 18 ||
        number.find_first_not_of("0123456789") != std::string::npos ||
        arn.find(":layer:") == std::string::npos) {
      return InvalidParameter("Layer version " + arn + " does not exist.");
    }
    auto record = FindLayerVersion(arn.substr(0, colon), std::stoll(number));
    if (!record.ok()) return InvalidParameter("Layer version " + arn + " does not exist.");
    const json::object& out = record->at("out").get_object();
    resolved.push_back(
        json::object{{"Arn", arn}, {"CodeSize", out.at("Content").get_object().at("CodeSize")}});
  }
  if (resolved.empty()) {
    config.erase("Layers");
  } else {
    config["Layers"] = std::move(resolved);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> LambdaService::LayerDirs(const json::object& config) {
  std::vector<std::string> dirs;
  const json::value* layers = config.if_contains("Layers");
  if (layers == nullptr || !layers->is_array()) return dirs;
  for (const auto& v : layers->get_array()) {
    if (!v.is_object()) continue;
    std::string arn = StringMember(v.get_object(), "Arn");
    size_t colon = arn.rfind(':');
    if (colon == std::string::npos) continue;
    json::object record;
    {
      // A function keeps working with a layer version deleted after it was configured, as on
      // AWS: a deleted version's record keeps its package.
      std::shared_lock lock(registry_mu_);
      auto layer = layers_.find(arn.substr(0, colon));
      if (layer == layers_.end()) continue;
      auto it = layer->second.find(std::stoll(arn.substr(colon + 1)));
      if (it == layer->second.end()) continue;
      record = it->second;
    }
    std::string dir = StringMember(record, "dir");
    if (dir.empty()) {
      auto extracted = CodeDirFor(StringMember(record, "sha"), {});
      if (!extracted.ok()) return extracted.status();
      dir = std::move(*extracted);
    }
    dirs.push_back(std::move(dir));
  }
  return dirs;
}

}  // namespace tidepool::lambda

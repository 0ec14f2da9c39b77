// CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, DeleteFunction,
// UpdateFunctionCode, UpdateFunctionConfiguration.
#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "core/encoding.h"
#include "functions/runtimes.h"
#include "functions/zip_archive.h"
#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"
#include "services/lambda/package.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

constexpr int64_t kMaxListItems = 50;

bool IsTrue(const json::object& in, std::string_view key) {
  const json::value* v = in.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

// Members of a configuration input that are copied as they are into FunctionConfiguration.
constexpr std::string_view kPlainMembers[] = {
    "Role",      "Handler", "Description",      "Timeout",          "MemorySize",
    "KMSKeyArn", "Runtime", "DeadLetterConfig", "EphemeralStorage", "CapacityProviderConfig"};

Status CheckConfiguration(const json::object& in) {
  std::string runtime = StringMember(in, "Runtime");
  if (!runtime.empty() && !functions::IsSupportedRuntime(runtime)) {
    return InvalidParameter(
        "The runtime parameter of " + runtime +
        " is not supported by tidepool. It runs: " + functions::SupportedRuntimesText() + ".");
  }
  return Status::Ok();
}

void ApplyConfiguration(const json::object& in, json::object& config) {
  for (std::string_view member : kPlainMembers) {
    if (const json::value* v = in.if_contains(member)) config[member] = *v;
  }
  if (const json::value* env = in.if_contains("Environment"); env && env->is_object()) {
    json::object vars;
    if (const json::value* v = env->get_object().if_contains("Variables"); v && v->is_object()) {
      vars = v->get_object();
    }
    config["Environment"] = json::object{{"Variables", std::move(vars)}};
  }
  if (const json::value* tracing = in.if_contains("TracingConfig");
      tracing && tracing->is_object()) {
    std::string mode = StringMember(tracing->get_object(), "Mode");
    config["TracingConfig"] = json::object{{"Mode", mode.empty() ? "PassThrough" : mode}};
  }
  if (const json::value* logging = in.if_contains("LoggingConfig");
      logging && logging->is_object()) {
    json::object merged =
        config["LoggingConfig"].is_object() ? config["LoggingConfig"].get_object() : json::object();
    for (const auto& kv : logging->get_object()) merged[kv.key()] = kv.value();
    config["LoggingConfig"] = std::move(merged);
  }
}

// DurableConfig (durable functions, durable/durable_engine.h): AWS enables durable execution
// only when the function is created; an update may change a durable function's settings.
// ExecutionTimeout is required; RetentionPeriodInDays defaults to 14 (the model checks ranges).
Status ApplyDurableConfig(const json::object& in, json::object& config, bool creating) {
  const json::value* v = in.if_contains("DurableConfig");
  if (v == nullptr || !v->is_object()) return Status::Ok();
  const json::object& given = v->get_object();
  json::object durable =
      config["DurableConfig"].is_object() ? config["DurableConfig"].get_object() : json::object();
  if (!creating && durable.empty()) {
    return InvalidParameter(
        "Durable execution can only be enabled when the function is created. You cannot enable "
        "it on an existing function.");
  }
  for (std::string_view member : {"ExecutionTimeout", "RetentionPeriodInDays"}) {
    if (const json::value* m = given.if_contains(member); m && !m->is_null()) durable[member] = *m;
  }
  if (!durable.contains("ExecutionTimeout")) {
    return InvalidParameter("DurableConfig.ExecutionTimeout is required.");
  }
  if (!durable.contains("RetentionPeriodInDays")) durable["RetentionPeriodInDays"] = 14;
  config["DurableConfig"] = std::move(durable);
  return Status::Ok();
}

// PreconditionFailed when the input's RevisionId is given and is not the function's.
Status CheckRevision(const json::object& in, const json::object& config) {
  return CheckRevisionId(StringMember(in, "RevisionId"), StringMember(config, "RevisionId"));
}

// An update's reply: AWS answers InProgress while it applies the update (tidepool's is
// applied once durable; the stored status stays Successful).
json::object UpdateInProgress(const json::object& config) {
  json::object output = config;
  output["LastUpdateStatus"] = "InProgress";
  output["LastUpdateStatusReason"] = "The function is being updated.";
  output["LastUpdateStatusReasonCode"] = "Creating";
  return output;
}

void ApplyPackage(const Package& p, json::object& config, FunctionRecord& record) {
  config["CodeSha256"] = p.sha_base64;
  config["CodeSize"] = p.size;
  record.code_sha = p.sha_hex;
  record.code_dir = p.code_dir;
}

}  // namespace

void LambdaService::CreateFunction(CallPtr call) {
  const json::object& in = call->input();
  auto ref = ParseFunctionRef(StringMember(in, "FunctionName"));
  if (!ref.ok()) return Fail(call, ref.status());
  if (!ref->qualifier.empty()) {
    return Fail(call, InvalidParameter("A function name cannot include a qualifier at creation"));
  }
  if (StringMember(in, "PackageType") == "Image") {
    return Fail(call, InvalidParameter("tidepool runs .zip functions only: PackageType Image is "
                                       "not supported"));
  }
  if (StringMember(in, "Runtime").empty()) {
    return Fail(call, InvalidParameter("Runtime is required for .zip file archive functions."));
  }
  if (Status s = CheckConfiguration(in); !s.ok()) return Fail(call, s);
  if (Status s = CheckCapacityProviderConfig(*call, in); !s.ok()) return Fail(call, s);
  if (Status s = CheckPublishTo(in); !s.ok()) return Fail(call, s);
  if (const json::value* archs = in.if_contains("Architectures");
      archs && archs->is_array() && archs->get_array().size() > 1) {
    return Fail(call, InvalidParameter("Only one architecture may be given."));
  }
  auto package = ReadPackage(in.at("Code").get_object(), options_.read_s3_object);
  if (!package.ok()) return Fail(call, package.status());

  const std::string arn = FunctionArn(*ref, call->context());
  if (FindFunction(arn)) return Fail(call, Conflict("Function already exist: " + ref->name));
  if (!package->zip.empty()) {
    auto dir = CodeDirFor(package->sha_hex, package->zip);
    if (!dir.ok()) {
      return Fail(call, InvalidParameter("Could not unzip uploaded file. Please check your file, "
                                         "then try to upload again."));
    }
  }

  auto fn = std::make_shared<Function>();
  json::object& config = fn->record.config;
  config["FunctionName"] = ref->name;
  config["FunctionArn"] = arn;
  config["Runtime"] = StringMember(in, "Runtime");
  config["Role"] = StringMember(in, "Role");
  config["Handler"] = StringMember(in, "Handler");
  config["Description"] = "";
  config["Timeout"] = 3;
  config["MemorySize"] = 128;
  config["Version"] = "$LATEST";
  config["TracingConfig"] = json::object{{"Mode", "PassThrough"}};
  config["PackageType"] = "Zip";
  config["Architectures"] =
      in.contains("Architectures") ? in.at("Architectures") : json::value(json::array{"x86_64"});
  config["EphemeralStorage"] = json::object{{"Size", 512}};
  config["SnapStart"] = json::object{{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}};
  config["LoggingConfig"] =
      json::object{{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + ref->name}};
  config["RuntimeVersionConfig"] =
      json::object{{"RuntimeVersionArn", "arn:aws:lambda:" + call->context().region +
                                             "::runtime:tidepool-local-process"}};
  ApplyConfiguration(in, config);
  if (Status s = ApplyDurableConfig(in, config, true); !s.ok()) return Fail(call, s);
  if (Status s = ResolveLayers(in.if_contains("Layers"), config); !s.ok()) return Fail(call, s);
  ApplyPackage(*package, config, fn->record);
  config["LastModified"] = LastModified(clock_);
  config["RevisionId"] = NewUuid();
  config["State"] = "Active";
  config["LastUpdateStatus"] = "Successful";
  if (const json::value* tags = in.if_contains("Tags"); tags && tags->is_object()) {
    fn->record.tags = tags->get_object();
  }
  {
    std::unique_lock lock(registry_mu_);
    if (functions_.count(arn)) {
      return Fail(call, Conflict("Function already exist: " + ref->name));
    }
    functions_[arn] = fn;
  }
  // AWS answers Pending and turns Active once the function is ready; tidepool's function is
  // ready once this write is durable, so the stored state is Active at once.
  json::object output = config;
  output["State"] = "Pending";
  output["StateReason"] = "The function is being created.";
  output["StateReasonCode"] = "Creating";
  storage::WriteBatch extra;
  if (!package->zip.empty()) extra.Put(keyspace::CodeKey(package->sha_hex), package->zip);
  std::lock_guard lock(fn->mu);
  if (IsTrue(in, "Publish")) {
    json::object published = PublishLocked(*fn, {}, extra);
    output["Version"] = published["Version"];
    output["FunctionArn"] = published["FunctionArn"];
  }
  CommitFunction(fn, call, std::move(output), std::move(extra));
}

namespace {

// The configuration GetFunction shows for `qualifier` (fn.mu held): an alias shows its primary
// version's configuration under the alias's ARN.
const FunctionRecord& RecordToShow(const Function& fn, const std::string& qualifier,
                                   json::object* config) {
  const FunctionRecord* r = &fn.record;
  if (!qualifier.empty() && qualifier != "$LATEST") {
    auto alias = fn.aliases.find(qualifier);
    std::string version =
        alias == fn.aliases.end() ? qualifier : StringMember(alias->second, "FunctionVersion");
    if (version != "$LATEST") {
      auto it = fn.versions.find(std::stoll(version));
      if (it != fn.versions.end()) r = &it->second;
    }
    *config = r->config;
    if (alias != fn.aliases.end()) {
      (*config)["FunctionArn"] = StringMember(fn.record.config, "FunctionArn") + ":" + qualifier;
    }
    return *r;
  }
  *config = r->config;
  return *r;
}

}  // namespace

void LambdaService::GetFunction(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  json::object config;
  const FunctionRecord& shown = RecordToShow(**fn, qualifier, &config);
  const FunctionRecord& r = (*fn)->record;
  json::object output{
      {"Configuration", std::move(config)},
      {"Code",
       json::object{{"RepositoryType", "S3"},
                    {"Location", options_.public_endpoint + "/_tidepool/lambda/code/" +
                                     (shown.code_sha.empty() ? "hot-reload" : shown.code_sha)}}}};
  if (!r.tags.empty()) output["Tags"] = r.tags;
  if (r.reserved_concurrency) {
    output["Concurrency"] = json::object{{"ReservedConcurrentExecutions", *r.reserved_concurrency}};
  }
  call->Reply(std::move(output));
}

void LambdaService::GetFunctionConfiguration(CallPtr call) {
  std::string qualifier;
  auto fn = ResolveQualified(*call, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::lock_guard lock((*fn)->mu);
  json::object config;
  RecordToShow(**fn, qualifier, &config);
  call->Reply(std::move(config));
}

void LambdaService::ListFunctions(CallPtr call) {
  const json::object& in = call->input();
  const bool all_versions = StringMember(in, "FunctionVersion") == "ALL";
  int64_t max_items = kMaxListItems;
  if (const json::value* v = in.if_contains("MaxItems"); v && v->is_int64()) {
    max_items = std::min<int64_t>(v->get_int64(), kMaxListItems);
  }
  const std::string prefix =
      "arn:aws:lambda:" + call->context().region + ":" + call->context().account_id + ":function:";
  std::string marker = StringMember(in, "Marker");
  std::vector<std::shared_ptr<Function>> page;
  bool more = false;
  {
    std::shared_lock lock(registry_mu_);
    auto it =
        marker.empty() ? functions_.lower_bound(prefix) : functions_.upper_bound(prefix + marker);
    for (; it != functions_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      if (static_cast<int64_t>(page.size()) == max_items) {
        more = true;
        break;
      }
      page.push_back(it->second);
    }
  }
  json::array list;
  std::string last;
  for (const auto& fn : page) {
    std::lock_guard lock(fn->mu);
    list.push_back(fn->record.config);
    if (all_versions) {
      for (const auto& [n, v] : fn->versions) list.push_back(v.config);
    }
    last = StringMember(fn->record.config, "FunctionName");
  }
  json::object output{{"Functions", std::move(list)}};
  if (more) output["NextMarker"] = last;
  call->Reply(std::move(output));
}

void LambdaService::DeleteFunction(CallPtr call) {
  const json::object& in = call->input();
  auto ref = ParseFunctionRef(StringMember(in, "FunctionName"));
  if (!ref.ok()) return Fail(call, ref.status());
  std::string qualifier = StringMember(in, "Qualifier");
  if (qualifier.empty()) qualifier = ref->qualifier;
  const std::string arn = FunctionArn(*ref, call->context());
  if (!qualifier.empty()) {
    if (qualifier == "$LATEST") {
      return Fail(call, InvalidParameter("$LATEST version cannot be deleted without deleting the "
                                         "function."));
    }
    auto fn = FindFunction(arn);
    if (!fn) return Fail(call, NotFound("Function not found: " + arn));
    std::lock_guard lock(fn->mu);
    if (fn->aliases.count(qualifier)) {
      return Fail(call, InvalidParameter("Deletion of aliases is not supported by DeleteFunction; "
                                         "call DeleteAlias."));
    }
    storage::WriteBatch batch;
    if (Status s = DeleteVersionLocked(*fn, qualifier, batch); !s.ok()) return Fail(call, s);
    services::SubmitForCall(commits_, std::move(batch), call,
                            services::ReplyWhenCommitted(call, {}, &ToAwsError, "lambda"),
                            &ToAwsError);
    return;
  }
  std::shared_ptr<Function> fn;
  {
    std::unique_lock lock(registry_mu_);
    auto it = functions_.find(arn);
    if (it == functions_.end()) return Fail(call, NotFound("Function not found: " + arn));
    fn = std::move(it->second);
    functions_.erase(it);
  }
  {
    std::lock_guard lock(fn->mu);
    fn->deleted = true;
  }
  invoker_.EndFunction(arn);
  storage::WriteBatch batch;
  batch.Delete(keyspace::FunctionKey(arn));
  for (const std::string& prefix : {keyspace::VersionPrefix(arn), keyspace::AliasPrefix(arn)}) {
    batch.DeleteRange(prefix, storage::PrefixEnd(prefix));
  }
  services::SubmitForCall(commits_, std::move(batch), call,
                          services::ReplyWhenCommitted(call, {}, &ToAwsError, "lambda"),
                          &ToAwsError);
}

void LambdaService::UpdateFunctionCode(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  if (in.contains("ImageUri")) {
    return Fail(call, InvalidParameter("tidepool runs .zip functions only: container images "
                                       "(ImageUri) are not supported"));
  }
  if (Status s = CheckPublishTo(in); !s.ok()) return Fail(call, s);
  json::object code;
  for (std::string_view m : {"ZipFile", "S3Bucket", "S3Key", "S3ObjectVersion"}) {
    if (const json::value* v = in.if_contains(m)) code[m] = *v;
  }
  auto package = ReadPackage(code, options_.read_s3_object);
  if (!package.ok()) return Fail(call, package.status());
  if (!package->zip.empty()) {
    auto dir = CodeDirFor(package->sha_hex, package->zip);
    if (!dir.ok()) {
      return Fail(call, InvalidParameter("Could not unzip uploaded file. Please check your file, "
                                         "then try to upload again."));
    }
  }
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  if (Status st = CheckRevision(in, r.config); !st.ok()) return Fail(call, st);
  if (IsTrue(in, "DryRun")) return call->Reply(r.config);
  if (const json::value* archs = in.if_contains("Architectures"))
    r.config["Architectures"] = *archs;
  ApplyPackage(*package, r.config, r);
  r.config["LastModified"] = LastModified(clock_);
  r.config["RevisionId"] = NewUuid();
  json::object output = UpdateInProgress(r.config);
  storage::WriteBatch extra;
  if (!package->zip.empty()) extra.Put(keyspace::CodeKey(package->sha_hex), package->zip);
  if (IsTrue(in, "Publish")) {
    json::object published = PublishLocked(**fn, {}, extra);
    output["Version"] = published["Version"];
    output["FunctionArn"] = published["FunctionArn"];
  }
  CommitFunction(*fn, call, std::move(output), std::move(extra));
}

void LambdaService::UpdateFunctionConfiguration(CallPtr call) {
  const json::object& in = call->input();
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"));
  if (!fn.ok()) return Fail(call, fn.status());
  if (Status s = CheckConfiguration(in); !s.ok()) return Fail(call, s);
  if (Status s = CheckCapacityProviderConfig(*call, in); !s.ok()) return Fail(call, s);
  std::lock_guard lock((*fn)->mu);
  FunctionRecord& r = (*fn)->record;
  if (Status st = CheckRevision(in, r.config); !st.ok()) return Fail(call, st);
  json::object updated = r.config;
  ApplyConfiguration(in, updated);
  if (Status s = ApplyDurableConfig(in, updated, false); !s.ok()) return Fail(call, s);
  if (Status s = ResolveLayers(in.if_contains("Layers"), updated); !s.ok()) return Fail(call, s);
  r.config = std::move(updated);
  r.config["LastModified"] = LastModified(clock_);
  r.config["RevisionId"] = NewUuid();
  json::object output = UpdateInProgress(r.config);
  CommitFunction(*fn, call, std::move(output));
}

}  // namespace tidepool::lambda

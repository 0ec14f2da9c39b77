#include "services/lambda/lambda_service.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <random>
#include <utility>
#include <vector>

#include "core/encoding.h"
#include "functions/zip_archive.h"
#include "protocol/model/models.h"
#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_errors.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

// The registration table: operation name -> handler, sorted by name. Operations of the model
// that are not listed answer UnsupportedOperationException (docs/differences.md lists them).
struct LambdaServiceTable {
  struct Entry {
    std::string_view operation;
    LambdaService::Handler handler;
  };
  static constexpr std::array<Entry, 76> kEntries{{
      {"AddLayerVersionPermission", &LambdaService::AddLayerVersionPermission},
      {"AddPermission", &LambdaService::AddPermission},
      {"CheckpointDurableExecution", &LambdaService::CheckpointDurableExecution},
      {"CreateAlias", &LambdaService::CreateAlias},
      {"CreateCapacityProvider", &LambdaService::CreateCapacityProvider},
      {"CreateEventSourceMapping", &LambdaService::CreateEventSourceMapping},
      {"CreateFunction", &LambdaService::CreateFunction},
      {"CreateFunctionUrlConfig", &LambdaService::CreateFunctionUrlConfig},
      {"DeleteAlias", &LambdaService::DeleteAlias},
      {"DeleteCapacityProvider", &LambdaService::DeleteCapacityProvider},
      {"DeleteEventSourceMapping", &LambdaService::DeleteEventSourceMapping},
      {"DeleteFunction", &LambdaService::DeleteFunction},
      {"DeleteFunctionConcurrency", &LambdaService::DeleteFunctionConcurrency},
      {"DeleteFunctionEventInvokeConfig", &LambdaService::DeleteFunctionEventInvokeConfig},
      {"DeleteFunctionUrlConfig", &LambdaService::DeleteFunctionUrlConfig},
      {"DeleteLayerVersion", &LambdaService::DeleteLayerVersion},
      {"DeleteProvisionedConcurrencyConfig", &LambdaService::DeleteProvisionedConcurrencyConfig},
      {"GetAccountSettings", &LambdaService::GetAccountSettings},
      {"GetAlias", &LambdaService::GetAlias},
      {"GetCapacityProvider", &LambdaService::GetCapacityProvider},
      {"GetDurableExecution", &LambdaService::GetDurableExecution},
      {"GetDurableExecutionHistory", &LambdaService::GetDurableExecutionHistory},
      {"GetDurableExecutionState", &LambdaService::GetDurableExecutionState},
      {"GetEventSourceMapping", &LambdaService::GetEventSourceMapping},
      {"GetFunction", &LambdaService::GetFunction},
      {"GetFunctionConcurrency", &LambdaService::GetFunctionConcurrency},
      {"GetFunctionConfiguration", &LambdaService::GetFunctionConfiguration},
      {"GetFunctionEventInvokeConfig", &LambdaService::GetFunctionEventInvokeConfig},
      {"GetFunctionRecursionConfig", &LambdaService::GetFunctionRecursionConfig},
      {"GetFunctionScalingConfig", &LambdaService::GetFunctionScalingConfig},
      {"GetFunctionUrlConfig", &LambdaService::GetFunctionUrlConfig},
      {"GetLayerVersion", &LambdaService::GetLayerVersion},
      {"GetLayerVersionByArn", &LambdaService::GetLayerVersionByArn},
      {"GetLayerVersionPolicy", &LambdaService::GetLayerVersionPolicy},
      {"GetPolicy", &LambdaService::GetPolicy},
      {"GetProvisionedConcurrencyConfig", &LambdaService::GetProvisionedConcurrencyConfig},
      {"GetRuntimeManagementConfig", &LambdaService::GetRuntimeManagementConfig},
      {"Invoke", &LambdaService::InvokeOp},
      {"InvokeAsync", &LambdaService::InvokeAsync},
      {"InvokeWithResponseStream", &LambdaService::InvokeWithResponseStream},
      {"ListAliases", &LambdaService::ListAliases},
      {"ListCapacityProviders", &LambdaService::ListCapacityProviders},
      {"ListDurableExecutionsByFunction", &LambdaService::ListDurableExecutionsByFunction},
      {"ListEventSourceMappings", &LambdaService::ListEventSourceMappings},
      {"ListFunctionEventInvokeConfigs", &LambdaService::ListFunctionEventInvokeConfigs},
      {"ListFunctionUrlConfigs", &LambdaService::ListFunctionUrlConfigs},
      {"ListFunctionVersionsByCapacityProvider",
       &LambdaService::ListFunctionVersionsByCapacityProvider},
      {"ListFunctions", &LambdaService::ListFunctions},
      {"ListLayerVersions", &LambdaService::ListLayerVersions},
      {"ListLayers", &LambdaService::ListLayers},
      {"ListProvisionedConcurrencyConfigs", &LambdaService::ListProvisionedConcurrencyConfigs},
      {"ListTags", &LambdaService::ListTags},
      {"ListVersionsByFunction", &LambdaService::ListVersionsByFunction},
      {"PublishLayerVersion", &LambdaService::PublishLayerVersion},
      {"PublishVersion", &LambdaService::PublishVersion},
      {"PutFunctionConcurrency", &LambdaService::PutFunctionConcurrency},
      {"PutFunctionEventInvokeConfig", &LambdaService::PutFunctionEventInvokeConfig},
      {"PutFunctionRecursionConfig", &LambdaService::PutFunctionRecursionConfig},
      {"PutFunctionScalingConfig", &LambdaService::PutFunctionScalingConfig},
      {"PutProvisionedConcurrencyConfig", &LambdaService::PutProvisionedConcurrencyConfig},
      {"PutRuntimeManagementConfig", &LambdaService::PutRuntimeManagementConfig},
      {"RemoveLayerVersionPermission", &LambdaService::RemoveLayerVersionPermission},
      {"RemovePermission", &LambdaService::RemovePermission},
      {"SendDurableExecutionCallbackFailure", &LambdaService::SendDurableExecutionCallbackFailure},
      {"SendDurableExecutionCallbackHeartbeat",
       &LambdaService::SendDurableExecutionCallbackHeartbeat},
      {"SendDurableExecutionCallbackSuccess", &LambdaService::SendDurableExecutionCallbackSuccess},
      {"StopDurableExecution", &LambdaService::StopDurableExecution},
      {"TagResource", &LambdaService::TagResource},
      {"UntagResource", &LambdaService::UntagResource},
      {"UpdateAlias", &LambdaService::UpdateAlias},
      {"UpdateCapacityProvider", &LambdaService::UpdateCapacityProvider},
      {"UpdateEventSourceMapping", &LambdaService::UpdateEventSourceMapping},
      {"UpdateFunctionCode", &LambdaService::UpdateFunctionCode},
      {"UpdateFunctionConfiguration", &LambdaService::UpdateFunctionConfiguration},
      {"UpdateFunctionEventInvokeConfig", &LambdaService::UpdateFunctionEventInvokeConfig},
      {"UpdateFunctionUrlConfig", &LambdaService::UpdateFunctionUrlConfig},
  }};

  static LambdaService::Handler Find(std::string_view operation) {
    auto end = kEntries.end();
    auto it =
        std::lower_bound(kEntries.begin(), end, operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != end && it->operation == operation) ? it->handler : nullptr;
  }
};

Result<FunctionRef> ParseFunctionRef(std::string_view text) {
  FunctionRef ref;
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon == std::string_view::npos ? colon : colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  auto invalid = [&] {
    return InvalidParameter("1 validation error detected: Value '" + std::string(text) +
                            "' at 'functionName' failed to satisfy constraint: Member must "
                            "satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?"
                            "([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
                            "([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
  };
  if (parts.size() >= 6 && parts[0] == "arn") {
    // arn:aws:lambda:region:account:function:name[:qualifier]
    if (parts.size() > 8 || parts[2] != "lambda" || parts[5] != "function" || parts.size() < 7) {
      return invalid();
    }
    ref.region = std::string(parts[3]);
    ref.account = std::string(parts[4]);
    ref.name = std::string(parts[6]);
    if (parts.size() == 8) ref.qualifier = std::string(parts[7]);
  } else if (parts.size() >= 3 && parts[1] == "function") {
    if (parts.size() > 4) return invalid();
    ref.account = std::string(parts[0]);
    ref.name = std::string(parts[2]);
    if (parts.size() == 4) ref.qualifier = std::string(parts[3]);
  } else if (parts.size() <= 2) {
    ref.name = std::string(parts[0]);
    if (parts.size() == 2) ref.qualifier = std::string(parts[1]);
  } else {
    return invalid();
  }
  if (ref.name.empty() || ref.name.size() > 64) return invalid();
  for (char c : ref.name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return invalid();
    }
  }
  return ref;
}

LambdaService::LambdaService(storage::Store& store, storage::CommitQueue& commits,
                             const Clock& clock, functions::Invoker& invoker, LambdaOptions options)
    : store_(store),
      commits_(commits),
      clock_(clock),
      invoker_(invoker),
      options_(std::move(options)) {
  durable::DurableEngineOptions durable_options;
  durable_options.time_scale = options_.time_scale;
  durable_options.schedule = options_.schedule;
  durable_options.invoke = [this](const std::string& arn, functions::Invocation invocation,
                                  functions::InvokeDone done) {
    InvokeFunction(arn, "", "", std::move(invocation), std::move(done));
  };
  durable_ = std::make_unique<durable::DurableEngine>(
      store_, commits_, clock_, keyspace::DurableExecutionPrefix(), std::move(durable_options));
}

LambdaService::~LambdaService() { durable_->Stop(); }

const protocol::model::ServiceModel& LambdaService::Model() const {
  return protocol::model::LambdaModel();
}

void LambdaService::Invoke(CallPtr call) {
  const Handler handler = LambdaServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    return Fail(call, LambdaStatus(LambdaError::kUnsupportedOperation,
                                   "tidepool does not implement " +
                                       std::string(call->operation().name) + " yet"));
  }
  (this->*handler)(std::move(call));
}

boost::json::object LambdaService::Health() const {
  std::shared_lock lock(registry_mu_);
  return json::object{{"status", "running"},
                      {"functions", functions_.size()},
                      {"event_source_mappings", mappings_.size()}};
}

Status LambdaService::Recover() {
  std::error_code ec;
  std::filesystem::create_directories(options_.code_dir, ec);
  if (ec) return Status::IoError("cannot create " + options_.code_dir + ": " + ec.message());
  std::string prefix = keyspace::FunctionPrefix();
  size_t loaded = 0, skipped = 0;
  Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                         [&](std::string_view key, std::string_view value) {
                           auto arn = keyspace::ParseFunctionKey(key);
                           auto record = FunctionRecord::Decode(value);
                           if (!arn || !record.ok()) {
                             spdlog::error("lambda: skipping an undecodable function record: {}",
                                           record.ok() ? "bad key" : record.status().ToString());
                             ++skipped;
                             return true;
                           }
                           auto fn = std::make_shared<Function>();
                           fn->record = std::move(*record);
                           functions_[*arn] = std::move(fn);
                           ++loaded;
                           return true;
                         });
  if (!s.ok()) return s;
  if (s = RecoverVersionsAndAliases(&skipped); !s.ok()) return s;
  if (s = RecoverLayers(); !s.ok()) return s;
  if (s = RecoverCapacityProviders(); !s.ok()) return s;
  IndexFunctionUrls();
  std::string queue = keyspace::AsyncPrefix();
  s = store_.Scan(queue, storage::PrefixEnd(queue), [&](std::string_view key, std::string_view) {
    if (auto seq = keyspace::ParseAsyncKey(key); seq && *seq >= next_async_seq_.load()) {
      next_async_seq_.store(*seq + 1);
    }
    return true;
  });
  if (!s.ok()) return s;
  if (loaded + skipped > 0)
    spdlog::info("lambda: recovered {} functions ({} skipped)", loaded, skipped);
  return RecoverMappings();
}

Status LambdaService::RecoverVersionsAndAliases(size_t* skipped) {
  // A version or alias whose function is gone (deleted in the same batch) cannot occur; one
  // that is found anyway is skipped.
  for (char kind : {'v', 'a'}) {
    std::string prefix = kind == 'v' ? keyspace::AllVersionsPrefix() : keyspace::AllAliasesPrefix();
    Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                           [&](std::string_view key, std::string_view value) {
                             if (kind == 'v') {
                               auto k = keyspace::ParseVersionKey(key);
                               auto record = FunctionRecord::Decode(value);
                               auto fn = k ? functions_.find(k->first) : functions_.end();
                               if (!k || !record.ok() || fn == functions_.end()) {
                                 spdlog::error("lambda: skipping an undecodable version record");
                                 ++*skipped;
                                 return true;
                               }
                               fn->second->versions[k->second] = std::move(*record);
                               return true;
                             }
                             auto k = keyspace::ParseAliasKey(key);
                             boost::system::error_code ec;
                             json::value v = json::parse(value, ec);
                             auto fn = k ? functions_.find(k->first) : functions_.end();
                             if (!k || ec || !v.is_object() || fn == functions_.end()) {
                               spdlog::error("lambda: skipping an undecodable alias record");
                               ++*skipped;
                               return true;
                             }
                             fn->second->aliases[k->second] = std::move(v.get_object());
                             return true;
                           });
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status LambdaService::ScanJsonRecords(
    const std::string& prefix, std::string_view what,
    const std::function<bool(std::string_view, json::object&)>& take) {
  return store_.Scan(prefix, storage::PrefixEnd(prefix),
                     [&](std::string_view key, std::string_view value) {
                       boost::system::error_code ec;
                       json::value v = json::parse(value, ec);
                       if (ec || !v.is_object() || !take(key, v.get_object())) {
                         spdlog::error("lambda: skipping an undecodable {} record", what);
                       }
                       return true;
                     });
}

Status LambdaService::RecoverLayers() {
  return ScanJsonRecords(keyspace::LayerPrefix(), "layer version",
                         [&](std::string_view key, json::object& record) {
                           auto k = keyspace::ParseLayerKey(key);
                           const json::value* out = record.if_contains("out");
                           if (!k || out == nullptr || !out->is_object()) return false;
                           layers_[k->first][k->second] = std::move(record);
                           return true;
                         });
}

void LambdaService::Fail(const CallPtr& call, const Status& status) {
  call->Fail(ToAwsError(status));
}

std::string LambdaService::FunctionArn(const FunctionRef& ref,
                                       const protocol::RequestContext& context) const {
  return "arn:aws:lambda:" + (ref.region.empty() ? context.region : ref.region) + ":" +
         (ref.account.empty() ? context.account_id : ref.account) + ":function:" + ref.name;
}

std::shared_ptr<Function> LambdaService::FindFunction(std::string_view arn) const {
  std::shared_lock lock(registry_mu_);
  auto it = functions_.find(std::string(arn));
  return it == functions_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<Function>> LambdaService::ResolveFunction(const protocol::Call& call,
                                                                 std::string_view text,
                                                                 std::string_view qualifier,
                                                                 std::string* qualifier_out) const {
  auto ref = ParseFunctionRef(text);
  if (!ref.ok()) return ref.status();
  if (!qualifier.empty()) {
    if (!ref->qualifier.empty() && ref->qualifier != qualifier) {
      return InvalidParameter(
          "The derived qualifier from the function name does not match the "
          "specified qualifier.");
    }
    ref->qualifier = std::string(qualifier);
  }
  std::string arn = FunctionArn(*ref, call.context());
  auto fn = FindFunction(arn);
  if (!fn) return NotFound("Function not found: " + arn);
  if (!ref->qualifier.empty()) {
    std::lock_guard lock(fn->mu);
    if (ref->qualifier != "$LATEST" && RecordToRun(*fn, ref->qualifier) == nullptr) {
      return NotFound("Function not found: " + arn + ":" + ref->qualifier);
    }
  }
  if (qualifier_out) *qualifier_out = ref->qualifier;
  return fn;
}

Result<std::shared_ptr<Function>> LambdaService::ResolveQualified(const protocol::Call& call,
                                                                  std::string* qualifier) const {
  return ResolveFunction(call, StringMember(call.input(), "FunctionName"),
                         StringMember(call.input(), "Qualifier"), qualifier);
}

const FunctionRecord* LambdaService::RecordToRun(const Function& fn, std::string_view qualifier) {
  if (qualifier.empty() || qualifier == "$LATEST") return &fn.record;
  if (std::all_of(qualifier.begin(), qualifier.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    if (qualifier.size() > 18) return nullptr;
    auto it = fn.versions.find(std::stoll(std::string(qualifier)));
    return it == fn.versions.end() ? nullptr : &it->second;
  }
  auto alias = fn.aliases.find(std::string(qualifier));
  if (alias == fn.aliases.end()) return nullptr;
  std::string version = StringMember(alias->second, "FunctionVersion");
  // RoutingConfig: one other version gets its weight of the invocations.
  if (const json::value* routing = alias->second.if_contains("RoutingConfig");
      routing && routing->is_object()) {
    if (const json::value* weights = routing->get_object().if_contains("AdditionalVersionWeights");
        weights && weights->is_object()) {
      thread_local std::mt19937_64 rng{std::random_device{}()};
      double draw = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      for (const auto& kv : weights->get_object()) {
        double w = kv.value().is_number() ? kv.value().to_number<double>() : 0.0;
        if (draw < w) {
          version = std::string(kv.key());
          break;
        }
        draw -= w;
      }
    }
  }
  if (version == "$LATEST") return &fn.record;
  return version.empty() || version == qualifier ? nullptr : RecordToRun(fn, version);
}

void LambdaService::CommitFunction(const std::shared_ptr<Function>& fn, CallPtr call,
                                   json::object output, storage::WriteBatch extra) {
  storage::WriteBatch batch = std::move(extra);
  batch.Put(keyspace::FunctionKey(json::value_to<std::string>(fn->record.config.at("FunctionArn"))),
            fn->record.Encode());
  services::SubmitForCall(
      commits_, std::move(batch), call,
      services::ReplyWhenCommitted(call, std::move(output), &ToAwsError, "lambda"), &ToAwsError);
}

Result<std::string> LambdaService::CodeDirFor(std::string_view sha, std::string_view zip) {
  std::string dir = options_.code_dir + "/" + std::string(sha);
  std::lock_guard lock(code_mu_);
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return dir;
  std::string bytes;
  if (zip.empty()) {
    auto stored = store_.Get(keyspace::CodeKey(sha));
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return Status::NotFound("the function's package is missing");
    bytes = std::move(**stored);
    zip = bytes;
  }
  std::string tmp = dir + ".tmp-" + NewUuid();
  if (Status s = functions::ExtractZip(zip, tmp); !s.ok()) {
    std::filesystem::remove_all(tmp, ec);
    return s;
  }
  std::filesystem::rename(tmp, dir, ec);
  if (ec) {
    std::filesystem::remove_all(tmp, ec);
    if (!std::filesystem::is_directory(dir, ec)) return Status::IoError("cannot place " + dir);
  }
  return dir;
}

namespace {

// The newest modification time under `dir` (hot-reload revisions); bounded walk.
std::string TreeStamp(const std::string& dir) {
  std::error_code ec;
  auto newest = std::filesystem::file_time_type::min();  // the file clock's epoch is not 1970
  size_t seen = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::skip_permission_denied, ec);
       !ec && it != std::filesystem::recursive_directory_iterator() && seen < 20000;
       it.increment(ec), ++seen) {
    if (it->is_directory(ec) && it->path().filename() == "node_modules") {
      it.disable_recursion_pending();
    }
    auto t = it->last_write_time(ec);
    if (!ec && t > newest) newest = t;
  }
  return std::to_string(newest.time_since_epoch().count());
}

std::string StringOr(const json::object& o, std::string_view key, std::string_view fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(fallback);
}

int64_t IntOr(const json::object& o, std::string_view key, int64_t fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : fallback;
}

}  // namespace

void LambdaService::EnqueueAsync(CallPtr call, std::string arn, std::string payload,
                                 json::object output) {
  auto entry = std::make_shared<AsyncInvocation>();
  entry->seq = next_async_seq_.fetch_add(1);
  entry->function_arn = std::move(arn);
  entry->payload = std::move(payload);
  entry->request_id = call->context().request_id;
  entry->enqueued_ms = clock_.NowMillis();
  entry->trace_header = call->context().trace_header;
  storage::WriteBatch batch;
  batch.Put(keyspace::AsyncKey(entry->seq), entry->Encode());
  services::SubmitForCall(
      commits_, std::move(batch), call,
      [this, call, entry, output = std::move(output)](const Status& st) mutable {
        if (!st.ok()) return call->Fail(ToAwsError(st));
        call->Reply(std::move(output));
        if (async_listener_) async_listener_(entry);
      },
      &ToAwsError);
}

void LambdaService::EnqueueInternal(std::string_view function_arn, std::string payload,
                                    std::function<void(const Status&)> done,
                                    std::string trace_header) {
  auto ref = ParseFunctionRef(function_arn);
  if (!ref.ok()) return done(ref.status());
  std::string arn = "arn:aws:lambda:" + ref->region + ":" + ref->account + ":function:" + ref->name;
  auto fn = FindFunction(arn);
  if (!fn) return done(NotFound("Function not found: " + arn));
  auto entry = std::make_shared<AsyncInvocation>();
  entry->seq = next_async_seq_.fetch_add(1);
  entry->function_arn = std::string(function_arn);
  entry->payload = payload.empty() ? "{}" : std::move(payload);
  entry->request_id = NewUuid();
  entry->enqueued_ms = clock_.NowMillis();
  entry->trace_header = std::move(trace_header);
  storage::WriteBatch batch;
  batch.Put(keyspace::AsyncKey(entry->seq), entry->Encode());
  Status s = commits_.Submit(std::move(batch), [this, entry, done](const Status& st) {
    done(st);
    if (st.ok() && async_listener_) async_listener_(entry);
  });
  if (!s.ok()) done(s);
}

Result<std::vector<AsyncInvocationPtr>> LambdaService::LoadAsyncQueue() const {
  std::vector<AsyncInvocationPtr> out;
  std::string queue = keyspace::AsyncPrefix();
  Status s = store_.Scan(queue, storage::PrefixEnd(queue),
                         [&](std::string_view key, std::string_view value) {
                           auto seq = keyspace::ParseAsyncKey(key);
                           auto entry = seq ? AsyncInvocation::Decode(*seq, value)
                                            : Result<AsyncInvocation>(Status::Corruption("key"));
                           if (!entry.ok()) {
                             spdlog::error("lambda: skipping an undecodable async invocation: {}",
                                           entry.status().ToString());
                             return true;
                           }
                           out.push_back(std::make_shared<AsyncInvocation>(std::move(*entry)));
                           return true;
                         });
  if (!s.ok()) return s;
  return out;
}

void LambdaService::CompleteAsync(uint64_t seq) {
  storage::WriteBatch batch;
  batch.Delete(keyspace::AsyncKey(seq));
  Status s = commits_.Submit(std::move(batch), [seq](const Status& st) {
    if (!st.ok())
      spdlog::error("lambda: cannot delete async invocation {}: {}", seq, st.ToString());
  });
  if (!s.ok()) spdlog::warn("lambda: async invocation {} stays queued: {}", seq, s.ToString());
}

Result<functions::FunctionSpecPtr> LambdaService::SpecFor(const Function& fn,
                                                          const FunctionRecord& record) {
  auto spec = std::make_shared<functions::FunctionSpec>();
  const json::object& c = record.config;
  spec->function_name = StringOr(c, "FunctionName", "");
  spec->function_arn = StringOr(c, "FunctionArn", "");
  spec->version = StringOr(c, "Version", "$LATEST");
  spec->runtime = StringOr(c, "Runtime", "");
  spec->handler = StringOr(c, "Handler", "");
  spec->timeout_seconds = static_cast<int>(IntOr(c, "Timeout", 3));
  spec->memory_mb = static_cast<int>(IntOr(c, "MemorySize", 128));
  spec->reserved_concurrency =
      record.reserved_concurrency ? static_cast<int>(*record.reserved_concurrency) : -1;
  spec->max_environments = ScalingLimit(fn.record, spec->version, "MaxExecutionEnvironments");
  // arn:aws:lambda:<region>:<account>:function:<name>
  std::vector<std::string> parts;
  for (size_t start = 0, colon; start <= spec->function_arn.size(); start = colon + 1) {
    colon = spec->function_arn.find(':', start);
    parts.push_back(spec->function_arn.substr(start, colon - start));
    if (colon == std::string::npos) break;
  }
  if (parts.size() >= 5) {
    spec->region = parts[3];
    spec->account_id = parts[4];
  }
  // A version's configuration names its qualified ARN; sandboxes are pooled by the function's
  // unqualified ARN and the version.
  if (parts.size() == 8) {
    spec->function_arn.resize(spec->function_arn.size() - parts[7].size() - 1);
  }
  if (const json::value* env = c.if_contains("Environment"); env && env->is_object()) {
    if (const json::value* vars = env->get_object().if_contains("Variables");
        vars && vars->is_object()) {
      for (const auto& kv : vars->get_object()) {
        if (kv.value().is_string()) {
          spec->environment.emplace_back(std::string(kv.key()),
                                         std::string(kv.value().get_string()));
        }
      }
    }
  }
  auto layer_dirs = LayerDirs(c);
  if (!layer_dirs.ok()) return layer_dirs.status();
  spec->layer_dirs = std::move(*layer_dirs);
  spec->revision = StringOr(c, "RevisionId", "");
  if (!record.code_dir.empty()) {
    spec->code_dir = record.code_dir;
    spec->revision += "@" + TreeStamp(record.code_dir);
  } else {
    auto dir = CodeDirFor(record.code_sha, {});
    if (!dir.ok()) return dir.status();
    spec->code_dir = std::move(*dir);
  }
  return functions::FunctionSpecPtr(std::move(spec));
}

}  // namespace tidepool::lambda

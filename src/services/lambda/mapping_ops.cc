// Event source mappings: Create/Get/Update/Delete/ListEventSourceMappings. The engine runs
// them (event_source_mapping.h); this file validates, stores and walks the State transitions
// AWS shows (Creating -> Enabled/Disabled, Updating/Enabling/Disabling -> ..., Deleting ->
// gone), each a commit.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include <algorithm>

#include "core/encoding.h"
#include "patterns/filter_policy.h"
#include "services/lambda/keyspace.h"
#include "services/lambda/lambda_errors.h"
#include "services/lambda/lambda_service.h"
#include "services/write_path.h"
#include "storage/key_codec.h"

namespace tidepool::lambda {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// Parameters of the model tidepool does not run: refused, never silently ignored.
constexpr std::string_view kUnbuilt[] = {
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
    "KMSKeyArn",
    "MetricsConfig",
    "LoggingConfig",
    "ProvisionedPollerConfig",
};
// Parameters only stream sources (Kinesis, DynamoDB Streams) take.
constexpr std::string_view kStreamOnly[] = {
    "StartingPosition",          "StartingPositionTimestamp",  "ParallelizationFactor",
    "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts",
    "TumblingWindowInSeconds",   "DestinationConfig",
};

Status Unsupported(std::string_view what) {
  return InvalidParameter(fmt::format(
      "tidepool does not support {} for event source mappings yet (see docs/differences.md).",
      what));
}

std::string Arn(const protocol::RequestContext& ctx, std::string_view uuid) {
  return fmt::format("arn:aws:lambda:{}:{}:event-source-mapping:{}", ctx.region, ctx.account_id,
                     uuid);
}

// What kind of source `arn` is: "kinesis", "dynamodb" (a table's stream) or "sqs".
Result<MappingSource> SourceOf(std::string_view arn) {
  auto invalid = [&] {
    return InvalidParameter(fmt::format("Unrecognized event source: {}", arn));
  };
  if (arn.rfind("arn:", 0) != 0) return invalid();
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return invalid();
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = arn.substr(start);
  if (parts[2] == "kinesis" && resource.rfind("stream/", 0) == 0) {
    if (resource.find("/consumer/") != std::string_view::npos) {
      return Unsupported("Kinesis enhanced fan-out consumers");
    }
    return MappingSource::kKinesis;
  }
  if (parts[2] == "dynamodb" && resource.rfind("table/", 0) == 0 &&
      resource.find("/stream/") != std::string_view::npos) {
    return MappingSource::kDynamoDbStream;
  }
  if (parts[2] == "sqs" && !resource.empty() && resource.find('/') == std::string_view::npos) {
    return MappingSource::kSqs;
  }
  if (parts[2] == "kafka" || parts[2] == "mq" || parts[2] == "rds") {
    return Unsupported("event sources of service " + std::string(parts[2]));
  }
  return invalid();
}

bool IsFifoQueue(std::string_view arn) {
  return arn.size() > 5 && arn.substr(arn.size() - 5) == ".fifo";
}

const json::object* ObjectMember(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? &v->get_object() : nullptr;
}

// Checks the settings of `c` (the complete configuration after a create or update) against
// the rules of its source, as AWS does.
Status CheckSettings(const json::object& c, MappingSource source, bool fifo) {
  const int64_t batch = c.at("BatchSize").as_int64();
  const int64_t window = c.at("MaximumBatchingWindowInSeconds").as_int64();
  if (window < 0 || window > 300) {
    return InvalidParameter("MaximumBatchingWindowInSeconds must be between 0 and 300.");
  }
  if (source == MappingSource::kSqs) {
    if (fifo && batch > 10) {
      return InvalidParameter("Batch size must be between 1 and 10 for FIFO queues.");
    }
    if (!fifo && batch > 10 && window == 0) {
      return InvalidParameter(
          "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
          "greater than 10");
    }
    if (const json::object* s = ObjectMember(c, "ScalingConfig")) {
      if (const json::value* m = s->if_contains("MaximumConcurrency"); m && m->is_int64()) {
        if (m->get_int64() < 2 || m->get_int64() > 1000) {
          return InvalidParameter("MaximumConcurrency must be between 2 and 1000.");
        }
      }
    }
    return Status::Ok();
  }
  const json::value* parallel = c.if_contains("ParallelizationFactor");
  if (parallel && parallel->is_int64() &&
      (parallel->get_int64() < 1 || parallel->get_int64() > 10)) {
    return InvalidParameter("ParallelizationFactor must be between 1 and 10.");
  }
  const json::value* tumbling = c.if_contains("TumblingWindowInSeconds");
  if (tumbling && tumbling->is_int64() &&
      (tumbling->get_int64() < 0 || tumbling->get_int64() > 900)) {
    return InvalidParameter("TumblingWindowInSeconds must be between 0 and 900.");
  }
  const int64_t age = c.at("MaximumRecordAgeInSeconds").as_int64();
  if (age != -1 && (age < 60 || age > 604800)) {
    return InvalidParameter(
        "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800.");
  }
  const int64_t retries = c.at("MaximumRetryAttempts").as_int64();
  if (retries < -1 || retries > 10000) {
    return InvalidParameter("MaximumRetryAttempts must be -1 (infinite) or between 0 and 10000.");
  }
  if (const json::object* d = ObjectMember(c, "DestinationConfig")) {
    if (const json::object* s = ObjectMember(*d, "OnSuccess"); s && !s->empty()) {
      return InvalidParameter(
          "Unsupported DestinationConfig parameter for given event source "
          "mapping type: OnSuccess.");
    }
    if (const json::object* f = ObjectMember(*d, "OnFailure")) {
      std::string dest = StringMember(*f, "Destination");
      if (!dest.empty() && dest.rfind("arn:aws:sqs:", 0) != 0 &&
          dest.rfind("arn:aws:sns:", 0) != 0 && dest.rfind("arn:aws:s3:::", 0) != 0) {
        return InvalidParameter(fmt::format(
            "The provided destination config DestinationConfig(onSuccess=null, "
            "onFailure=OnFailure(destination={})) is invalid: tidepool delivers on-failure "
            "records to SQS queues, SNS topics and S3 buckets.",
            dest));
      }
    }
  }
  return Status::Ok();
}

bool ValidEventPattern(std::string_view pattern) {
  return patterns::FilterPolicy::Parse(pattern, patterns::FilterScope::kEventPattern).ok();
}

Status CheckFilters(const json::object& c) {
  const json::object* f = ObjectMember(c, "FilterCriteria");
  if (f == nullptr) return Status::Ok();
  const json::value* filters = f->if_contains("Filters");
  if (filters == nullptr || !filters->is_array()) return Status::Ok();
  if (filters->get_array().size() > 10) {
    return InvalidParameter("Filter criteria can have at most 10 filters.");
  }
  for (const auto& filter : filters->get_array()) {
    std::string pattern = filter.is_object() ? StringMember(filter.get_object(), "Pattern") : "";
    if (!ValidEventPattern(pattern)) {
      return InvalidParameter(fmt::format("Invalid filter pattern definition: {}", pattern));
    }
  }
  return Status::Ok();
}

}  // namespace

void LambdaService::CreateEventSourceMapping(CallPtr call) {
  const json::object& in = call->input();
  for (std::string_view key : kUnbuilt) {
    if (in.contains(key)) return Fail(call, Unsupported(key));
  }
  const std::string source_arn = StringMember(in, "EventSourceArn");
  if (source_arn.empty()) return Fail(call, InvalidParameter("EventSourceArn is required."));
  auto source = SourceOf(source_arn);
  if (!source.ok()) return Fail(call, source.status());
  std::string qualifier;
  auto fn = ResolveFunction(*call, StringMember(in, "FunctionName"), {}, &qualifier);
  if (!fn.ok()) return Fail(call, fn.status());
  std::string function_arn;
  {
    std::lock_guard lock((*fn)->mu);
    // A mapping to a version or alias keeps the qualifier: the engine invokes that.
    function_arn = StringMember((*fn)->record.config, "FunctionArn");
    if (!qualifier.empty()) function_arn += ":" + qualifier;
  }
  const bool stream = *source != MappingSource::kSqs;
  const bool fifo = *source == MappingSource::kSqs && IsFifoQueue(source_arn);
  if (!stream) {
    for (std::string_view key : kStreamOnly) {
      if (in.contains(key)) {
        return Fail(call,
                    InvalidParameter(fmt::format(
                        "Unsupported {} parameter for given event source mapping type.", key)));
      }
    }
  }
  if (in.contains("ScalingConfig") && stream) {
    return Fail(call,
                InvalidParameter(
                    "Unsupported ScalingConfig parameter for given event source mapping type."));
  }
  std::string position = StringMember(in, "StartingPosition");
  if (stream) {
    if (position.empty()) {
      return Fail(call, InvalidParameter("StartingPosition is required for stream event sources."));
    }
    if (position == "AT_TIMESTAMP" && *source == MappingSource::kDynamoDbStream) {
      return Fail(call, InvalidParameter("Unsupported starting position for DynamoDB streams: "
                                         "AT_TIMESTAMP."));
    }
    if ((position == "AT_TIMESTAMP") != in.contains("StartingPositionTimestamp")) {
      return Fail(
          call, InvalidParameter("StartingPositionTimestamp must be given with (and only with) the "
                                 "AT_TIMESTAMP starting position."));
    }
  }
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [uuid, m] : mappings_) {
      std::lock_guard mlock(m->mu);
      if (!m->deleted && StringMember(m->record.config, "EventSourceArn") == source_arn &&
          StringMember(m->record.config, "FunctionArn") == function_arn) {
        return Fail(call,
                    Conflict(fmt::format(
                        "The event source arn (\" {} \") and function (\" {} \") provided "
                        "mapping already exists. Please update or delete the existing "
                        "mapping with UUID {}",
                        source_arn, StringMember((*fn)->record.config, "FunctionName"), uuid)));
      }
    }
  }

  const std::string uuid = NewUuid();
  json::object c;
  c["UUID"] = uuid;
  auto copy = [&](std::string_view key, json::value fallback) {
    const json::value* v = in.if_contains(key);
    c[key] = v ? *v : std::move(fallback);
  };
  if (stream) {
    c["StartingPosition"] = position;
    if (const json::value* t = in.if_contains("StartingPositionTimestamp")) {
      c["StartingPositionTimestamp"] = *t;
    }
  }
  copy("BatchSize", stream ? 100 : 10);
  copy("MaximumBatchingWindowInSeconds", 0);
  if (stream) copy("ParallelizationFactor", 1);
  c["EventSourceArn"] = source_arn;
  if (const json::value* f = in.if_contains("FilterCriteria")) c["FilterCriteria"] = *f;
  c["FunctionArn"] = function_arn;
  c["LastModified"] = static_cast<double>(clock_.NowMillis()) / 1000.0;
  if (stream) c["LastProcessingResult"] = "No records processed";
  c["State"] = "Creating";
  c["StateTransitionReason"] = "USER_INITIATED";
  if (stream) {
    json::object dest{{"OnFailure", json::object()}};
    if (const json::object* d = ObjectMember(in, "DestinationConfig")) {
      if (const json::object* f = ObjectMember(*d, "OnFailure")) dest["OnFailure"] = *f;
      if (const json::object* s = ObjectMember(*d, "OnSuccess")) dest["OnSuccess"] = *s;
    }
    c["DestinationConfig"] = std::move(dest);
    copy("MaximumRecordAgeInSeconds", -1);
    copy("BisectBatchOnFunctionError", false);
    copy("MaximumRetryAttempts", -1);
    copy("TumblingWindowInSeconds", 0);
  }
  copy("FunctionResponseTypes", json::array());
  if (const json::value* s = in.if_contains("ScalingConfig")) c["ScalingConfig"] = *s;
  c["EventSourceMappingArn"] = Arn(call->context(), uuid);
  if (Status s = CheckSettings(c, *source, fifo); !s.ok()) return Fail(call, s);
  if (Status s = CheckFilters(c); !s.ok()) return Fail(call, s);

  auto mapping = std::make_shared<Mapping>();
  mapping->record.config = std::move(c);
  if (const json::object* tags = ObjectMember(in, "Tags")) mapping->record.tags = *tags;
  if (const json::value* e = in.if_contains("Enabled"); e && e->is_bool()) {
    mapping->record.enabled = e->get_bool();
  }
  storage::WriteBatch batch;
  MappingViewPtr view = ViewOf(mapping->record);
  if (mapping_observer_ != nullptr) {
    if (Status s = mapping_observer_->PrepareMapping(*view, &batch); !s.ok()) {
      return Fail(call, s);
    }
  }
  {
    std::unique_lock lock(registry_mu_);
    mappings_[uuid] = mapping;
  }
  batch.Put(keyspace::MappingKey(uuid), mapping->record.Encode());
  json::object output = mapping->record.config;
  services::SubmitForCall(
      commits_, std::move(batch), call,
      [this, call, mapping, view, output = std::move(output)](const Status& st) mutable {
        if (!st.ok()) {
          std::unique_lock lock(registry_mu_);
          mappings_.erase(view->uuid);
          return call->Fail(ToAwsError(st));
        }
        // Started before the reply: what is written after the reply reaches the function.
        if (mapping_observer_ != nullptr) mapping_observer_->MappingChanged(view);
        call->Reply(std::move(output));
        FinishTransition(mapping);
      },
      &ToAwsError);
}

void LambdaService::FinishTransition(const std::shared_ptr<Mapping>& mapping) {
  storage::WriteBatch batch;
  {
    std::lock_guard lock(mapping->mu);
    if (mapping->deleted) return;
    mapping->record.config["State"] = mapping->record.enabled ? "Enabled" : "Disabled";
    batch.Put(keyspace::MappingKey(StringMember(mapping->record.config, "UUID")),
              mapping->record.Encode());
  }
  Status s = commits_.Submit(std::move(batch), [](const Status&) {});
  (void)s;  // a refused write leaves the transitional state, which recovery finishes
}

json::object LambdaService::MappingOutput(const std::shared_ptr<Mapping>& mapping) const {
  std::lock_guard lock(mapping->mu);
  json::object out = mapping->record.config;
  if (out.contains("LastProcessingResult")) out["LastProcessingResult"] = mapping->last_result;
  return out;
}

Result<std::shared_ptr<Mapping>> LambdaService::ResolveMapping(const protocol::Call& call) const {
  const std::string uuid = StringMember(call.input(), "UUID");
  std::shared_lock lock(registry_mu_);
  auto it = mappings_.find(uuid);
  if (it == mappings_.end() || StringMember(it->second->record.config, "EventSourceMappingArn") !=
                                   Arn(call.context(), uuid)) {
    return NotFound(fmt::format(
        "The resource you requested does not exist. (Service: Lambda, Status Code: 404, "
        "Request ID: {})",
        call.context().request_id));
  }
  return it->second;
}

void LambdaService::GetEventSourceMapping(CallPtr call) {
  auto mapping = ResolveMapping(*call);
  if (!mapping.ok()) return Fail(call, mapping.status());
  call->Reply(MappingOutput(*mapping));
}

void LambdaService::ListEventSourceMappings(CallPtr call) {
  const json::object& in = call->input();
  const std::string source_arn = StringMember(in, "EventSourceArn");
  std::string function_arn;
  if (const std::string name = StringMember(in, "FunctionName"); !name.empty()) {
    auto ref = ParseFunctionRef(name);
    if (!ref.ok()) return Fail(call, ref.status());
    function_arn = FunctionArn(*ref, call->context());
  }
  const std::string marker = StringMember(in, "Marker");
  int64_t max_items = 100;
  if (const json::value* m = in.if_contains("MaxItems"); m && m->is_int64()) {
    max_items = std::clamp<int64_t>(m->get_int64(), 1, 10000);
  }
  const std::string arn_prefix = Arn(call->context(), "");
  std::vector<std::shared_ptr<Mapping>> all;
  {
    std::shared_lock lock(registry_mu_);
    for (auto it = mappings_.upper_bound(marker); it != mappings_.end(); ++it) {
      all.push_back(it->second);
    }
  }
  json::array out;
  std::string next;
  for (const auto& m : all) {
    json::object c = MappingOutput(m);
    if (StringMember(c, "EventSourceMappingArn").rfind(arn_prefix, 0) != 0) continue;
    if (!source_arn.empty() && StringMember(c, "EventSourceArn") != source_arn) continue;
    if (!function_arn.empty() && StringMember(c, "FunctionArn") != function_arn) continue;
    if (static_cast<int64_t>(out.size()) == max_items) {
      next = json::value_to<std::string>(out.back().as_object().at("UUID"));
      break;
    }
    out.push_back(std::move(c));
  }
  json::object reply{{"EventSourceMappings", std::move(out)}};
  if (!next.empty()) reply["NextMarker"] = next;
  call->Reply(std::move(reply));
}

void LambdaService::UpdateEventSourceMapping(CallPtr call) {
  const json::object& in = call->input();
  for (std::string_view key : kUnbuilt) {
    if (in.contains(key)) return Fail(call, Unsupported(key));
  }
  auto found = ResolveMapping(*call);
  if (!found.ok()) return Fail(call, found.status());
  std::shared_ptr<Mapping> mapping = *found;
  std::string function_arn;
  if (const std::string name = StringMember(in, "FunctionName"); !name.empty()) {
    std::string qualifier;
    auto fn = ResolveFunction(*call, name, {}, &qualifier);
    if (!fn.ok()) return Fail(call, fn.status());
    std::lock_guard lock((*fn)->mu);
    function_arn = StringMember((*fn)->record.config, "FunctionArn");
    if (!qualifier.empty()) function_arn += ":" + qualifier;
  }
  std::lock_guard lock(mapping->mu);
  json::object& current = mapping->record.config;
  const std::string state = StringMember(current, "State");
  if (state == "Creating" || state == "Deleting" || state == "Updating" || state == "Enabling" ||
      state == "Disabling") {
    return Fail(call, LambdaStatus(LambdaError::kResourceInUse,
                                   fmt::format("Cannot update the event source mapping because it "
                                               "is in use. (state: {})",
                                               state)));
  }
  auto source = SourceOf(StringMember(current, "EventSourceArn"));
  if (!source.ok()) return Fail(call, source.status());
  const bool stream = *source != MappingSource::kSqs;
  json::object c = current;
  for (const auto& [key, value] : in) {
    if (key == "UUID" || key == "FunctionName" || key == "Enabled") continue;
    if (!stream &&
        (std::find(std::begin(kStreamOnly), std::end(kStreamOnly), key) != std::end(kStreamOnly))) {
      return Fail(call, InvalidParameter(fmt::format(
                            "Unsupported {} parameter for given event source mapping type.",
                            std::string_view(key))));
    }
    if (stream && key == "ScalingConfig") {
      return Fail(call, InvalidParameter(
                            "Unsupported ScalingConfig parameter for given event source mapping "
                            "type."));
    }
    if (key == "DestinationConfig") {
      json::object dest{{"OnFailure", json::object()}};
      if (const json::object* f = ObjectMember(value.as_object(), "OnFailure")) {
        dest["OnFailure"] = *f;
      }
      if (const json::object* s = ObjectMember(value.as_object(), "OnSuccess")) {
        dest["OnSuccess"] = *s;
      }
      c[key] = std::move(dest);
      continue;
    }
    c[key] = value;
  }
  if (!function_arn.empty()) c["FunctionArn"] = function_arn;
  if (Status s = CheckSettings(c, *source, IsFifoQueue(StringMember(c, "EventSourceArn")));
      !s.ok()) {
    return Fail(call, s);
  }
  if (Status s = CheckFilters(c); !s.ok()) return Fail(call, s);
  bool enabled = mapping->record.enabled;
  if (const json::value* e = in.if_contains("Enabled"); e && e->is_bool()) enabled = e->get_bool();
  const bool only_toggle = c == current && enabled != mapping->record.enabled;
  c["LastModified"] = static_cast<double>(clock_.NowMillis()) / 1000.0;
  c["State"] = only_toggle ? (enabled ? "Enabling" : "Disabling") : "Updating";
  current = std::move(c);
  mapping->record.enabled = enabled;
  ++mapping->record.revision;
  storage::WriteBatch batch;
  batch.Put(keyspace::MappingKey(StringMember(current, "UUID")), mapping->record.Encode());
  json::object output = current;
  if (output.contains("LastProcessingResult"))
    output["LastProcessingResult"] = mapping->last_result;
  MappingViewPtr view = ViewOf(mapping->record);
  services::SubmitForCall(
      commits_, std::move(batch), call,
      [this, call, mapping, view, output = std::move(output)](const Status& st) mutable {
        if (!st.ok()) return call->Fail(ToAwsError(st));
        if (mapping_observer_ != nullptr) mapping_observer_->MappingChanged(view);
        call->Reply(std::move(output));
        FinishTransition(mapping);
      },
      &ToAwsError);
}

void LambdaService::DeleteEventSourceMapping(CallPtr call) {
  auto found = ResolveMapping(*call);
  if (!found.ok()) return Fail(call, found.status());
  std::shared_ptr<Mapping> mapping = *found;
  std::string uuid;
  storage::WriteBatch batch;
  json::object output;
  {
    std::lock_guard lock(mapping->mu);
    if (StringMember(mapping->record.config, "State") == "Deleting") {
      return Fail(call, LambdaStatus(LambdaError::kResourceInUse,
                                     "Cannot delete the event source mapping because it is "
                                     "already being deleted."));
    }
    mapping->record.config["State"] = "Deleting";
    uuid = StringMember(mapping->record.config, "UUID");
    batch.Put(keyspace::MappingKey(uuid), mapping->record.Encode());
    output = mapping->record.config;
    if (output.contains("LastProcessingResult")) {
      output["LastProcessingResult"] = mapping->last_result;
    }
  }
  services::SubmitForCall(
      commits_, std::move(batch), call,
      [this, call, mapping, uuid, output = std::move(output)](const Status& st) mutable {
        if (!st.ok()) return call->Fail(ToAwsError(st));
        call->Reply(std::move(output));
        auto erase = [this, uuid] { EraseMapping(uuid); };
        if (mapping_observer_ != nullptr) {
          mapping_observer_->MappingDeleted(uuid, std::move(erase));
        } else {
          erase();
        }
      },
      &ToAwsError);
}

void LambdaService::EraseMapping(const std::string& uuid) {
  std::shared_ptr<Mapping> mapping;
  {
    std::unique_lock lock(registry_mu_);
    auto it = mappings_.find(uuid);
    if (it == mappings_.end()) return;
    mapping = it->second;
    mappings_.erase(it);
  }
  {
    std::lock_guard lock(mapping->mu);
    mapping->deleted = true;
  }
  storage::WriteBatch batch;
  batch.Delete(keyspace::MappingKey(uuid));
  for (const std::string& prefix :
       {keyspace::CheckpointPrefix(uuid), keyspace::LedgerPrefix(uuid)}) {
    batch.DeleteRange(prefix, storage::PrefixEnd(prefix));
  }
  Status s = commits_.Submit(std::move(batch), [](const Status&) {});
  (void)s;  // a refused write leaves "Deleting", which recovery finishes
}

void LambdaService::SaveCheckpoints(const std::string& uuid,
                                    std::vector<std::pair<std::string, std::string>> positions,
                                    std::function<void(const Status&)> done,
                                    std::vector<LedgerRun> ledger) {
  storage::WriteBatch batch;
  for (auto& [position, value] : positions) {
    batch.Put(keyspace::CheckpointKey(uuid, position), value);
  }
  for (auto& run : ledger) batch.Put(keyspace::LedgerKey(uuid, run.shard, run.first), run.value);
  {
    // A deleted mapping's checkpoints must not come back after its DeleteRange.
    std::shared_lock lock(registry_mu_);
    if (!mappings_.contains(uuid)) return done(Status::NotFound("mapping deleted"));
  }
  if (Status s = commits_.Submit(std::move(batch), done); !s.ok()) done(s);
}

void LambdaService::DeleteLedgerRuns(const std::string& uuid,
                                     const std::vector<std::pair<std::string, std::string>>& runs,
                                     std::function<void(const Status&)> done) {
  storage::WriteBatch batch;
  for (const auto& [shard, first] : runs) batch.Delete(keyspace::LedgerKey(uuid, shard, first));
  if (batch.empty()) return done(Status::Ok());
  if (Status s = commits_.Submit(std::move(batch), done); !s.ok()) done(s);
}

Result<std::vector<std::pair<std::string, std::string>>> LambdaService::LoadCheckpoints(
    const std::string& uuid) const {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string prefix = keyspace::CheckpointPrefix(uuid);
  Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                         [&](std::string_view key, std::string_view value) {
                           if (auto p = keyspace::ParseCheckpointKey(uuid, key)) {
                             out.emplace_back(std::move(*p), std::string(value));
                           }
                           return true;
                         });
  if (!s.ok()) return s;
  return out;
}

std::string LambdaService::FunctionRole(std::string_view function_arn) const {
  // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
  if (std::count(function_arn.begin(), function_arn.end(), ':') == 7) {
    function_arn = function_arn.substr(0, function_arn.rfind(':'));
  }
  auto fn = FindFunction(function_arn);
  if (!fn) return {};
  std::lock_guard lock(fn->mu);
  return StringMember(fn->record.config, "Role");
}

Result<std::vector<LambdaService::LedgerRun>> LambdaService::LoadLedger(
    const std::string& uuid) const {
  std::vector<LedgerRun> out;
  const std::string prefix = keyspace::LedgerPrefix(uuid);
  Status s = store_.Scan(
      prefix, storage::PrefixEnd(prefix), [&](std::string_view key, std::string_view value) {
        if (auto p = keyspace::ParseLedgerKey(uuid, key)) {
          out.push_back({std::move(p->first), std::move(p->second), std::string(value)});
        }
        return true;
      });
  if (!s.ok()) return s;
  return out;
}

void LambdaService::SetLastProcessingResult(const std::string& uuid, std::string result) {
  std::shared_ptr<Mapping> mapping;
  {
    std::shared_lock lock(registry_mu_);
    auto it = mappings_.find(uuid);
    if (it == mappings_.end()) return;
    mapping = it->second;
  }
  std::lock_guard lock(mapping->mu);
  mapping->last_result = std::move(result);
}

Status LambdaService::RecoverMappings() {
  const std::string prefix = keyspace::MappingPrefix();
  std::vector<std::string> deleting;
  size_t loaded = 0;
  Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                         [&](std::string_view key, std::string_view value) {
                           auto uuid = keyspace::ParseMappingKey(key);
                           auto record = MappingRecord::Decode(value);
                           if (!uuid || !record.ok()) {
                             spdlog::error("lambda: skipping an undecodable mapping record");
                             return true;
                           }
                           auto m = std::make_shared<Mapping>();
                           m->record = std::move(*record);
                           json::object& c = m->record.config;
                           if (StringMember(c, "State") == "Deleting") deleting.push_back(*uuid);
                           // A transition in flight at shutdown ends as it would have.
                           c["State"] = m->record.enabled ? "Enabled" : "Disabled";
                           mappings_[*uuid] = std::move(m);
                           ++loaded;
                           return true;
                         });
  if (!s.ok()) return s;
  for (const auto& uuid : deleting) EraseMapping(uuid);
  if (loaded > 0) spdlog::info("lambda: recovered {} event source mappings", loaded);
  return Status::Ok();
}

void LambdaService::SetMappingObserver(MappingObserver* observer) {
  mapping_observer_ = observer;
  std::vector<std::shared_ptr<Mapping>> all;
  {
    std::shared_lock lock(registry_mu_);
    for (const auto& [uuid, m] : mappings_) all.push_back(m);
  }
  for (const auto& m : all) {
    MappingViewPtr view;
    {
      std::lock_guard lock(m->mu);
      view = ViewOf(m->record);
    }
    observer->MappingChanged(view);
  }
}

}  // namespace tidepool::lambda

#include "services/lambda/event_source_mapping.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "services/lambda/function_record.h"

namespace tidepool::lambda {
namespace json = boost::json;

std::string MappingRecord::Encode() const {
  return json::serialize(json::object{
      {"config", config}, {"tags", tags}, {"enabled", enabled}, {"revision", revision}});
}

Result<MappingRecord> MappingRecord::Decode(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::Corruption("mapping record is not a JSON object");
  const json::object& o = v.get_object();
  const json::value* config = o.if_contains("config");
  if (config == nullptr || !config->is_object()) {
    return Status::Corruption("mapping record has no config");
  }
  MappingRecord r;
  r.config = config->get_object();
  for (std::string_view key : {"UUID", "FunctionArn", "EventSourceArn", "State"}) {
    if (StringMember(r.config, key).empty()) {
      return Status::Corruption("mapping record lacks " + std::string(key));
    }
  }
  if (const json::value* tags = o.if_contains("tags"); tags && tags->is_object()) {
    r.tags = tags->get_object();
  }
  if (const json::value* e = o.if_contains("enabled"); e && e->is_bool()) r.enabled = e->get_bool();
  if (const json::value* n = o.if_contains("revision"); n && n->is_uint64()) {
    r.revision = n->get_uint64();
  } else if (n && n->is_int64() && n->get_int64() >= 0) {
    r.revision = static_cast<uint64_t>(n->get_int64());
  }
  return r;
}

namespace {

int64_t IntOr(const json::object& o, std::string_view key, int64_t fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : fallback;
}

// "arn:aws:<service>:<region>:<account>:..." -> parts 2..4.
std::vector<std::string> ArnParts(std::string_view arn) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (int i = 0; i < 6; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) {
      parts.emplace_back(arn.substr(start));
      break;
    }
    parts.emplace_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  return parts;
}

}  // namespace

MappingViewPtr ViewOf(const MappingRecord& record) {
  const json::object& c = record.config;
  auto v = std::make_shared<MappingView>();
  v->uuid = StringMember(c, "UUID");
  v->function_arn = StringMember(c, "FunctionArn");
  v->source_arn = StringMember(c, "EventSourceArn");
  auto parts = ArnParts(v->source_arn);
  const std::string service = parts.size() > 2 ? parts[2] : "";
  v->source = service == "sqs"        ? MappingSource::kSqs
              : service == "dynamodb" ? MappingSource::kDynamoDbStream
                                      : MappingSource::kKinesis;
  auto fn = ArnParts(v->function_arn);
  if (fn.size() > 4) {
    v->region = fn[3];
    v->account = fn[4];
  }
  v->enabled = record.enabled;
  v->revision = record.revision;
  v->batch_size = IntOr(c, "BatchSize", 100);
  v->batching_window_seconds = IntOr(c, "MaximumBatchingWindowInSeconds", 0);
  v->starting_position = StringMember(c, "StartingPosition");
  if (const json::value* t = c.if_contains("StartingPositionTimestamp"); t && t->is_number()) {
    boost::system::error_code ec;
    v->starting_timestamp = t->to_number<double>(ec);
  }
  v->maximum_record_age = IntOr(c, "MaximumRecordAgeInSeconds", -1);
  v->maximum_retry_attempts = IntOr(c, "MaximumRetryAttempts", -1);
  v->tumbling_window_seconds = IntOr(c, "TumblingWindowInSeconds", 0);
  v->parallelization_factor = IntOr(c, "ParallelizationFactor", 1);
  if (const json::value* b = c.if_contains("BisectBatchOnFunctionError"); b && b->is_bool()) {
    v->bisect_on_error = b->get_bool();
  }
  if (const json::value* types = c.if_contains("FunctionResponseTypes");
      types && types->is_array()) {
    for (const auto& t : types->get_array()) {
      if (t.is_string() && t.get_string() == "ReportBatchItemFailures") {
        v->report_batch_item_failures = true;
      }
    }
  }
  if (const json::value* f = c.if_contains("FilterCriteria"); f && f->is_object()) {
    if (const json::value* filters = f->get_object().if_contains("Filters");
        filters && filters->is_array()) {
      for (const auto& filter : filters->get_array()) {
        if (!filter.is_object()) continue;
        std::string pattern = StringMember(filter.get_object(), "Pattern");
        if (!pattern.empty()) v->filter_patterns.push_back(std::move(pattern));
      }
    }
  }
  if (const json::value* d = c.if_contains("DestinationConfig"); d && d->is_object()) {
    if (const json::value* f = d->get_object().if_contains("OnFailure"); f && f->is_object()) {
      v->on_failure_arn = StringMember(f->get_object(), "Destination");
    }
  }
  if (const json::value* s = c.if_contains("ScalingConfig"); s && s->is_object()) {
    v->maximum_concurrency = IntOr(s->get_object(), "MaximumConcurrency", 0);
  }
  return v;
}

}  // namespace tidepool::lambda

// Execution of a Distributed Map: the state resolves its fields into a Map Run request
// (MapRunDispatch), waits in Phase::kMapRun and ends with OnMapRunResult. The owner reads the
// items, runs the child executions and asks MapRunInputs for their inputs.
//
// History (parent): MapStateEntered, MapStateStarted, MapRunStarted {mapRunArn}, then
// MapRunSucceeded + MapStateSucceeded or MapRunFailed {error, cause} + MapStateFailed.
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/stepfunctions/asl/execution.h"
#include "services/stepfunctions/asl/payload.h"
#include "services/stepfunctions/asl/query.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

namespace {

// "arn:aws:states:<region>:<account>:execution:<machine>:<name>" -> account.
std::string_view AccountOf(std::string_view arn) {
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos = arn.find(':', pos);
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  size_t end = arn.find(':', pos);
  return arn.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
}

}  // namespace

std::optional<json::value> Execution::ResolveDistributedField(
    Frame& f, const State& s, const json::value& effective,
    const std::optional<json::value>& literal, const std::string& path, std::string_view name) {
  json::value ctx = Context(f, s);
  if (literal && s.jsonata && IsQueryExpression(*literal)) {
    QueryScope scope{&f.input, &ctx, nullptr, nullptr, &f.vars};
    StatesError err;
    auto v = EvaluateQueryField(*literal, scope, name, &err);
    if (!v) HandleError(f, std::move(err));
    return v;
  }
  if (literal) return *literal;
  if (path.empty()) return json::value(nullptr);
  auto v = SelectPath(path, effective, ctx, &f.vars);
  if (!v) {
    HandleError(f, {std::string(errors::kRuntime),
                    fmt::format("Invalid path '{}' for {}: No results for path", path, name)});
  }
  return v;
}

void Execution::EnterDistributed(Frame& f, const State& s, const json::value& effective) {
  const DistributedMapSpec& d = *s.distributed;
  json::value ctx = Context(f, s);
  json::object req{{"label", d.label.empty() ? s.name : d.label},
                   {"execution_type", d.execution_type},
                   {"processor", d.processor_definition}};
  StatesError err;
  // Parameters (JSONPath template) or Arguments (JSONata) of the reader and the writer.
  auto payload = [&](const std::optional<json::value>& p,
                     std::string_view name) -> std::optional<json::value> {
    if (!p) return json::value(json::object());
    if (s.jsonata) {
      QueryScope scope{&f.input, &ctx, nullptr, nullptr, &f.vars};
      return EvaluateQueryField(*p, scope, name, &err);
    }
    return ApplyTemplate(*p, effective, ctx, &err, &f.vars);
  };
  // A number: a literal, a JSONata expression or a JSONPath path; `fraction` allows decimals.
  auto number = [&](const std::optional<json::value>& literal, const std::string& path,
                    std::string_view name, bool fraction, double max, double* out) -> bool {
    auto v = ResolveDistributedField(f, s, effective, literal, path, name);
    if (!v) return false;
    if (v->is_null()) return true;
    bool ok = fraction ? v->is_number() : (v->is_int64() || v->is_uint64());
    if (!ok || v->to_number<double>() < 0 || v->to_number<double>() > max) {
      HandleError(f, {std::string(errors::kRuntime),
                      fmt::format("The value of {} must be a {} between 0 and {}, not {}", name,
                                  fraction ? "number" : "integer", max, json::serialize(*v))});
      return false;
    }
    *out = v->to_number<double>();
    return true;
  };
  const uint64_t id = f.id;
  auto alive = [&] {
    auto it = frames_.find(id);
    return running() && it != frames_.end() && it->second.phase == Phase::kEnter;
  };
  if (d.reader) {
    const ItemReaderSpec& r = *d.reader;
    auto args = payload(r.parameters, s.jsonata ? "Arguments" : "Parameters");
    if (!args) return HandleError(f, std::move(err));
    double max_items = 0;
    if (!number(r.max_items, r.max_items_path, "MaxItems", false, 1e8, &max_items)) return;
    json::array headers;
    for (const auto& h : r.csv_headers) headers.push_back(json::string(h));
    req["reader"] = json::object{{"resource", r.resource},
                                 {"arguments", std::move(*args)},
                                 {"max_items", static_cast<int64_t>(max_items)},
                                 {"input_type", r.input_type},
                                 {"items_pointer", r.items_pointer},
                                 {"csv_header_location", r.csv_header_location},
                                 {"csv_headers", std::move(headers)},
                                 {"csv_delimiter", std::string(1, r.csv_delimiter)}};
  } else {
    json::value items = effective;
    if (s.jsonata && s.items) {
      QueryScope scope{&f.input, &ctx, nullptr, nullptr, &f.vars};
      auto v = EvaluateQueryField(*s.items, scope, "Items", &err);
      if (!v) return HandleError(f, std::move(err));
      items = std::move(*v);
    } else if (!s.jsonata && !s.items_path.empty()) {
      auto v = SelectPath(s.items_path, effective, ctx, &f.vars);
      if (!v) {
        return HandleError(f,
                           {std::string(errors::kRuntime),
                            fmt::format("Invalid path '{}': No results for path", s.items_path)});
      }
      items = std::move(*v);
    }
    if (!items.is_array()) {
      return HandleError(f,
                         {std::string(s.jsonata ? errors::kQueryEvaluationError : errors::kRuntime),
                          fmt::format("The Items of Map state '{}' are not an array: {}", s.name,
                                      json::serialize(items))});
    }
    req["items"] = std::move(items);
  }
  if (d.batcher) {
    const ItemBatcherSpec& b = *d.batcher;
    double max_items = 0, max_bytes = 0;
    if (!number(b.max_items, b.max_items_path, "MaxItemsPerBatch", false, 1e9, &max_items)) return;
    if (!number(b.max_bytes, b.max_bytes_path, "MaxInputBytesPerBatch", false, 262144,
                &max_bytes)) {
      return;
    }
    json::object batcher{{"max_items", static_cast<int64_t>(max_items)},
                         {"max_bytes", static_cast<int64_t>(max_bytes)}};
    if (b.batch_input) {
      auto bi = payload(b.batch_input, "BatchInput");
      if (!bi) return HandleError(f, std::move(err));
      batcher["batch_input"] = std::move(*bi);
    }
    req["batcher"] = std::move(batcher);
  }
  double concurrency = static_cast<double>(s.max_concurrency);
  if (!s.max_concurrency_path.empty() &&
      !number(std::nullopt, s.max_concurrency_path, "MaxConcurrency", false, 1e9, &concurrency)) {
    return;
  }
  double pct = 0, count = 0;
  if (!number(d.tolerated_percentage, d.tolerated_percentage_path, "ToleratedFailurePercentage",
              true, 100, &pct) ||
      !number(d.tolerated_count, d.tolerated_count_path, "ToleratedFailureCount", false, 1e18,
              &count)) {
    return;
  }
  req["max_concurrency"] = static_cast<int64_t>(concurrency);
  // Absent when the definition sets no threshold (then no failure is tolerated).
  if (d.tolerated_percentage || !d.tolerated_percentage_path.empty()) {
    req["tolerated_percentage"] = pct;
  }
  if (d.tolerated_count || !d.tolerated_count_path.empty()) {
    req["tolerated_count"] = static_cast<int64_t>(count);
  }
  if (d.writer && d.writer->resource.empty()) {
    // WriterConfig alone: the transformed results become the state's result (no export).
    req["writer"] = json::object{{"transformation", d.writer->transformation},
                                 {"output_type", d.writer->output_type}};
  } else if (d.writer) {
    auto w = payload(d.writer->parameters, s.jsonata ? "Arguments" : "Parameters");
    if (!w) return HandleError(f, std::move(err));
    const json::object* wo = w->if_object();
    const json::value* bucket = wo ? wo->if_contains("Bucket") : nullptr;
    const json::value* prefix = wo ? wo->if_contains("Prefix") : nullptr;
    if (!bucket || !bucket->is_string() || (prefix && !prefix->is_string())) {
      return HandleError(f, {"States.ResultWriterFailed",
                             "The ResultWriter's parameters need a Bucket string and an "
                             "optional Prefix string"});
    }
    req["writer"] = json::object{{"bucket", *bucket},
                                 {"prefix", prefix ? *prefix : json::value(json::string())},
                                 {"transformation", d.writer->transformation},
                                 {"output_type", d.writer->output_type}};
  }
  if (!alive()) return;
  ++f.epoch;
  std::string uuid = options_.new_uuid
                         ? options_.new_uuid()
                         : fmt::format("00000000-0000-0000-0000-{:012}", next_map_run_++);
  std::string arn = fmt::format("arn:aws:states:{}:{}:mapRun:{}/{}:{}", info_.region,
                                AccountOf(info_.execution_arn), info_.state_machine_name,
                                req.at("label").get_string(), uuid);
  json::object started;
  if (const auto* items = req.if_contains("items")) {
    started["length"] = static_cast<int64_t>(items->get_array().size());
  }
  f.started_event =
      Emit(&f, "MapStateStarted", started.empty() ? nullptr : "mapStateStartedEventDetails",
           std::move(started));
  Emit(&f, "MapRunStarted", "mapRunStartedEventDetails", json::object{{"mapRunArn", arn}});
  f.phase = Phase::kMapRun;
  f.effective = json::object{{"map_run", arn}, {"input", effective}, {"request", req}};
  fx_->map_runs.push_back({f.id, f.epoch, arn, std::move(req)});
}

std::optional<json::array> Execution::MapRunInputs(uint64_t frame, uint64_t epoch,
                                                   json::array items, StatesError* error) const {
  auto it = frames_.find(frame);
  if (it == frames_.end() || it->second.epoch != epoch || it->second.phase != Phase::kMapRun) {
    *error = {std::string(errors::kRuntime), "The Map Run is no longer pending"};
    return std::nullopt;
  }
  const Frame& f = it->second;
  const State& s = StateOf(f);
  const json::object& req = f.effective.at("request").get_object();
  json::array inputs;
  inputs.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (!s.parameters) {
      inputs.push_back(std::move(items[i]));
      continue;
    }
    json::value ctx = Context(f, s);
    ctx.as_object()["Map"] = json::object{
        {"Item", json::object{{"Index", static_cast<int64_t>(i)}, {"Value", items[i]}}}};
    QueryScope scope{&f.input, &ctx, nullptr, nullptr, &f.vars};
    auto v = s.jsonata ? EvaluateQueryField(*s.parameters, scope, "ItemSelector", error)
                       : ApplyTemplate(*s.parameters, f.effective.at("input"), ctx, error, &f.vars);
    if (!v) return std::nullopt;
    inputs.push_back(std::move(*v));
  }
  const auto* b = req.if_contains("batcher");
  if (!b) return inputs;
  const json::object& bo = b->get_object();
  std::optional<json::value> batch_input;
  if (const auto* bi = bo.if_contains("batch_input")) batch_input = *bi;
  return BatchItems(std::move(inputs), bo.at("max_items").to_number<int64_t>(),
                    bo.at("max_bytes").to_number<int64_t>(), batch_input);
}

Effects Execution::OnMapRunResult(uint64_t frame, uint64_t epoch, TaskResult result, int64_t now) {
  Effects fx;
  if (!running()) return fx;
  auto it = frames_.find(frame);
  if (it == frames_.end() || it->second.epoch != epoch || it->second.phase != Phase::kMapRun) {
    return fx;
  }
  fx_ = &fx;
  now_ = now;
  Frame& f = it->second;
  const State& s = StateOf(f);
  if (result.ok) {
    Emit(&f, "MapRunSucceeded", nullptr, {});
    Emit(&f, "MapStateSucceeded", nullptr, {});
    f.phase = Phase::kChildren;  // no longer waiting; Finish moves on
    Finish(f, s, std::move(result.output));
  } else {
    json::object d;
    if (!result.error.error.empty()) d["error"] = result.error.error;
    if (!result.error.cause.empty()) d["cause"] = result.error.cause;
    Emit(&f, "MapRunFailed", "mapRunFailedEventDetails", std::move(d));
    Emit(&f, "MapStateFailed", nullptr, {});
    f.phase = Phase::kChildren;
    HandleError(f, std::move(result.error));
  }
  Pump();
  fx_ = nullptr;
  return fx;
}

}  // namespace tidepool::sfn::asl

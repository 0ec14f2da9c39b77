// TestState's inspectionData for a mocked Map state's item processing (see the header).
#include "services/stepfunctions/test_state_inspection.h"

#include <fmt/format.h>

#include "services/stepfunctions/asl/distributed_map.h"
#include "services/stepfunctions/asl/payload.h"
#include "services/stepfunctions/asl/states_error.h"
#include "services/stepfunctions/sfn_errors.h"

namespace tidepool::sfn {
namespace json = boost::json;

namespace {

Status Invalid(std::string message) { return SfnStatus(SfnError::kValidation, std::move(message)); }

// A literal number field or its *Path form read from `input`; 0 when neither is set.
Result<int64_t> BatchLimit(const json::object& batcher, std::string_view literal,
                           std::string_view path, const json::value& input, const json::value& ctx,
                           const json::object& vars) {
  if (const json::value* v = batcher.if_contains(literal)) {
    if (!v->is_int64()) return Invalid(fmt::format("ItemBatcher.{} must be an integer", literal));
    return v->get_int64();
  }
  if (const json::value* p = batcher.if_contains(path); p && p->is_string()) {
    auto v = asl::SelectPath(p->get_string(), input, ctx, &vars);
    if (!v || !v->is_int64()) {
      return Invalid(fmt::format("ItemBatcher.{} does not select an integer", path));
    }
    return v->get_int64();
  }
  return 0;
}

std::string Str(const json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

Result<json::array> ReaderItems(const json::object& map, const std::string& data) {
  asl::ItemReaderSpec spec;
  const json::value* reader = map.if_contains("ItemReader");
  const json::object* rc = nullptr;
  if (reader && reader->is_object()) {
    if (const auto* v = reader->get_object().if_contains("ReaderConfig")) rc = v->if_object();
  }
  spec.input_type = rc ? Str(*rc, "InputType") : "JSON";
  if (spec.input_type.empty()) spec.input_type = "JSON";
  if (rc && !Str(*rc, "CSVHeaderLocation").empty()) {
    spec.csv_header_location = Str(*rc, "CSVHeaderLocation");
  }
  if (rc) spec.items_pointer = Str(*rc, "ItemsPointer");
  if (const auto* h = rc ? rc->if_contains("CSVHeaders") : nullptr; h && h->is_array()) {
    for (const auto& name : h->get_array()) {
      if (name.is_string()) spec.csv_headers.emplace_back(name.get_string());
    }
  }
  auto decoded = asl::DecodeItems(spec, data, 0);
  if (!decoded.ok()) {
    return Invalid(
        fmt::format("stateConfiguration.mapItemReaderData: {}", decoded.status().message()));
  }
  return std::move(*decoded);
}

json::object MapInspection(const json::object& map) {
  json::object o;
  const json::value* mc = map.if_contains("MaxConcurrency");
  o["maxConcurrency"] = mc && mc->is_int64() ? mc->get_int64() : 0;
  if (const json::value* v = map.if_contains("ToleratedFailureCount"); v && v->is_int64()) {
    o["toleratedFailureCount"] = v->get_int64();
  }
  if (const json::value* v = map.if_contains("ToleratedFailurePercentage"); v && v->is_number()) {
    o["toleratedFailurePercentage"] = v->to_number<double>();
  }
  return o;
}

Result<json::object> MapItemsInspection(const json::object& map, const json::value& input,
                                        const json::object& context, const json::object& vars,
                                        const std::optional<json::array>& reader_items) {
  json::object out;
  json::value ctx = context;
  asl::StatesError err;
  // InputPath: absent keeps the input, null gives {}.
  json::value effective = input;
  if (const json::value* p = map.if_contains("InputPath")) {
    if (p->is_null()) {
      effective = json::object();
    } else if (p->is_string()) {
      auto v = asl::SelectPath(p->get_string(), input, ctx, &vars);
      if (!v) return Invalid("InputPath selects nothing in the input");
      effective = std::move(*v);
    }
  }
  json::value items;
  if (reader_items) {
    items = *reader_items;
    const json::value* reader = map.if_contains("ItemReader");
    const json::value* rc =
        reader && reader->is_object() ? reader->get_object().if_contains("ReaderConfig") : nullptr;
    if (rc && rc->is_object() && rc->get_object().contains("ItemsPointer")) {
      out["afterItemsPointer"] = json::serialize(items);
    }
  } else {
    const json::value* p = map.if_contains("ItemsPath");
    std::string_view path = p && p->is_string() ? std::string_view(p->get_string()) : "$";
    auto v = asl::SelectPath(path, effective, ctx, &vars);
    if (!v) return Invalid(fmt::format("Invalid path '{}': No results for path", path));
    items = std::move(*v);
    out["afterItemsPath"] = json::serialize(items);
  }
  if (!items.is_array()) return Invalid("The items of the Map state are not an array");
  const json::value* selector = map.if_contains("ItemSelector");
  if (selector == nullptr) selector = map.if_contains("Parameters");
  json::array selected;
  if (selector != nullptr) {
    int64_t index = 0;
    for (const json::value& item : items.get_array()) {
      json::value item_ctx = ctx.is_object() ? ctx : json::value(json::object());
      item_ctx.as_object()["Map"] =
          json::object{{"Item", json::object{{"Index", index++}, {"Value", item}}}};
      auto v = asl::ApplyTemplate(*selector, effective, item_ctx, &err, &vars);
      if (!v) return Invalid(fmt::format("ItemSelector: {}: {}", err.error, err.cause));
      selected.push_back(std::move(*v));
    }
    out["afterItemSelector"] = json::serialize(selected);
  } else {
    selected = items.get_array();
  }
  if (const json::value* b = map.if_contains("ItemBatcher"); b && b->is_object()) {
    const json::object& batcher = b->get_object();
    auto max_items =
        BatchLimit(batcher, "MaxItemsPerBatch", "MaxItemsPerBatchPath", effective, ctx, vars);
    if (!max_items.ok()) return max_items.status();
    auto max_bytes = BatchLimit(batcher, "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath",
                                effective, ctx, vars);
    if (!max_bytes.ok()) return max_bytes.status();
    std::optional<json::value> batch_input;
    if (const json::value* bi = batcher.if_contains("BatchInput")) {
      batch_input = asl::ApplyTemplate(*bi, effective, ctx, &err, &vars);
      if (!batch_input) return Invalid(fmt::format("BatchInput: {}: {}", err.error, err.cause));
    }
    out["afterItemBatcher"] =
        json::serialize(asl::BatchItems(std::move(selected), *max_items, *max_bytes, batch_input));
  }
  return out;
}

}  // namespace tidepool::sfn

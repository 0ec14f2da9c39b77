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

}  // namespace

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

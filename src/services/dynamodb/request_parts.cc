#include "services/dynamodb/request_parts.h"

#include <algorithm>
#include <cmath>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/dynamodb_errors.h"
#include "services/dynamodb/input.h"

namespace tidepool::dynamodb {

const json::object* ExpressionNames(const json::object& in) {
  return InputObject(in, "ExpressionAttributeNames");
}
const json::object* ExpressionValues(const json::object& in) {
  return InputObject(in, "ExpressionAttributeValues");
}

Status PrepareExpressionInputs(json::object& in, bool has_expressions,
                               std::string_view expressions_null) {
  json::value* names = in.if_contains("ExpressionAttributeNames");
  json::value* values = in.if_contains("ExpressionAttributeValues");
  if (names && names->is_object()) {
    if (names->get_object().empty()) return Invalid("ExpressionAttributeNames must not be empty");
    if (!has_expressions) {
      return Invalid("ExpressionAttributeNames can only be specified when using expressions");
    }
  }
  if (values && values->is_object()) {
    if (values->get_object().empty()) return Invalid("ExpressionAttributeValues must not be empty");
    if (!has_expressions) {
      return Invalid("ExpressionAttributeValues can only be specified when using expressions: " +
                     std::string(expressions_null));
    }
    for (auto& kv : values->get_object()) {
      if (Status s = NormalizeValue(kv.value()); !s.ok()) {
        return Invalid("ExpressionAttributeValues contains invalid value: " + s.message() +
                       " for key " + std::string(kv.key()));
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<DocumentPath>> ReadProjection(const json::object& in,
                                                 ExpressionContext& context) {
  auto text = InputStringView(in, "ProjectionExpression");
  const auto* attributes = InputArray(in, "AttributesToGet");
  if (text && attributes) {
    return Invalid(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}");
  }
  if (text) return ParseProjection(*text, context);
  std::vector<DocumentPath> paths;
  if (attributes) {
    for (const auto& a : *attributes) {
      paths.push_back(DocumentPath{PathElement{std::string(a.get_string()), -1}});
    }
  }
  return paths;
}

Result<std::vector<DocumentPath>> ReadGetProjection(json::object& spec) {
  TP_RETURN_IF_ERROR(PrepareExpressionInputs(spec, spec.contains("ProjectionExpression"),
                                             "ProjectionExpression is null"));
  ExpressionContext context(ExpressionNames(spec), nullptr);
  TP_ASSIGN_OR_RETURN(auto projection, ReadProjection(spec, context));
  TP_RETURN_IF_ERROR(context.CheckAllUsed());
  return projection;
}

double WriteUnits(size_t bytes) { return std::max(1.0, std::ceil(bytes / 1024.0)); }
double ReadUnits(size_t bytes, bool consistent) {
  const double units = std::max(1.0, std::ceil(bytes / 4096.0));
  return consistent ? units : units / 2;
}

namespace {

// One table's ConsumedCapacity when ReturnConsumedCapacity asks for it.
std::optional<json::object> ConsumedCapacity(const json::object& in, std::string_view table,
                                             double units) {
  auto mode = InputStringView(in, "ReturnConsumedCapacity");
  if (!mode || *mode == "NONE") return std::nullopt;
  json::object c{{"TableName", table}, {"CapacityUnits", units}};
  if (*mode == "INDEXES") c["Table"] = json::object{{"CapacityUnits", units}};
  return c;
}

}  // namespace

void AddConsumedCapacity(const json::object& in, std::string_view table, double units,
                         json::object& out) {
  if (auto c = ConsumedCapacity(in, table, units)) out["ConsumedCapacity"] = std::move(*c);
}

void AddConsumedCapacities(const json::object& in, const std::map<std::string, double>& units,
                           json::object& out) {
  json::array list;
  for (const auto& [table, table_units] : units) {
    if (auto c = ConsumedCapacity(in, table, table_units)) list.push_back(std::move(*c));
  }
  if (!list.empty()) out["ConsumedCapacity"] = std::move(list);
}

std::optional<json::object> ItemCollectionMetrics(const json::object& in, const Table& t,
                                                  const json::object& key_or_item) {
  if (InputStringView(in, "ReturnItemCollectionMetrics") != "SIZE") return std::nullopt;
  const bool has_local_index = std::any_of(t.indexes.begin(), t.indexes.end(),
                                           [](const SecondaryIndex& i) { return !i.global; });
  const json::value* hash = key_or_item.if_contains(t.hash.name);
  if (!has_local_index || hash == nullptr) return std::nullopt;
  return json::object{{"ItemCollectionKey", json::object{{t.hash.name, *hash}}},
                      {"SizeEstimateRangeGB", json::array{0.0, 1.0}}};
}

void AddItemCollectionMetrics(const json::object& in, const Table& t,
                              const json::object& key_or_item, json::object& out) {
  if (auto metrics = ItemCollectionMetrics(in, t, key_or_item)) {
    out["ItemCollectionMetrics"] = std::move(*metrics);
  }
}

void AppendItemCollectionMetrics(const json::object& in, const Table& t,
                                 const json::object& key_or_item, json::object& by_table) {
  auto metrics = ItemCollectionMetrics(in, t, key_or_item);
  if (!metrics) return;
  json::value& list = by_table[t.name];
  if (!list.is_array()) list = json::array();
  list.get_array().push_back(std::move(*metrics));
}

}  // namespace tidepool::dynamodb

// Pieces of item requests shared by the item, query, batch and transaction operations: the
// expression placeholders, legacy parameters tidepool refuses, projections, ReturnValues and
// consumed capacity. Pure functions over validated inputs; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/dynamodb/expression.h"
#include "services/dynamodb/table.h"

namespace tidepool::dynamodb {

// Checks ExpressionAttributeNames/Values of `in` (not empty, only with expressions, values
// valid) and canonicalizes the values' numbers in place. `expressions_null` is AWS's list of
// the expressions for the message ("ConditionExpression is null", ...).
Status PrepareExpressionInputs(json::object& in, bool has_expressions,
                               std::string_view expressions_null);
const json::object* ExpressionNames(const json::object& in);
const json::object* ExpressionValues(const json::object& in);

// ProjectionExpression (or AttributesToGet as top-level names); empty: every attribute.
Result<std::vector<DocumentPath>> ReadProjection(const json::object& in,
                                                 ExpressionContext& context);

// The projection of one read of BatchGetItem or TransactGetItems (`spec`: its keys-and-
// attributes or Get object): ProjectionExpression with its ExpressionAttributeNames, all of
// them used, or AttributesToGet. Canonicalizes `spec`'s expression inputs in place.
Result<std::vector<DocumentPath>> ReadGetProjection(json::object& spec);

// {"TableName":..., "CapacityUnits":...} when ReturnConsumedCapacity asks for it.
void AddConsumedCapacity(const json::object& in, std::string_view table, double units,
                         json::object& out);
// ReturnItemCollectionMetrics SIZE on a table with a local secondary index: the metrics of the
// item collection `key_or_item` belongs to, {"ItemCollectionKey": {hash: value},
// "SizeEstimateRangeGB": [0, 1]} (a fixed estimate: collections are not measured); nullopt
// otherwise, as AWS returns none for tables without local indexes. Caller holds t.mu.
std::optional<json::object> ItemCollectionMetrics(const json::object& in, const Table& t,
                                                  const json::object& key_or_item);
// Sets out["ItemCollectionMetrics"] when ItemCollectionMetrics gives one.
void AddItemCollectionMetrics(const json::object& in, const Table& t,
                              const json::object& key_or_item, json::object& out);
// Appends ItemCollectionMetrics' answer, if any, to by_table[t.name] (the per-table form of
// BatchWriteItem and TransactWriteItems).
void AppendItemCollectionMetrics(const json::object& in, const Table& t,
                                 const json::object& key_or_item, json::object& by_table);
// The list form of batches and transactions: one entry per table of `units` (table name ->
// capacity units), when ReturnConsumedCapacity asks for it.
void AddConsumedCapacities(const json::object& in, const std::map<std::string, double>& units,
                           json::object& out);
double WriteUnits(size_t bytes);
double ReadUnits(size_t bytes, bool consistent);

}  // namespace tidepool::dynamodb

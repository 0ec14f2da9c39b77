// Pieces of item requests shared by the item, query, batch and transaction operations: the
// expression placeholders, legacy parameters tidepool refuses, projections, ReturnValues and
// consumed capacity. Pure functions over validated inputs; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/dynamodb/expression.h"

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

// {"TableName":..., "CapacityUnits":...} when ReturnConsumedCapacity asks for it.
void AddConsumedCapacity(const json::object& in, std::string_view table, double units,
                         json::object& out);
double WriteUnits(size_t bytes);
double ReadUnits(size_t bytes, bool consistent);

}  // namespace tidepool::dynamodb

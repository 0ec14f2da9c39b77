// The legacy (pre-expression) parameters older SDKs and tools still send, translated into the
// expression trees of expression.h: Expected + ConditionalOperator (conditions),
// AttributeUpdates (updates), KeyConditions (key conditions), QueryFilter / ScanFilter
// (filters). The trees point into the request's input object, whose AttributeValues this
// validates and canonicalizes in place; it must outlive them. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/dynamodb/expression.h"

namespace tidepool::dynamodb {

// The condition `in[member]` (Expected, KeyConditions, QueryFilter or ScanFilter) states,
// combined with ConditionalOperator; nullopt when the member is absent. `expression` names the
// expression parameter that may not be used with it ("ConditionExpression").
Result<std::optional<Condition>> LegacyCondition(json::object& in, std::string_view member,
                                                 std::string_view expression);
// AttributeUpdates as update actions; empty when absent.
Result<std::vector<UpdateAction>> LegacyUpdate(json::object& in);

}  // namespace tidepool::dynamodb

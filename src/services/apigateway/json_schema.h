// The JSON Schema (draft 4) subset API Gateway's request validation applies to a request body
// against its method's model: type (a name or a list; "integer" is a number without a
// fraction), enum, properties, required, additionalProperties (false or a schema),
// patternProperties, items (one schema, or a list for the positions), additionalItems,
// minItems/maxItems, uniqueItems, minLength/maxLength (in code points), pattern (RE2, found
// anywhere in the string), minimum/maximum with draft 4's boolean exclusiveMinimum/Maximum,
// multipleOf, minProperties/maxProperties, allOf/anyOf/oneOf/not, and $ref to "#" or
// "#/definitions/<name>" of the same schema or to another model of the API
// (".../restapis/<api>/models/<name>", resolved through `models`). Other keywords are
// ignored, as validators ignore unknown keywords. $ref chains deeper than 64 and validations
// of more than 100,000 schema steps fail (a self-referring model cannot run away).
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>

#include "core/status.h"

namespace tidepool::apigateway {

// Ok when `instance` satisfies `schema`; else InvalidArgument naming the first violation and
// where (a JSON pointer). `models` maps model names to their schemas (parsed) for $ref.
Status ValidateJsonSchema(const boost::json::value& schema, const boost::json::value& instance,
                          const boost::json::object& models = {});

}  // namespace tidepool::apigateway

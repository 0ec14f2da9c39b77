// Patch operations (UpdateRestApi, UpdateStage, UpdateMethod, ... `patchOperations`) applied to
// a stored output object the way API Gateway applies them.
//
// An operation is {op: add|remove|replace|move|copy|test, path, value, from}. `path` is a JSON
// pointer ("/name", "/variables/env", "/requestTemplates/application~1json": "~1" is '/',
// "~0" is '~') walked over the object along the model's output shape (`shape`): structure
// members by name, map entries by key. The value is always text; it is converted to the leaf's
// type (boolean "true"/"false", integers, doubles; strings as they are). Lists of strings take
// `add`/`remove` of one element, named by the value ("/apiStages" + "api:stage") or by the last
// path segment ("/binaryMediaTypes/image~1png"). Paths outside the shape, members listed in
// `read_only`, and values that do not convert give BadRequestException; nothing is changed
// unless every operation applies (the caller patches a copy).
//
// Thread-safety: a pure function of its arguments.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "protocol/model/model.h"

namespace tidepool::apigateway {

struct PatchOperation {
  std::string op;
  std::string path;
  std::string value;
  bool has_value = false;
  std::string from;
};

// The operations of an Update* input's `patchOperations` member (absent: none).
std::vector<PatchOperation> PatchOperationsOf(const boost::json::object& input);

// The segments of a JSON pointer, unescaped; BadRequest when `path` does not start with '/'.
Status SplitPointer(std::string_view path, std::vector<std::string>* segments);

// Applies `ops` in order to `target`, an object of shape `shape` of `model`.
Status ApplyPatch(const protocol::model::ServiceModel& model, uint16_t shape,
                  const std::vector<PatchOperation>& ops, boost::json::object& target,
                  std::initializer_list<std::string_view> read_only = {"id", "createdDate"});

}  // namespace tidepool::apigateway

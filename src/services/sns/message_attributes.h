// Validation of Publish/PublishBatch MessageAttributes with AWS's rules and texts
// (ParameterValueInvalid errors), turning the input map into sorted DeliveryAttributes.
// Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <cstddef>
#include <vector>

#include "core/result.h"
#include "services/sns/delivery.h"

namespace tidepool::sns {

// `attributes` is the MessageAttributes member (name -> {DataType, StringValue, BinaryValue})
// or nullptr. `batch_position` is the 1-based entry index in PublishBatch, 0 for Publish.
Result<std::vector<DeliveryAttribute>> ParseMessageAttributes(const boost::json::object* attributes,
                                                              size_t batch_position);

// Bytes AWS counts against the 256 KiB message limit: names, types and values.
size_t AttributesSize(const std::vector<DeliveryAttribute>& attributes);

}  // namespace tidepool::sns

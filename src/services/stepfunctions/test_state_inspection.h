// TestState's Map helpers: the items of stateConfiguration.mapItemReaderData, and the
// inspectionData members the interpreter does not produce because a mocked Map state does not
// run its iterations: afterItemsPath, afterItemSelector, afterItemBatcher.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "core/result.h"

namespace tidepool::sfn {

// The items the ItemReader of Map state `map` reads from `data` (stateConfiguration's
// mapItemReaderData), decoded by its ReaderConfig; the error is a ValidationException.
Result<boost::json::array> ReaderItems(const boost::json::object& map, const std::string& data);

// inspectionData members of a Map state: maxConcurrency (0 when not a literal) and the
// literal ToleratedFailureCount / ToleratedFailurePercentage it sets.
boost::json::object MapInspection(const boost::json::object& map);

// The item-processing steps of the JSONPath Map state `map` for the state input `input`:
// afterItemsPath (the array ItemsPath selects from the input after InputPath; not for a Map
// with an ItemReader), afterItemSelector (each item through ItemSelector or the legacy
// Parameters, when set; the context object has only `Map.Item` and the given `context`
// members) and afterItemBatcher (the batches ItemBatcher makes, when set). `reader_items` are
// the items of stateConfiguration.mapItemReaderData (afterItemsPointer: those items when the
// ReaderConfig has an ItemsPointer). Values are serialized JSON. An error
// means the steps cannot run (the answer's ValidationException message).
Result<boost::json::object> MapItemsInspection(
    const boost::json::object& map, const boost::json::value& input,
    const boost::json::object& context, const boost::json::object& variables,
    const std::optional<boost::json::array>& reader_items);

}  // namespace tidepool::sfn

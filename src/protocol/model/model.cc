#include "protocol/model/model.h"

#include <algorithm>

namespace tidepool::protocol::model {

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  auto it = std::lower_bound(operations.begin(), operations.end(), name,
                             [](const Operation& op, std::string_view n) { return op.name < n; });
  if (it == operations.end() || it->name != name) return nullptr;
  return &*it;
}

uint16_t ServiceModel::FindShape(std::string_view name) const {
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (shapes[i].name == name) return static_cast<uint16_t>(i);
  }
  return kNoShape;
}

}  // namespace tidepool::protocol::model

// The input readers every service shares (protocol/input.h), in this service's namespace.
#pragma once

#include "protocol/input.h"

namespace tidepool::dynamodb {
using namespace tidepool::protocol;  // NOLINT(google-build-using-namespace): the Input* readers
}  // namespace tidepool::dynamodb

// Logging: spdlog, to stderr (stdout carries only the ready line). Call InitLogging once at
// start-up; afterwards use spdlog's free functions (spdlog::info, spdlog::warn...).
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

#include "core/status.h"

namespace tidepool {

// level: trace|debug|info|warn|error|off. Unknown names give InvalidArgument.
Status InitLogging(std::string_view level);

}  // namespace tidepool

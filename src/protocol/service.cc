#include "protocol/service.h"

#include <spdlog/spdlog.h>

namespace tidepool::protocol {

Call::~Call() {
  if (done_) {
    spdlog::error("bug: call to {} dropped without a reply", operation_.name);
    auto done = std::move(done_);
    done(AwsError{"InternalFailure",
                  "The request processing has failed because of an unknown "
                  "error, exception or failure.",
                  500,
                  false,
                  {}});
  }
}

void Call::Complete(Outcome outcome) {
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(outcome));
}

}  // namespace tidepool::protocol

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

bool Call::DecodeInput() {
  if (!raw_) return true;
  RawInput raw = std::move(*raw_);
  raw_.reset();
  auto decoded = raw.decode(*raw.model, operation_, raw.body);
  if (auto* error = std::get_if<AwsError>(&decoded)) {
    Fail(std::move(*error));
    return false;
  }
  input_ = std::move(std::get<boost::json::object>(decoded));
  return true;
}

void Call::Complete(Outcome outcome) {
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(outcome));
}

}  // namespace tidepool::protocol

#include "protocol/http/responder.h"

#include <spdlog/spdlog.h>

#include <atomic>

namespace tidepool::protocol::http {
namespace {

class FunctionSink final : public ResponseSink {
 public:
  explicit FunctionSink(std::function<void(HttpResponse&&)> fn) : fn_(std::move(fn)) {}
  void Complete(uint64_t, HttpResponse&& response) override {
    if (done_.exchange(true)) {
      spdlog::warn("bug: responder called more than once");
      return;
    }
    fn_(std::move(response));
  }

 private:
  std::function<void(HttpResponse&&)> fn_;
  std::atomic<bool> done_{false};
};

}  // namespace

Responder Responder::FromFunction(std::function<void(HttpResponse&&)> fn) {
  return Responder(std::make_shared<FunctionSink>(std::move(fn)), 1);
}

void Responder::operator()(HttpResponse&& response) const {
  if (sink_) sink_->Complete(seq_, std::move(response));
}

}  // namespace tidepool::protocol::http

#include "protocol/http/responder.h"

#include <spdlog/spdlog.h>

#include <atomic>

#include "protocol/http/push_body.h"

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

// Edits each response's head, then hands it on, streamed bodies included.
class EditingSink final : public ResponseSink {
 public:
  EditingSink(Responder inner, std::function<void(HttpResponse&)> edit)
      : inner_(std::move(inner)), edit_(std::move(edit)) {}
  void Complete(uint64_t, HttpResponse&& response) override {
    edit_(response);
    inner_(std::move(response));
  }
  void CompleteStreamed(uint64_t, HttpResponse&& response,
                        std::shared_ptr<BodySource> body) override {
    edit_(response);
    inner_.Stream(std::move(response), std::move(body));
  }

 private:
  Responder inner_;
  std::function<void(HttpResponse&)> edit_;
};

}  // namespace

Responder Responder::Editing(Responder inner, std::function<void(HttpResponse&)> edit) {
  return Responder(std::make_shared<EditingSink>(std::move(inner), std::move(edit)), 1);
}

Responder Responder::FromFunction(std::function<void(HttpResponse&&)> fn) {
  return Responder(std::make_shared<FunctionSink>(std::move(fn)), 1);
}

void Responder::operator()(HttpResponse&& response) const {
  if (sink_) sink_->Complete(seq_, std::move(response));
}

void Responder::Stream(HttpResponse&& response, std::shared_ptr<BodySource> body) const {
  if (sink_) sink_->CompleteStreamed(seq_, std::move(response), std::move(body));
}

void ResponseSink::CompleteStreamed(uint64_t seq, HttpResponse&& response,
                                    std::shared_ptr<BodySource> body) {
  if (auto push = std::dynamic_pointer_cast<PushBody>(body)) {
    // A body without end cannot be read whole: sinks that take one override this.
    push->Abandon();
    Complete(seq, HttpResponse(boost::beast::http::status::internal_server_error, 11));
    return;
  }
  std::string& out = response.body();
  out.clear();
  out.reserve(body->size());
  char buffer[64 * 1024];
  while (out.size() < body->size()) {
    int64_t n = body->Read(buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  if (out.size() != body->size()) {
    response = HttpResponse(boost::beast::http::status::internal_server_error, 11);
  }
  Complete(seq, std::move(response));
}

}  // namespace tidepool::protocol::http

// BeastHttpSink: the engine's HttpSink over Boost.Beast. One connection per POST (no pooling),
// 15-second timeout; 2xx answers are kAccepted, every other answer or network error kRetry.
// Only http:// URLs: https:// endpoints get kRetry with an explanation (not implemented).
// Thread-safe; operations run on `io`, which must outlive pending posts.
#pragma once

#include <boost/asio/io_context.hpp>

#include "engine/sinks.h"

namespace tidepool::engine {

class BeastHttpSink final : public HttpSink {
 public:
  explicit BeastHttpSink(boost::asio::io_context& io) : io_(io) {}
  void Post(std::string url, std::vector<std::pair<std::string, std::string>> headers,
            std::string body, SinkDone done) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace tidepool::engine

#include "closed_loop_driver.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "protocol/http/run_loop.h"

namespace tidepool::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kReplyBodyLimit = 256ull << 20;

// Shared by all connections of a run; touched only from the event-loop thread.
struct RunState {
  Workload* workload;
  Clock::time_point start, window_begin, window_end, last_reply;
  RunResult result;
  size_t active = 0;

  void Error(std::string what) {
    ++result.errors;
    if (result.first_error.empty()) result.first_error = std::move(what);
  }
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, RunState& state, size_t index)
      : socket_(io), state_(state), index_(index) {}

  void Start(const tcp::endpoint& endpoint) {
    socket_.async_connect(endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Finish("connect: " + ec.message());
      self->socket_.set_option(tcp::no_delay(true));
      self->SendNext();
    });
  }

 private:
  void SendNext() {
    if (Clock::now() >= state_.window_end) return Finish({});
    std::optional<HttpRequest> next = state_.workload->Next(index_);
    if (!next) return Finish({});
    SerializeRequest(*next, &wire_);
    sent_at_ = Clock::now();
    asio::async_write(socket_, asio::buffer(wire_),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Finish("write: " + ec.message());
                        self->ReadReply();
                      });
  }

  void ReadReply() {
    parser_.emplace();
    parser_->body_limit(kReplyBodyLimit);
    http::async_read_header(socket_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->Finish("read: " + ec.message());
                              self->ReadBody();
                            });
  }

  // A body of known length is read straight into body_ in as few reads as the socket
  // allows: Beast's parser reads 64 KiB at a time and copies each piece once more, which
  // made the generator, not the server, the limit when draining multi-megabyte GetRecords
  // replies. Anything else goes through the parser.
  void ReadBody() {
    const auto length = parser_->content_length();
    if (!length || *length > kReplyBodyLimit) {
      direct_ = false;
      http::async_read(socket_, buffer_, *parser_,
                       [self = shared_from_this()](beast::error_code ec, size_t) {
                         if (ec) return self->Finish("read: " + ec.message());
                         self->OnReply();
                       });
      return;
    }
    direct_ = true;
    body_.resize(static_cast<size_t>(*length));
    const size_t buffered = std::min(buffer_.size(), body_.size());
    asio::buffer_copy(asio::buffer(body_.data(), buffered), buffer_.data());
    buffer_.consume(buffered);
    asio::async_read(
        socket_, asio::buffer(body_.data() + buffered, body_.size() - buffered),
        [](beast::error_code ec, size_t) -> size_t { return ec ? 0 : SIZE_MAX; },
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->Finish("read: " + ec.message());
          self->OnReply();
        });
  }

  void OnReply() {
    Clock::time_point now = Clock::now();
    auto& reply = parser_->get();
    const std::string& body = direct_ ? body_ : reply.body();
    if (reply.result() != http::status::ok) {
      state_.Error("HTTP " + std::to_string(reply.result_int()) + ": " + body.substr(0, 300));
      if (!reply.keep_alive()) return Finish({});
      return SendNext();
    }
    uint64_t records = state_.workload->OnReply(index_, body);
    if (sent_at_ >= state_.window_begin && now <= state_.window_end) {
      ++state_.result.requests;
      state_.result.records += records;
      state_.result.latency_us.Record(
          std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_).count());
      state_.last_reply = now;
    }
    if (!reply.keep_alive()) return Finish("server closed the connection");
    SendNext();
  }

  void Finish(std::string error) {
    if (!error.empty()) state_.Error(std::move(error));
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    --state_.active;
  }

  tcp::socket socket_;
  RunState& state_;
  size_t index_;
  std::string wire_;  // the request being written (SerializeRequest)
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string body_;  // the reply's body when read directly (direct_)
  bool direct_ = false;
  Clock::time_point sent_at_;
};

}  // namespace

RunResult RunClosedLoop(const RunOptions& options, Workload& workload) {
  asio::io_context io(1);
  RunState state;
  state.workload = &workload;
  state.start = Clock::now();
  state.window_begin = state.start + options.warmup;
  state.window_end = state.window_begin + options.duration;
  state.last_reply = state.window_begin;

  tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
  for (size_t i = 0; i < options.concurrency; ++i) {
    ++state.active;
    std::make_shared<Connection>(io, state, i)->Start(endpoint);
  }
  protocol::http::RunWithSpin(io, std::chrono::microseconds(50));

  // Timed runs use the whole window; runs that ran out of work end at their last reply.
  Clock::time_point end = Clock::now() >= state.window_end ? state.window_end : state.last_reply;
  state.result.seconds = std::chrono::duration<double>(end - state.window_begin).count();
  return std::move(state.result);
}

}  // namespace tidepool::bench

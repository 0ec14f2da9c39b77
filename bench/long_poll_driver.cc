#include "long_poll_driver.h"

#include <memory>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "protocol/http/run_loop.h"
#include "reply_scan.h"

namespace tidepool::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kReplyBodyLimit = 16ull << 20;

// The two connections of a run and the state of the current sample. Event-loop thread only.
class SamplePair : public std::enable_shared_from_this<SamplePair> {
 public:
  SamplePair(asio::io_context& io, const LongPollRunOptions& options, LongPollWorkload& workload,
             RunResult& result)
      : receiver_(io),
        sender_(io),
        park_timer_(io),
        options_(options),
        workload_(workload),
        result_(result) {}

  void Start(const tcp::endpoint& endpoint) {
    beast::error_code ec;
    receiver_.connect(endpoint, ec);
    if (!ec) sender_.connect(endpoint, ec);
    if (ec) return Fail("connect: " + ec.message());
    receiver_.set_option(tcp::no_delay(true));
    sender_.set_option(tcp::no_delay(true));
    BeginSample();
  }

 private:
  using Parser = http::response_parser<http::string_body>;

  void BeginSample() {
    if (sample_ == options_.warmup_samples) measured_from_ = Clock::now();
    if (sample_ == options_.warmup_samples + options_.samples) {
      result_.seconds = std::chrono::duration<double>(Clock::now() - measured_from_).count();
      return Stop();
    }
    triggered_ = receive_done_ = trigger_done_ = false;
    receipt_handle_.clear();
    SerializeRequest(workload_.Receive(), &receive_wire_);
    asio::async_write(receiver_, asio::buffer(receive_wire_),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (self->stopped_) return;
                        if (ec) return self->Fail("receive write: " + ec.message());
                        self->ReadReceive();
                        self->park_timer_.expires_after(self->options_.park);
                        self->park_timer_.async_wait([self](beast::error_code ec) {
                          if (!ec && !self->stopped_) self->SendTrigger();
                        });
                      });
  }

  void ReadReceive() {
    receive_parser_.emplace();
    receive_parser_->body_limit(kReplyBodyLimit);
    http::async_read(receiver_, receive_buffer_, *receive_parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (self->stopped_) return;
                       if (ec) return self->Fail("receive read: " + ec.message());
                       self->OnReceiveReply();
                     });
  }

  void SendTrigger() {
    SerializeRequest(workload_.Trigger(sample_), &sender_wire_);
    triggered_ = true;
    triggered_at_ = Clock::now();
    WriteSender(&SamplePair::OnTriggerReply);
  }

  // Writes sender_wire_ on the sender's connection, reads its reply, then calls `next`.
  void WriteSender(void (SamplePair::*next)()) {
    asio::async_write(sender_, asio::buffer(sender_wire_),
                      [self = shared_from_this(), next](beast::error_code ec, size_t) {
                        if (self->stopped_) return;
                        if (ec) return self->Fail("sender write: " + ec.message());
                        self->sender_parser_.emplace();
                        self->sender_parser_->body_limit(kReplyBodyLimit);
                        http::async_read(self->sender_, self->sender_buffer_, *self->sender_parser_,
                                         [self, next](beast::error_code ec, size_t) {
                                           if (self->stopped_) return;
                                           if (ec)
                                             return self->Fail("sender read: " + ec.message());
                                           if (!self->CheckOk(self->sender_parser_->get())) return;
                                           ((*self).*next)();
                                         });
                      });
  }

  void OnReceiveReply() {
    Clock::time_point now = Clock::now();
    auto& reply = receive_parser_->get();
    if (!triggered_) {
      return Fail("ReceiveMessage answered before the trigger was sent: " +
                  reply.body().substr(0, 300));
    }
    if (!CheckOk(reply)) return;
    if (!workload_.Carries(reply.body(), sample_)) {
      return Fail("ReceiveMessage reply without sample " + std::to_string(sample_) +
                  "'s message: " + reply.body().substr(0, 300));
    }
    if (sample_ >= options_.warmup_samples) {
      ++result_.requests;
      result_.latency_us.Record(
          std::chrono::duration_cast<std::chrono::microseconds>(now - triggered_at_).count());
    }
    receipt_handle_ = std::string(ScanString(reply.body(), "ReceiptHandle"));
    receive_done_ = true;
    MaybeDelete();
  }

  void OnTriggerReply() {
    trigger_done_ = true;
    MaybeDelete();
  }

  void MaybeDelete() {
    if (!receive_done_ || !trigger_done_) return;
    SerializeRequest(workload_.Delete(receipt_handle_), &sender_wire_);
    WriteSender(&SamplePair::OnDeleteReply);
  }

  void OnDeleteReply() {
    ++sample_;
    BeginSample();
  }

  bool CheckOk(const http::response<http::string_body>& reply) {
    if (reply.result() == http::status::ok) return true;
    Fail("HTTP " + std::to_string(reply.result_int()) + ": " + reply.body().substr(0, 300));
    return false;
  }

  void Fail(std::string what) {
    ++result_.errors;
    if (result_.first_error.empty()) result_.first_error = std::move(what);
    if (sample_ > options_.warmup_samples) {
      result_.seconds = std::chrono::duration<double>(Clock::now() - measured_from_).count();
    }
    Stop();
  }

  void Stop() {
    stopped_ = true;
    park_timer_.cancel();
    beast::error_code ignored;
    receiver_.shutdown(tcp::socket::shutdown_both, ignored);
    receiver_.close(ignored);
    sender_.shutdown(tcp::socket::shutdown_both, ignored);
    sender_.close(ignored);
  }

  tcp::socket receiver_, sender_;
  asio::steady_timer park_timer_;
  const LongPollRunOptions& options_;
  LongPollWorkload& workload_;
  RunResult& result_;

  std::string receive_wire_, sender_wire_;  // requests being written (SerializeRequest)
  beast::flat_buffer receive_buffer_, sender_buffer_;
  std::optional<Parser> receive_parser_, sender_parser_;

  size_t sample_ = 0;
  bool stopped_ = false;
  bool triggered_ = false, receive_done_ = false, trigger_done_ = false;
  Clock::time_point triggered_at_, measured_from_;
  std::string receipt_handle_;
};

}  // namespace

RunResult RunLongPollLatency(const LongPollRunOptions& options, LongPollWorkload& workload) {
  asio::io_context io(1);
  RunResult result;
  tcp::endpoint endpoint(asio::ip::make_address(options.host), options.port);
  std::make_shared<SamplePair>(io, options, workload, result)->Start(endpoint);
  protocol::http::RunWithSpin(io, std::chrono::microseconds(50));
  return result;
}

}  // namespace tidepool::bench

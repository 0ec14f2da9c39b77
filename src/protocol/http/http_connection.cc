#include "protocol/http/http_connection.h"

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <exception>
#include <string>

#include "protocol/codec/json_codec.h"
#include "protocol/http/common_request_parser.h"
#include "protocol/http/h2_session.h"
#include "protocol/http/push_body.h"
#include "protocol/http/server_state.h"

namespace tidepool::protocol::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using namespace std::string_view_literals;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// The HTTP/2 client connection preface (RFC 9113 3.4).
constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr size_t kIdleReadSize = 8192;
// After an error reply, unread request bytes are discarded for at most this long / this much
// before closing, so that the client can read the reply instead of receiving a reset.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kLingerBytes = 4 * 1024 * 1024;

void AppendStatusLine(const HttpResponse& response, std::string* out) {
  out->append(response.version() == 10 ? "HTTP/1.0 "sv : "HTTP/1.1 "sv);
  char digits[8];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, response.result_int());
  out->append(digits, end);
  out->push_back(' ');
  const beast::string_view reason = response.reason();
  out->append(reason.data(), reason.size());
  out->append("\r\n"sv);
}

void AppendField(std::string_view name, std::string_view value, std::string* out) {
  out->append(name);
  out->append(": "sv);
  out->append(value);
  out->append("\r\n"sv);
}

// Writes `response`'s status line and fields, then the blank line, into `out`.
void SerializeHead(const HttpResponse& response, std::string* out) {
  out->clear();
  AppendStatusLine(response, out);
  for (const auto& field : response) AppendField(field.name_string(), field.value(), out);
  out->append("\r\n"sv);
}

// The common case of WriteResponse without touching the message: writes the head that
// keep_alive(`keep_alive`) and prepare_payload() followed by SerializeHead would write (the
// message's fields in order, then Connection if the version needs one, then Content-Length).
// Returns false, leaving `out` unspecified, when the response has a field those calls would
// rewrite (Connection, Content-Length, Transfer-Encoding) or a status that must have no body;
// the caller then takes the general path.
bool SerializeHeadFast(const HttpResponse& response, bool keep_alive, std::string* out) {
  const unsigned status = response.result_int();
  if (status < 200 || status == 204 || status == 304) return false;
  out->clear();
  AppendStatusLine(response, out);
  for (const auto& field : response) {
    const bhttp::field name = field.name();
    if (name == bhttp::field::connection || name == bhttp::field::content_length ||
        name == bhttp::field::transfer_encoding) {
      return false;
    }
    AppendField(field.name_string(), field.value(), out);
  }
  if (response.version() == 10 ? keep_alive : !keep_alive) {
    AppendField("Connection"sv, keep_alive ? "keep-alive"sv : "close"sv, out);
  }
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, response.body().size());
  out->append("Content-Length: "sv);
  out->append(digits, end);
  out->append("\r\n\r\n"sv);
  return true;
}

}  // namespace

HttpConnection::HttpConnection(ConnectionSocket socket, std::shared_ptr<ServerState> state)
    : stream_(std::move(socket)), state_(std::move(state)), idle_timer_(stream_.get_executor()) {}

HttpConnection::~HttpConnection() {
  if (id_ != 0) state_->Unregister(id_);
  // A request whose Responder was dropped unanswered no longer counts as in flight.
  if (awaiting_seq_.load(std::memory_order_acquire) != 0) state_->RequestFinished();
}

void HttpConnection::Start() {
  id_ = state_->Register(weak_from_this());
  // Lets WriteResponse try a send that never blocks; asynchronous operations are unaffected.
  beast::error_code ignored;
  stream_.socket().non_blocking(true, ignored);
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&HttpConnection::WaitForRequest, shared_from_this()));
}

void HttpConnection::CloseWhenIdle() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    self->close_requested_ = true;
    if (auto h2 = self->h2_.lock()) return h2->CloseWhenIdle();
    if (self->phase_ == Phase::kIdle) self->Close();
  });
}

void HttpConnection::ForceClose() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (auto h2 = self->h2_.lock()) return h2->Close();
    self->Close();
  });
}

void HttpConnection::WaitForRequest() {
  if (close_requested_ || state_->draining()) return Close();
  phase_ = Phase::kIdle;
  if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already buffered
  idle_deadline_ = std::chrono::steady_clock::now() + state_->options().idle_timeout;
  if (!idle_timer_armed_) ArmIdleTimer();
  // A plain socket read: the idle timer, not a per-read Beast timer, bounds the wait.
  stream_.socket().async_read_some(
      buffer_.prepare(kIdleReadSize),
      beast::bind_front_handler(&HttpConnection::OnIdleRead, shared_from_this()));
}

void HttpConnection::ArmIdleTimer() {
  idle_timer_armed_ = true;
  idle_timer_.expires_at(idle_deadline_);
  idle_timer_.async_wait(
      beast::bind_front_handler(&HttpConnection::OnIdleTimer, shared_from_this()));
}

void HttpConnection::OnIdleTimer(beast::error_code ec) {
  idle_timer_armed_ = false;
  // Not idle (a request is in progress; the next WaitForRequest re-arms) or closed: nothing to do.
  if (ec || phase_ != Phase::kIdle) return;
  if (std::chrono::steady_clock::now() >= idle_deadline_) return Close();
  ArmIdleTimer();  // requests came and went since the wait began: wait for the new deadline
}

void HttpConnection::OnIdleRead(beast::error_code ec, size_t n) {
  if (ec || phase_ == Phase::kClosing) return Close();
  buffer_.commit(n);
  if (seq_ == 0) {  // only a connection's first bytes may be the HTTP/2 preface
    std::string_view got(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    size_t common = std::min(got.size(), kH2Preface.size());
    if (got.substr(0, common) == kH2Preface.substr(0, common)) {
      if (common == kH2Preface.size()) return StartH2();
      stream_.async_read_some(  // a prefix so far: read on
          buffer_.prepare(kIdleReadSize),
          beast::bind_front_handler(&HttpConnection::OnIdleRead, shared_from_this()));
      return;
    }
  }
  ReadHeader();
}

void HttpConnection::StartH2() {
  phase_ = Phase::kH2;
  idle_timer_.cancel();
  if (close_requested_ || state_->draining()) return Close();
  stream_.expires_never();  // the session keeps its own idle timer
  auto session = std::make_shared<H2Session>(stream_, state_, std::move(buffer_),
                                             [self = shared_from_this()] { self->Close(); });
  buffer_.clear();
  h2_ = session;
  session->Start();
}

void HttpConnection::ReadHeader() {
  phase_ = Phase::kReading;
  const HttpServerOptions& options = state_->options();
  if (buffer_.size() > 0) {
    // Fastest path: a whole request of the common shape is parsed without Beast's parser.
    HttpRequest request;
    size_t used = ParseCommonRequest(
        std::string_view(static_cast<const char*>(buffer_.data().data()), buffer_.size()),
        options.header_limit, options.body_limit, &request);
    if (used > 0) {
      buffer_.consume(used);
      return Dispatch(std::move(request));
    }
  }
  parser_.emplace();
  parser_->header_limit(options.header_limit);
  // Beast checks a Content-Length against the body limit while it parses the header: a body a
  // streamer may take (an S3 PutObject of up to 5 GB) must get past the header with the
  // streamed limit. OnHeader applies the in-memory limit to a body that is not streamed.
  parser_->body_limit(options.body_streamer
                          ? std::max(options.body_limit, options.streamed_body_limit)
                          : options.body_limit);
  // The header first: a streamer may take the body (StartStreamedBody) before any of it is
  // parsed into the string body.
  parser_->eager(false);
  if (!PutBuffered()) return;
  if (parser_->is_header_done()) return OnHeader({});
  stream_.expires_after(options.header_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

bool HttpConnection::PutBuffered() {
  // Fast path: a request usually arrives whole in one read. Parsing it straight from the
  // buffer saves the asynchronous header and body reads (two trips through the strand).
  beast::error_code ec;
  while (!parser_->is_done() && buffer_.size() > 0) {
    size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == bhttp::error::need_more) break;
    if (ec) {
      OnReadError(ec);
      return false;
    }
    if (used == 0 || (!parser_->eager() && parser_->is_header_done())) break;
  }
  return true;
}

void HttpConnection::OnHeader(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  if (parser_->is_done()) return DispatchParsed();
  if (const BodyStreamer& streamer = state_->options().body_streamer) {
    HttpRequest head(parser_->get().base());
    if (auto sink = streamer(head)) return StartStreamedBody(std::move(sink));
    // Held in memory: the in-memory limit, for a declared length now and for chunks as they come.
    const uint64_t limit = state_->options().body_limit;
    if (auto length = parser_->content_length(); length && *length > limit) {
      return OnReadError(bhttp::error::body_limit);
    }
    parser_->body_limit(limit);
  }
  parser_->eager(true);
  if (!PutBuffered()) return;
  if (parser_->is_done()) return DispatchParsed();
  const auto& header = parser_->get();
  if (header.version() >= 11 && beast::iequals(header[bhttp::field::expect], "100-continue")) {
    stream_.expires_after(state_->options().body_timeout);
    net::async_write(
        stream_, net::buffer(kContinue.data(), kContinue.size()),
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnContinueWritten(ec); });
    return;
  }
  ReadBody();
}

void HttpConnection::OnContinueWritten(beast::error_code ec) {
  if (ec) return Close();
  if (body_sink_) return ReadStreamedPiece();
  ReadBody();
}

void HttpConnection::StartStreamedBody(std::shared_ptr<BodySink> sink) {
  constexpr size_t kPieceSize = 256 * 1024;
  body_sink_ = std::move(sink);
  stream_parser_.emplace(std::move(*parser_));
  parser_.reset();
  stream_parser_->body_limit(state_->options().streamed_body_limit);
  if (piece_.size() != kPieceSize) piece_.resize(kPieceSize);
  const auto& header = stream_parser_->get();
  if (header.version() >= 11 && beast::iequals(header[bhttp::field::expect], "100-continue")) {
    stream_.expires_after(state_->options().body_timeout);
    net::async_write(
        stream_, net::buffer(kContinue.data(), kContinue.size()),
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnContinueWritten(ec); });
    return;
  }
  ReadStreamedPiece();
}

void HttpConnection::ReadStreamedPiece() {
  auto& body = stream_parser_->get().body();
  body.data = piece_.data();
  body.size = piece_.size();
  stream_.expires_after(state_->options().body_timeout);
  bhttp::async_read_some(
      stream_, buffer_, *stream_parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnStreamedPiece(ec); });
}

void HttpConnection::OnStreamedPiece(beast::error_code ec) {
  if (ec == bhttp::error::need_buffer) ec = {};
  if (ec) {
    stream_parser_.reset();
    body_sink_.reset();  // the request never completed: the sink discards what it got
    if (ec == bhttp::error::body_limit) {
      return FailRequest(413, "RequestEntityTooLarge",
                         "Request body is larger than " +
                             std::to_string(state_->options().streamed_body_limit) + " bytes");
    }
    return OnReadError(ec);
  }
  const size_t got = piece_.size() - stream_parser_->get().body().size;
  if (got > 0) body_sink_->Write(std::string_view(piece_.data(), got));
  if (!stream_parser_->is_done()) return ReadStreamedPiece();
  HttpRequest head(std::move(stream_parser_->get().base()));
  stream_parser_.reset();
  std::shared_ptr<BodySink> sink = std::move(body_sink_);
  phase_ = Phase::kHandling;
  request_version_ = head.version();
  request_keep_alive_ = head.keep_alive();
  request_head_ = false;
  uint64_t seq = ++seq_;
  awaiting_seq_.store(seq, std::memory_order_release);
  state_->RequestStarted();
  stream_.expires_never();
  sink->Finish(std::move(head), Responder(shared_from_this(), seq));
}

void HttpConnection::ReadBody() {
  stream_.expires_after(state_->options().body_timeout);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void HttpConnection::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  DispatchParsed();
}

void HttpConnection::OnReadError(beast::error_code ec) {
  if (phase_ == Phase::kClosing) return Close();
  if (ec == bhttp::error::header_limit) {
    return FailRequest(431, "RequestHeaderFieldsTooLarge",
                       "Request header fields are larger than " +
                           std::to_string(state_->options().header_limit) + " bytes");
  }
  if (ec == bhttp::error::body_limit) {
    return FailRequest(
        413, "RequestEntityTooLarge",
        "Request body is larger than " + std::to_string(state_->options().body_limit) + " bytes");
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return FailRequest(400, "BadRequest", "Malformed HTTP request: " + ec.message());
  }
  Close();  // timeouts, resets, the peer closing mid-request
}

void HttpConnection::DispatchParsed() {
  HttpRequest request = parser_->release();
  parser_.reset();
  Dispatch(std::move(request));
}

void HttpConnection::Dispatch(HttpRequest&& request) {
  phase_ = Phase::kHandling;
  request_version_ = request.version();
  request_keep_alive_ = request.keep_alive();
  request_head_ = request.method() == bhttp::verb::head;
  uint64_t seq = ++seq_;
  awaiting_seq_.store(seq, std::memory_order_release);
  state_->RequestStarted();
  stream_.expires_never();  // a handler may take its time (long polls)
  // The handler may answer inline: nothing below may touch connection state.
  try {
    state_->handler()(std::move(request), Responder(shared_from_this(), seq));
  } catch (const std::exception& e) {
    spdlog::error("bug: HTTP handler threw: {}", e.what());
    HttpResponse response(bhttp::status::internal_server_error, 11);
    response.set(bhttp::field::content_type, "application/json");
    response.body() = R"({"__type":"InternalFailure","message":"internal error"})";
    Complete(seq, std::move(response));
  }
}

void HttpConnection::Complete(uint64_t seq, HttpResponse&& response) {
  uint64_t expected = seq;
  if (!awaiting_seq_.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
    spdlog::warn("bug: response to request {} delivered twice or too late; dropped", seq);
    return;
  }
  // Winning awaiting_seq_ makes response_ ours until the strand writes it (see the header).
  response_ = std::move(response);
  // The strand's own execute: inline when already on the strand (or when it is free and this
  // thread runs the io_context), without dispatch()'s work-tracking wrapper.
  stream_.get_executor().execute(
      beast::bind_front_handler(&HttpConnection::WriteResponse, shared_from_this()));
}

void HttpConnection::CompleteStreamed(uint64_t seq, HttpResponse&& response,
                                      std::shared_ptr<BodySource> body) {
  uint64_t expected = seq;
  if (!awaiting_seq_.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
    spdlog::warn("bug: response to request {} delivered twice or too late; dropped", seq);
    return;
  }
  response_ = std::move(response);
  body_source_ = std::move(body);
  stream_.get_executor().execute(
      beast::bind_front_handler(&HttpConnection::WriteResponse, shared_from_this()));
}

void HttpConnection::WriteStreamedResponse(bool keep_alive) {
  response_.body().clear();
  if (auto push = std::dynamic_pointer_cast<PushBody>(body_source_)) {
    // No length known: an HTTP/1.1 client gets the body in chunks as they are pushed (so a
    // client reading a fixed amount at a time still sees each piece at once); for HTTP/1.0 the
    // body ends when the connection closes (RFC 9112 6.3).
    push_chunked_ = request_version_ >= 11;
    push_keep_alive_ = keep_alive = push_chunked_ && keep_alive;
    std::weak_ptr<HttpConnection> weak = weak_from_this();
    push->SetWakeup([weak] {
      if (auto self = weak.lock()) {
        net::post(self->stream_.get_executor(), [self] { self->WriteNextPushed(); });
      }
    });
    response_.keep_alive(keep_alive);
    if (push_chunked_) response_.chunked(true);
    SerializeHead(response_, &head_);
    body_remaining_ = request_head_ ? 0 : PushBody::kUnknownSize;
    if (request_head_) push->Abandon();
  } else {
    response_.keep_alive(keep_alive);
    response_.content_length(body_source_->size());
    SerializeHead(response_, &head_);
    body_remaining_ = request_head_ ? 0 : body_source_->size();
  }
  stream_.expires_after(state_->options().body_timeout);
  net::async_write(stream_, net::buffer(head_),
                   [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                     if (ec) {
                       self->DropBodySource();
                       return self->OnWrite(ec, keep_alive, /*counted=*/true);
                     }
                     self->WriteNextPiece(keep_alive);
                   });
}

void HttpConnection::DropBodySource() {
  if (auto push = std::dynamic_pointer_cast<PushBody>(body_source_)) push->Abandon();
  body_source_.reset();
}

void HttpConnection::WriteNextPushed() {
  if (!body_source_) return;  // the connection failed meanwhile
  constexpr size_t kPieceSize = 256 * 1024;
  if (piece_.size() != kPieceSize) piece_.resize(kPieceSize);
  const int64_t n = body_source_->Read(piece_.data(), kPieceSize);
  if (n == PushBody::kPending) return;  // the wakeup calls WriteNextPiece again
  if (n < 0 || (n == 0 && !push_chunked_)) {
    DropBodySource();
    return OnWrite({}, /*keep_alive=*/false, /*counted=*/true);
  }
  stream_.expires_after(state_->options().body_timeout);
  if (n == 0) {  // the last chunk
    body_source_.reset();
    net::async_write(stream_, net::buffer("0\r\n\r\n"sv.data(), 5),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnWrite(ec, self->push_keep_alive_, /*counted=*/true);
                     });
    return;
  }
  auto done = [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) {
      self->DropBodySource();
      return self->OnWrite(ec, false, /*counted=*/true);
    }
    self->WriteNextPushed();
  };
  if (!push_chunked_) {
    return net::async_write(stream_, net::buffer(piece_.data(), static_cast<size_t>(n)), done);
  }
  char size[20];
  const int len = std::snprintf(size, sizeof size, "%llx\r\n", static_cast<unsigned long long>(n));
  chunk_head_.assign(size, static_cast<size_t>(len));
  const std::array<net::const_buffer, 3> chunk{net::buffer(chunk_head_),
                                               net::buffer(piece_.data(), static_cast<size_t>(n)),
                                               net::buffer("\r\n"sv.data(), 2)};
  net::async_write(stream_, chunk, done);
}

void HttpConnection::WriteNextPiece(bool keep_alive) {
  if (body_remaining_ == 0) {
    body_source_.reset();
    return OnWrite({}, keep_alive, /*counted=*/true);
  }
  if (body_remaining_ == PushBody::kUnknownSize) return WriteNextPushed();
  constexpr size_t kPieceSize = 256 * 1024;
  if (piece_.size() != kPieceSize) piece_.resize(kPieceSize);
  int64_t n = body_source_->Read(piece_.data(), std::min<uint64_t>(kPieceSize, body_remaining_));
  if (n <= 0) {
    spdlog::error("a streamed response body ended {} bytes short; closing the connection",
                  body_remaining_);
    body_source_.reset();
    return OnWrite(net::error::broken_pipe, keep_alive, /*counted=*/true);
  }
  body_remaining_ -= static_cast<uint64_t>(n);
  stream_.expires_after(state_->options().body_timeout);
  net::async_write(stream_, net::buffer(piece_.data(), static_cast<size_t>(n)),
                   [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                     if (ec) {
                       self->DropBodySource();
                       return self->OnWrite(ec, keep_alive, /*counted=*/true);
                     }
                     self->WriteNextPiece(keep_alive);
                   });
}

void HttpConnection::WriteResponse() {
  phase_ = Phase::kWriting;
  response_.version(request_version_);
  const bool keep_alive = request_keep_alive_ && !close_requested_ && !state_->draining();
  if (body_source_) return WriteStreamedResponse(keep_alive);
  // The head is serialized by hand: Beast's generic serializer costs more than the handful of
  // fields a response has.
  if (!SerializeHeadFast(response_, keep_alive, &head_)) {
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    SerializeHead(response_, &head_);
  }
  if (request_head_) response_.body().clear();
  std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(response_.body())};
  // Most responses fit the socket's send buffer: a non-blocking send finishes them here, with no
  // asynchronous operation, timer or trip through the scheduler.
  beast::error_code ec;
  size_t sent = 0;
  const size_t total = head_.size() + response_.body().size();
  while (sent < total) {
    size_t n = stream_.socket().write_some(buffers, ec);
    if (ec) break;
    sent += n;
    for (auto& buffer : buffers) {
      size_t skip = std::min(n, buffer.size());
      buffer += skip;
      n -= skip;
    }
  }
  if (sent == total) return OnWrite({}, keep_alive, /*counted=*/true);
  if (ec != net::error::would_block && ec != net::error::try_again) {
    return OnWrite(ec, keep_alive, /*counted=*/true);
  }
  stream_.expires_after(state_->options().body_timeout);
  net::async_write(stream_, buffers,
                   [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
                     self->OnWrite(ec, keep_alive, /*counted=*/true);
                   });
}

void HttpConnection::OnWrite(beast::error_code ec, bool keep_alive, bool counted) {
  if (counted) state_->RequestFinished();
  response_ = HttpResponse();
  if (ec || !keep_alive) return Close();
  if (buffer_.size() > 0) {
    // A pipelined request waits in the buffer: continue from the strand's queue rather than
    // recursing (a handler that answers inline would otherwise nest one frame per request).
    net::post(stream_.get_executor(),
              beast::bind_front_handler(&HttpConnection::WaitForRequest, shared_from_this()));
    return;
  }
  WaitForRequest();
}

void HttpConnection::FailRequest(unsigned status, std::string_view code, std::string_view message) {
  phase_ = Phase::kWriting;
  parser_.reset();
  response_ = HttpResponse(static_cast<bhttp::status>(status), 11);
  response_.set(bhttp::field::content_type, "application/json");
  response_.set("x-amzn-ErrorType", code);
  response_.body() = json_codec::EncodeError(AwsError{std::string(code), std::string(message)});
  response_.keep_alive(false);
  response_.prepare_payload();
  stream_.expires_after(state_->options().body_timeout);
  bhttp::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->Close();
    self->LingerAndClose();
  });
}

void HttpConnection::LingerAndClose() {
  phase_ = Phase::kClosing;
  beast::error_code ignored;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTime);
  buffer_.clear();
  // Discards until EOF, error, timeout or kLingerBytes.
  struct Discard {
    std::shared_ptr<HttpConnection> self;
    size_t total = 0;
    void operator()(beast::error_code ec, size_t n) {
      self->buffer_.clear();
      total += n;
      if (ec || total > kLingerBytes) return self->Close();
      auto& stream = self->stream_;
      auto buf = self->buffer_.prepare(64 * 1024);
      stream.async_read_some(buf, std::move(*this));
    }
  };
  stream_.async_read_some(buffer_.prepare(64 * 1024), Discard{shared_from_this()});
}

void HttpConnection::Close() {
  phase_ = Phase::kClosing;
  DropBodySource();
  if (idle_timer_armed_) idle_timer_.cancel();
  beast::error_code ignored;
  if (stream_.socket().is_open()) {
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
  }
  // Counted as open until the socket closes (a Responder may keep this object alive longer).
  if (id_ != 0) {
    state_->Unregister(id_);
    id_ = 0;
  }
}

}  // namespace tidepool::protocol::http

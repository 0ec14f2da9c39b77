#include "protocol/http/h2_session.h"
#include "protocol/codec/json_codec.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include <algorithm>
#include <cstring>
#include <exception>
#include <string_view>
#include <vector>

#include "protocol/http/server_state.h"

namespace tidepool::protocol::http {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr uint32_t kMaxConcurrentStreams = 100;
constexpr int32_t kStreamWindow = 1 << 20;       // bytes, per stream
constexpr int32_t kConnectionWindow = 16 << 20;  // bytes, whole connection
constexpr size_t kMaxWriteChunk = 64 * 1024;     // bytes gathered from nghttp2 per write

// Fields that are connection-specific in HTTP/1.1 and forbidden in HTTP/2 (RFC 9113 8.2.2),
// plus content-length, which the session sets itself.
bool SkipResponseField(std::string_view lower) {
  return lower == "connection" || lower == "keep-alive" || lower == "transfer-encoding" ||
         lower == "upgrade" || lower == "proxy-connection" || lower == "te" ||
         lower == "content-length";
}

nghttp2_nv MakeNv(std::string_view name, std::string_view value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

H2Session::H2Session(ConnectionStream& stream, std::shared_ptr<ServerState> state,
                     beast::flat_buffer initial, std::function<void()> on_closed)
    : stream_(stream),
      state_(std::move(state)),
      initial_(std::move(initial)),
      on_closed_(std::move(on_closed)),
      idle_timer_(stream.get_executor()),
      last_activity_(std::chrono::steady_clock::now()) {}

H2Session::~H2Session() {
  for (auto& [id, stream] : streams_) FinishStream(stream);
  if (session_ != nullptr) nghttp2_session_del(session_);
}

void H2Session::Start() {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) return Close();
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &H2Session::OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &H2Session::OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &H2Session::OnDataChunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &H2Session::OnFrameRecv);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &H2Session::OnFrameSend);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &H2Session::OnStreamClose);
  int rv = nghttp2_session_server_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) {
    session_ = nullptr;
    return Close();
  }
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, state_->options().header_limit},
  };
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
      nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow) !=
          0) {
    return Close();
  }
  auto data = initial_.data();
  bool ok = Receive(static_cast<const uint8_t*>(data.data()), data.size());
  initial_ = beast::flat_buffer();
  if (!ok) return;
  Flush();
  if (closed_) return;
  ArmIdleTimer();
  Read();
}

void H2Session::CloseWhenIdle() {
  if (closed_ || going_away_ || session_ == nullptr) return;
  going_away_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  Flush();
}

void H2Session::Close() {
  if (closed_) return;
  closed_ = true;
  idle_timer_.cancel();
  for (auto& [id, stream] : streams_) FinishStream(stream);
  streams_.clear();
  if (on_closed_) on_closed_();  // closes the socket; pending operations end with an error
}

void H2Session::Complete(uint64_t seq, HttpResponse&& response) {
  // Posted, never run inline: a handler answering from inside an nghttp2 callback must not
  // re-enter nghttp2_session_mem_send.
  net::post(stream_.get_executor(),
            [self = shared_from_this(), seq, r = std::move(response)]() mutable {
              self->Respond(static_cast<int32_t>(seq), std::move(r));
            });
}

void H2Session::CompleteStreamed(uint64_t seq, HttpResponse&& response,
                                 std::shared_ptr<BodySource> body) {
  auto push = std::dynamic_pointer_cast<PushBody>(body);
  if (!push) return ResponseSink::CompleteStreamed(seq, std::move(response), std::move(body));
  net::post(stream_.get_executor(), [self = shared_from_this(), seq, r = std::move(response),
                                     push = std::move(push)]() mutable {
    self->Respond(static_cast<int32_t>(seq), std::move(r), std::move(push));
  });
}

void H2Session::ResumeBody(int32_t stream_id) {
  if (closed_ || !streams_.contains(stream_id)) return;
  nghttp2_session_resume_data(session_, stream_id);
  Flush();
}

void H2Session::Read() {
  stream_.socket().async_read_some(
      net::buffer(read_buffer_), beast::bind_front_handler(&H2Session::OnRead, shared_from_this()));
}

void H2Session::OnRead(beast::error_code ec, size_t n) {
  if (closed_) return;
  if (ec) return Close();
  last_activity_ = std::chrono::steady_clock::now();
  if (!Receive(read_buffer_.data(), n)) return;
  Flush();
  if (closed_) return;
  if (nghttp2_session_want_read(session_) != 0) Read();
}

bool H2Session::Receive(const uint8_t* data, size_t size) {
  if (size == 0) return true;
  ssize_t rv = nghttp2_session_mem_recv(session_, data, size);
  if (rv < 0) {
    spdlog::debug("h2: closing connection: {}", nghttp2_strerror(static_cast<int>(rv)));
    // A bad preface or a fatal error: nghttp2 may have queued a GOAWAY; send it if we can.
    going_away_ = true;
    Flush();
    if (!writing_) Close();
    return false;
  }
  return true;
}

void H2Session::Flush() {
  if (closed_ || writing_ || session_ == nullptr) return;
  out_.clear();
  while (out_.size() < kMaxWriteChunk) {
    const uint8_t* chunk = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &chunk);
    if (n < 0) {
      spdlog::debug("h2: send failed: {}", nghttp2_strerror(static_cast<int>(n)));
      return Close();
    }
    if (n == 0) break;
    out_.append(reinterpret_cast<const char*>(chunk), static_cast<size_t>(n));
  }
  if (out_.empty()) {
    bool finished =
        nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0;
    if (finished || (going_away_ && Idle())) Close();
    return;
  }
  writing_ = true;
  write_started_ = std::chrono::steady_clock::now();
  net::async_write(
      stream_.socket(), net::buffer(out_),
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnWritten(ec); });
}

void H2Session::OnWritten(beast::error_code ec) {
  writing_ = false;
  if (closed_) return;
  if (ec) return Close();
  last_activity_ = std::chrono::steady_clock::now();
  Flush();
}

void H2Session::ArmIdleTimer() {
  const HttpServerOptions& options = state_->options();
  auto timeout = options.idle_timeout;
  auto check = std::min(options.idle_timeout, options.body_timeout);
  idle_timer_.expires_at(
      Idle() ? std::min(last_activity_ + timeout, std::chrono::steady_clock::now() + check)
             : std::chrono::steady_clock::now() + check);
  idle_timer_.async_wait(beast::bind_front_handler(&H2Session::OnIdleTimer, shared_from_this()));
}

void H2Session::OnIdleTimer(beast::error_code ec) {
  if (ec || closed_) return;
  auto now = std::chrono::steady_clock::now();
  if (writing_ && now - write_started_ >= state_->options().body_timeout) {
    spdlog::debug("h2: write stalled; connection closed");
    return Close();
  }
  if (Idle() && now - last_activity_ >= state_->options().idle_timeout) {
    spdlog::debug("h2: idle connection closed");
    CloseWhenIdle();
    if (closed_) return;
  }
  ArmIdleTimer();
}

bool H2Session::Idle() const { return streams_.empty(); }

void H2Session::Dispatch(int32_t stream_id, Stream& stream) {
  HttpRequest request = std::move(stream.request);
  stream.request = HttpRequest();
  stream.head = request.method() == bhttp::verb::head;
  stream.in_flight = true;
  state_->RequestStarted();
  try {
    request.prepare_payload();
    state_->handler()(std::move(request), Responder(shared_from_this(), stream_id));
  } catch (const std::exception& e) {
    spdlog::error("bug: HTTP handler threw: {}", e.what());
    HttpResponse response(bhttp::status::internal_server_error, 11);
    response.set(bhttp::field::content_type, "application/json");
    response.body() = R"({"__type":"InternalFailure","message":"internal error"})";
    Complete(static_cast<uint64_t>(stream_id), std::move(response));
  }
}

void H2Session::Respond(int32_t stream_id, HttpResponse&& response,
                        std::shared_ptr<PushBody> push) {
  auto it = closed_ ? streams_.end() : streams_.find(stream_id);
  if (it == streams_.end()) {
    spdlog::debug("h2: response to stream {} dropped: the stream is closed", stream_id);
    if (push) push->Abandon();
    return;
  }
  Stream& stream = it->second;
  if (stream.responded) {
    spdlog::warn("bug: response to h2 stream {} delivered twice; dropped", stream_id);
    return;
  }
  stream.responded = true;
  unsigned status = response.result_int();
  bool has_body = !stream.head && status >= 200 && status != 204 && status != 304;
  std::string status_text = std::to_string(status);
  std::string content_length;
  // Lower-cased names must outlive nghttp2_submit_response (which copies them).
  std::vector<std::string> names;
  names.reserve(std::distance(response.begin(), response.end()));
  std::vector<nghttp2_nv> nv;
  nv.push_back(MakeNv(":status", status_text));
  for (const auto& field : response) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (SkipResponseField(name)) continue;
    names.push_back(std::move(name));
    nv.push_back(MakeNv(names.back(), field.value()));
  }
  if (push && has_body) {
    stream.push_body = push;
    std::weak_ptr<H2Session> weak = weak_from_this();
    push->SetWakeup([weak, stream_id] {
      if (auto self = weak.lock()) {
        net::post(self->stream_.get_executor(), [self, stream_id] { self->ResumeBody(stream_id); });
      }
    });
  } else if (push) {
    push->Abandon();
  }
  if (status >= 200 && status != 204 && status != 304 && !stream.push_body) {
    if (stream.head && response.body().empty() && response.has_content_length()) {
      content_length = std::string(response[bhttp::field::content_length]);
    } else {
      content_length = std::to_string(response.body().size());
    }
    nv.push_back(MakeNv("content-length", content_length));
  }
  stream.response_body = has_body ? std::move(response.body()) : std::string();
  stream.body_offset = 0;
  nghttp2_data_provider provider{};
  provider.read_callback = &H2Session::ReadBody;
  bool send_data = has_body && (!stream.response_body.empty() || stream.push_body);
  int rv = nghttp2_submit_response(session_, stream_id, nv.data(), nv.size(),
                                   send_data ? &provider : nullptr);
  if (rv != 0) {
    spdlog::warn("h2: cannot submit response on stream {}: {}", stream_id, nghttp2_strerror(rv));
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
  }
  Flush();
}

void H2Session::Refuse(int32_t stream_id, Stream& stream, unsigned status) {
  if (stream.refused_status == 0) stream.refused_status = status;
  if (stream.responded || stream.refusal_queued) return;
  stream.refusal_queued = true;
  std::string_view code = status == 431 ? "RequestHeaderFieldsTooLarge" : "RequestEntityTooLarge";
  std::string message = status == 431
                            ? "Request header fields are larger than " +
                                  std::to_string(state_->options().header_limit) + " bytes"
                            : "Request body is larger than " +
                                  std::to_string(state_->options().body_limit) + " bytes";
  stream.request = HttpRequest();
  HttpResponse response(static_cast<bhttp::status>(status), 11);
  response.set(bhttp::field::content_type, "application/json");
  response.set("x-amzn-ErrorType", code);
  response.body() = json_codec::EncodeError(AwsError{std::string(code), std::string(message)});
  // Posted: this runs inside an nghttp2 receive callback.
  Complete(static_cast<uint64_t>(stream_id), std::move(response));
}

void H2Session::FinishStream(Stream& stream) {
  if (stream.push_body) {
    stream.push_body->Abandon();
    stream.push_body.reset();
  }
  if (!stream.in_flight) return;
  stream.in_flight = false;
  state_->RequestFinished();
}

// --- nghttp2 callbacks: called only from inside nghttp2_session_mem_recv/mem_send, on the strand.
// They must not throw and must not call mem_recv/mem_send.

int H2Session::OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Session*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  try {
    Stream& stream = self->streams_[frame->hd.stream_id];
    // HTTP/1.1 semantics (keep-alive by default) for handlers that look at the version.
    stream.request.version(11);
  } catch (const std::exception&) {
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int H2Session::OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                        size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                        void* user) {
  auto* self = static_cast<H2Session*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;  // trailers are ignored
  }
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it == self->streams_.end()) return 0;
  Stream& stream = it->second;
  stream.header_bytes += namelen + valuelen + 32;  // RFC 9113 6.5.2 accounting
  if (stream.header_bytes > self->state_->options().header_limit) {
    stream.refused_status = 431;
    return 0;
  }
  if (stream.refused_status != 0) return 0;
  std::string_view n(reinterpret_cast<const char*>(name), namelen);
  std::string_view v(reinterpret_cast<const char*>(value), valuelen);
  try {
    if (n == ":method") {
      stream.request.method_string(v);
    } else if (n == ":path") {
      stream.request.target(v);
    } else if (n == ":authority") {
      stream.request.set(bhttp::field::host, v);
    } else if (!n.empty() && n[0] == ':') {
      // :scheme and others carry nothing the handlers use.
    } else if (n == "host" && stream.request.count(bhttp::field::host) != 0) {
      // :authority wins (RFC 9113 8.3.1).
    } else {
      stream.request.insert(n, v);
    }
  } catch (const std::exception&) {
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets this stream only
  }
  return 0;
}

int H2Session::OnDataChunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data,
                           size_t len, void* user) {
  auto* self = static_cast<H2Session*>(user);
  auto it = self->streams_.find(stream_id);
  if (it == self->streams_.end()) return 0;
  Stream& stream = it->second;
  if (stream.refused_status != 0) return 0;  // discarded
  if (stream.request.body().size() + len > self->state_->options().body_limit) {
    self->Refuse(stream_id, stream, 413);
    return 0;
  }
  try {
    stream.request.body().append(reinterpret_cast<const char*>(data), len);
  } catch (const std::exception&) {
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  return 0;
}

int H2Session::OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Session*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it == self->streams_.end()) return 0;
  Stream& stream = it->second;
  bool ended = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (stream.refused_status != 0) {
    if (ended) stream.request_ended = true;
    self->Refuse(frame->hd.stream_id, stream, stream.refused_status);
    return 0;
  }
  if (!ended || stream.request_ended) return 0;
  stream.request_ended = true;
  self->Dispatch(frame->hd.stream_id, stream);
  return 0;
}

int H2Session::OnFrameSend(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Session*>(user);
  if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) {
    return 0;
  }
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it == self->streams_.end() || it->second.request_ended) return 0;
  // Answered before the request ended (a refusal): tell the client to stop sending
  // (RFC 9113 8.1).
  nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
  return 0;
}

int H2Session::OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t, void* user) {
  auto* self = static_cast<H2Session*>(user);
  auto it = self->streams_.find(stream_id);
  if (it == self->streams_.end()) return 0;
  self->FinishStream(it->second);
  self->streams_.erase(it);
  return 0;
}

ssize_t H2Session::ReadBody(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                            uint32_t* data_flags, nghttp2_data_source*, void* user) {
  auto* self = static_cast<H2Session*>(user);
  auto it = self->streams_.find(stream_id);
  if (it == self->streams_.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  Stream& stream = it->second;
  if (stream.push_body) {
    const int64_t n = stream.push_body->Read(reinterpret_cast<char*>(buf), length);
    if (n == PushBody::kPending) return NGHTTP2_ERR_DEFERRED;
    if (n < 0) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (n == 0) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  size_t n = std::min(length, stream.response_body.size() - stream.body_offset);
  std::memcpy(buf, stream.response_body.data() + stream.body_offset, n);
  stream.body_offset += n;
  if (stream.body_offset == stream.response_body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

}  // namespace tidepool::protocol::http

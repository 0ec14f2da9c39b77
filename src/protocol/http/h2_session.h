// One HTTP/2 connection over cleartext with prior knowledge (h2c, RFC 9113 section 3.3), driven
// by nghttp2's server API. HttpConnection hands its socket over when the first bytes it reads are
// the client connection preface (the AWS SDK for JS v3 speaks this by default).
//
// Each request stream that ends (END_STREAM) becomes an HttpRequest (:method, :path, Host from
// :authority, the other fields copied, the body accumulated up to options.body_limit) and goes
// to the server's Handler with a Responder whose sink is this session. Limits answered by the
// session itself, like HTTP/1.1: header fields over header_limit -> 431, a body over body_limit
// -> 413 (the stream is then reset with NO_ERROR so the client stops sending).
//
// Threading: every member runs on the connection's strand (the executor of `stream`), except
// Complete, which may be called from any thread and dispatches to the strand.
// Counters: each dispatched request counts in ServerState's in-flight counter until its stream
// closes (response sent, or reset by the client) or the session closes.
// Shutdown: CloseWhenIdle sends GOAWAY, lets the streams already started finish, then closes.
// A session with no open stream for options.idle_timeout sends GOAWAY and closes; one whose
// write has not completed within options.body_timeout (a client that stopped reading) closes,
// checked every min(idle_timeout, body_timeout). Malformed
// input is answered by nghttp2 (RST_STREAM or GOAWAY); a fatal error closes the socket.
// Ownership: shared_ptr, kept alive by its pending asynchronous operations and by Responders.
#pragma once

#include <nghttp2/nghttp2.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "protocol/http/http_connection.h"
#include "protocol/http/push_body.h"
#include "protocol/http/responder.h"

namespace tidepool::protocol::http {

class ServerState;

class H2Session final : public ResponseSink, public std::enable_shared_from_this<H2Session> {
 public:
  // `stream` must stay valid until this object is destroyed; `on_closed` runs once on the strand
  // when the session ends and owns whatever keeps `stream` alive (it is destroyed with the
  // session). `initial` holds the bytes already read (the preface, maybe more).
  H2Session(ConnectionStream& stream, std::shared_ptr<ServerState> state,
            boost::beast::flat_buffer initial, std::function<void()> on_closed);
  ~H2Session() override;
  H2Session(const H2Session&) = delete;
  H2Session& operator=(const H2Session&) = delete;

  // Sends the server SETTINGS, processes `initial` and starts reading. Strand only; call once.
  void Start();
  // Strand only. GOAWAY now; close once the streams already accepted are answered.
  void CloseWhenIdle();
  // Strand only. Closes the socket now.
  void Close();

  // Thread-safe. `seq` is the request's stream id.
  void Complete(uint64_t seq, HttpResponse&& response) override;
  // Thread-safe. A PushBody is sent as it is pushed, DATA frame by DATA frame, until it ends
  // (a reset or closed stream abandons it); other sources are read whole first.
  void CompleteStreamed(uint64_t seq, HttpResponse&& response,
                        std::shared_ptr<BodySource> body) override;

 private:
  struct Stream {
    HttpRequest request;
    size_t header_bytes = 0;
    unsigned refused_status = 0;  // 431/413 once a limit is exceeded; the handler never runs
    bool request_ended = false;   // END_STREAM received
    bool head = false;
    bool in_flight = false;       // counted in ServerState::in_flight
    bool refusal_queued = false;  // the 431/413 answer is on its way to Respond
    bool responded = false;
    std::string response_body;
    size_t body_offset = 0;
    std::shared_ptr<PushBody> push_body;  // the response body when it is pushed over time
  };

  void Read();
  void OnRead(boost::beast::error_code ec, size_t n);
  // Feeds bytes to nghttp2; false after a fatal error (the session has been closed).
  bool Receive(const uint8_t* data, size_t size);
  // Writes whatever nghttp2 has queued, one write at a time; closes when nothing is left to do.
  void Flush();
  void OnWritten(boost::beast::error_code ec);
  void ArmIdleTimer();
  void OnIdleTimer(boost::beast::error_code ec);
  void Dispatch(int32_t stream_id, Stream& stream);
  // `push`: the body comes from it instead of `response` (no content-length).
  void Respond(int32_t stream_id, HttpResponse&& response,
               std::shared_ptr<PushBody> push = nullptr);
  // Strand only. The pushed body of `stream_id` has more bytes (or its end).
  void ResumeBody(int32_t stream_id);
  void Refuse(int32_t stream_id, Stream& stream, unsigned status);
  void FinishStream(Stream& stream);
  bool Idle() const;

  static int OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* user);
  static int OnHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t flags,
                      void* user);
  static int OnDataChunk(nghttp2_session* session, uint8_t flags, int32_t stream_id,
                         const uint8_t* data, size_t len, void* user);
  static int OnFrameRecv(nghttp2_session* session, const nghttp2_frame* frame, void* user);
  static int OnFrameSend(nghttp2_session* session, const nghttp2_frame* frame, void* user);
  static int OnStreamClose(nghttp2_session* session, int32_t stream_id, uint32_t error_code,
                           void* user);
  static ssize_t ReadBody(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                          uint32_t* data_flags, nghttp2_data_source* source, void* user);

  ConnectionStream& stream_;
  std::shared_ptr<ServerState> state_;
  boost::beast::flat_buffer initial_;
  std::function<void()> on_closed_;
  nghttp2_session* session_ = nullptr;
  boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                    boost::asio::wait_traits<std::chrono::steady_clock>,
                                    ConnectionStrand>
      idle_timer_;
  std::chrono::steady_clock::time_point last_activity_;  // last read or completed write
  std::chrono::steady_clock::time_point write_started_;
  std::map<int32_t, Stream> streams_;  // open request streams by id
  std::array<uint8_t, 16 * 1024> read_buffer_;
  std::string out_;  // the bytes being written
  bool writing_ = false;
  bool going_away_ = false;
  bool closed_ = false;
};

}  // namespace tidepool::protocol::http

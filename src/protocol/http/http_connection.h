// One accepted HTTP/1.1 connection: reads requests one at a time, hands each to the server's
// handler, writes the answer, and loops while keep-alive holds.
//
// Life of a request on a connection (all on the connection's strand):
//   idle wait (idle_timeout) -> headers (header_timeout; limits -> 431/413) ->
//   [Expect: 100-continue -> interim 100] -> body (body_timeout; body_limit -> 413) ->
//   handler -> ... Responder, from any thread, dispatches the response back to the strand ->
//   write -> next request, or close (no keep-alive, draining, or after an error reply).
// Fast path (a request that arrives whole, a response the socket takes at once): the idle wait
// is a plain socket read watched by one long-lived idle timer (re-armed only when it fires), the
// request is parsed straight from the buffer, and the response is written with a non-blocking
// send; only what does not fit that path goes through Beast's timed asynchronous operations.
// HTTP/2: when the connection's first bytes are the h2c preface (prior knowledge), the socket
// and the bytes read so far go to an H2Session, which serves the connection from then on; this
// object stays registered (Drain and the counters see it) until the session closes.
// Ownership: shared_ptr, kept alive by its pending asynchronous operations and by Responders
// (and, in HTTP/2 mode, by its H2Session).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/http/responder.h"

namespace tidepool::protocol::http {

class ServerState;
class H2Session;

// Concrete executor types (no type-erased any_io_executor on the per-request path).
using ConnectionStrand = boost::asio::strand<boost::asio::io_context::executor_type>;
using ConnectionSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, ConnectionStrand>;
using ConnectionStream = boost::beast::basic_stream<boost::asio::ip::tcp, ConnectionStrand,
                                                    boost::beast::unlimited_rate_policy>;
using ConnectionTimer =
    boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                      boost::asio::wait_traits<std::chrono::steady_clock>,
                                      ConnectionStrand>;

class HttpConnection final : public ResponseSink,
                             public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(ConnectionSocket socket, std::shared_ptr<ServerState> state);
  ~HttpConnection() override;

  // Registers with the server state and starts reading. Call once, right after construction.
  void Start();
  // Thread-safe. Closes the connection now if it waits idle for a request; otherwise it closes
  // after the response to the current request (the server is draining).
  void CloseWhenIdle();
  // Thread-safe. Closes the socket now, whatever is in progress.
  void ForceClose();

  void Complete(uint64_t seq, HttpResponse&& response) override;
  void CompleteStreamed(uint64_t seq, HttpResponse&& response,
                        std::shared_ptr<BodySource> body) override;

 private:
  enum class Phase { kIdle, kReading, kHandling, kWriting, kClosing, kH2 };

  void WaitForRequest();
  // Starts the idle timer at idle_deadline_ unless it is already waiting.
  void ArmIdleTimer();
  void OnIdleTimer(boost::beast::error_code ec);
  void OnIdleRead(boost::beast::error_code ec, size_t n);
  void ReadHeader();
  // Hands the connection to an H2Session (strand only, once the preface is in buffer_).
  void StartH2();
  void OnHeader(boost::beast::error_code ec);
  void OnContinueWritten(boost::beast::error_code ec);
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  // Parses what buffer_ holds into parser_; false after replying to a parse error.
  bool PutBuffered();
  // Streamed request bodies (options.body_streamer): the body goes to body_sink_ in pieces.
  void StartStreamedBody(std::shared_ptr<BodySink> sink);
  void ReadStreamedPiece();
  void OnStreamedPiece(boost::beast::error_code ec);
  // Streamed responses: the head is in head_, the body comes from body_source_.
  void WriteStreamedResponse(bool keep_alive);
  void WriteNextPiece(bool keep_alive);
  // A PushBody's next bytes, or nothing until its wakeup; the connection closes at its end.
  void WriteNextPushed();
  // Releases body_source_, abandoning it when it is a PushBody.
  void DropBodySource();
  // Hands the request Beast's parser_ has completed to Dispatch.
  void DispatchParsed();
  void Dispatch(HttpRequest&& request);
  // Writes response_ (strand only, after Complete stored it there).
  void WriteResponse();
  void OnWrite(boost::beast::error_code ec, bool keep_alive, bool counted);
  // Replies `status` with a small JSON body and closes (lingering so the client can read it).
  void FailRequest(unsigned status, std::string_view code, std::string_view message);
  void OnReadError(boost::beast::error_code ec);
  void LingerAndClose();
  void Close();

  ConnectionStream stream_;
  std::shared_ptr<ServerState> state_;
  uint64_t id_ = 0;
  // Closes the connection when it has waited idle past idle_deadline_. At most one wait is
  // pending; WaitForRequest only moves the deadline (strand only).
  ConnectionTimer idle_timer_;
  std::chrono::steady_clock::time_point idle_deadline_;
  bool idle_timer_armed_ = false;
  boost::beast::flat_buffer buffer_;  // reused across requests
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  // A streamed request body: its parser, its sink and the piece buffer (strand only).
  std::optional<boost::beast::http::request_parser<boost::beast::http::buffer_body>> stream_parser_;
  std::shared_ptr<BodySink> body_sink_;
  std::string piece_;
  // A streamed response body (set with response_, strand only once written).
  std::shared_ptr<BodySource> body_source_;
  uint64_t body_remaining_ = 0;
  // A PushBody response: sent in chunks (HTTP/1.1), and whether the connection then stays open.
  bool push_chunked_ = false;
  bool push_keep_alive_ = false;
  std::string chunk_head_;  // the size line of the chunk being written
  // The response being written. Complete stores it from any thread once it has won
  // awaiting_seq_; from then on only the strand touches it.
  HttpResponse response_;
  std::string head_;  // its serialized status line and fields (capacity reused)
  Phase phase_ = Phase::kIdle;
  unsigned request_version_ = 11;
  bool request_keep_alive_ = true;
  bool request_head_ = false;     // HEAD: the response keeps its Content-Length but sends no body
  bool close_requested_ = false;  // strand only
  uint64_t seq_ = 0;              // number of the current request
  // The request number whose response is still expected; 0 when none. Guards exactly-once
  // completion across threads.
  std::atomic<uint64_t> awaiting_seq_{0};
  // The HTTP/2 session serving this connection, if any. Weak: the session owns this object.
  std::weak_ptr<H2Session> h2_;
};

}  // namespace tidepool::protocol::http

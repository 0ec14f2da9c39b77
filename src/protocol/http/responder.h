// HTTP message types shared by the server, the router and the services' internal routes, and
// the Responder that completes one request.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

namespace tidepool::protocol::http {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A response body read in pieces instead of held whole (an S3 object). Read is called from the
// connection's strand, one call at a time; the source is dropped when the response is written
// or the connection closes.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Total bytes the body has: the response's Content-Length.
  virtual uint64_t size() const = 0;
  // Fills up to `capacity` bytes of `buffer` with the next bytes; returns how many (0 only at
  // the end). -1 on an error (the connection is then closed: the length was promised).
  virtual int64_t Read(char* buffer, size_t capacity) = 0;
};

// Where a Responder delivers its response (a server connection, or a test's callback).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Delivers the response to request number `seq`. Thread-safe: called from any thread. A
  // sink ignores a second delivery for the same `seq` (and logs it).
  virtual void Complete(uint64_t seq, HttpResponse&& response) = 0;
  // Delivers a response whose body comes from `body` (`response`'s own body is ignored). The
  // default reads the whole source into the body and calls Complete: HTTP/1.1 connections
  // override it to send the body in pieces.
  virtual void CompleteStreamed(uint64_t seq, HttpResponse&& response,
                                std::shared_ptr<BodySource> body);
};

// Completes one request. Copyable and cheap (a shared pointer and a number); call it exactly once,
// from any thread. Later calls are ignored. The server sets the response's HTTP version,
// keep-alive and Content-Length itself, so the handler only fills status, headers and body.
// A Responder that is never called leaves its connection waiting for a reply: handlers must
// always answer (the router guarantees it through Call's destructor).
class Responder {
 public:
  Responder() = default;
  Responder(std::shared_ptr<ResponseSink> sink, uint64_t seq) : sink_(std::move(sink)), seq_(seq) {}

  // A responder that hands the response to `fn` (the first call only). For tests, fuzzing and
  // in-process callers; allocates.
  static Responder FromFunction(std::function<void(HttpResponse&&)> fn);
  // A responder that lets `edit` change the response's head (add a header), then answers
  // through `inner`; a streamed body stays streamed. Allocates.
  static Responder Editing(Responder inner, std::function<void(HttpResponse&)> edit);

  void operator()(HttpResponse&& response) const;
  // Answers with a body read from `body` in pieces (see BodySource).
  void Stream(HttpResponse&& response, std::shared_ptr<BodySource> body) const;
  explicit operator bool() const { return sink_ != nullptr; }

 private:
  std::shared_ptr<ResponseSink> sink_;
  uint64_t seq_ = 0;
};

// The request handler the server calls, on the connection's strand, once per request. It must not
// block; it answers through the Responder, now or later, from any thread.
using Handler = std::function<void(HttpRequest&&, Responder)>;

// A request body taken in pieces as it arrives instead of buffered whole (an S3 upload of any
// size). Every call comes from the connection's strand, in order. A sink destroyed without
// Finish saw a request that never completed (the client went away): it discards what it got.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The next bytes of the body (transfer-encoding chunking already removed). A sink that
  // cannot use them (a bad encoding, a full disk) remembers the failure, ignores the rest and
  // answers it from Finish.
  virtual void Write(std::string_view piece) = 0;
  // The body is complete: answers the request (`head`: its method, target and fields; the
  // body empty) through `respond`, now or later.
  virtual void Finish(HttpRequest&& head, Responder respond) = 0;
};

// Called once per HTTP/1.1 request whose body is not yet read, with its head (the body
// empty): a sink to stream the body into, or nullptr to buffer it as usual (within
// body_limit). Runs on the connection's strand; must not block.
using BodyStreamer = std::function<std::shared_ptr<BodySink>(const HttpRequest& head)>;

}  // namespace tidepool::protocol::http

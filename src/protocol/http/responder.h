// HTTP message types shared by the server, the router and the services' internal routes, and
// the Responder that completes one request.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace tidepool::protocol::http {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Where a Responder delivers its response (a server connection, or a test's callback).
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Delivers the response to request number `seq`. Thread-safe: called from any thread. A
  // sink ignores a second delivery for the same `seq` (and logs it).
  virtual void Complete(uint64_t seq, HttpResponse&& response) = 0;
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

  void operator()(HttpResponse&& response) const;
  explicit operator bool() const { return sink_ != nullptr; }

 private:
  std::shared_ptr<ResponseSink> sink_;
  uint64_t seq_ = 0;
};

// The request handler the server calls, on the connection's strand, once per request. It must not
// block; it answers through the Responder, now or later, from any thread.
using Handler = std::function<void(HttpRequest&&, Responder)>;

}  // namespace tidepool::protocol::http

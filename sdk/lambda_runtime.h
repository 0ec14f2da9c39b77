// tidepool's header-only C++ client of the AWS Lambda Runtime API, for `provided.al2023` /
// `provided.al2` functions: build your function as an executable named `bootstrap`, zip it, and
// it runs the same on tidepool and on AWS Lambda. No dependency beyond the C++17 standard
// library and POSIX sockets.
//
//   #include "lambda_runtime.h"
//   int main() {
//     return tidepool::lambda_runtime::Run([](const tidepool::lambda_runtime::Request& req) {
//       return tidepool::lambda_runtime::Response::Success("{\"echo\":" + req.payload + "}");
//     });
//   }
//
// Run() reads AWS_LAMBDA_RUNTIME_API, then loops: GET /next, call the handler, POST /response
// or /error. A handler that throws is reported as a function error (errorType "Unhandled" unless
// it throws a HandlerError). Run returns 1 when the Runtime API cannot be reached.
#pragma once

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <utility>

namespace tidepool::lambda_runtime {

struct Request {
  std::string payload;               // the event, as JSON text
  std::string request_id;            // Lambda-Runtime-Aws-Request-Id
  std::string invoked_function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;              // Lambda-Runtime-Trace-Id
  std::string client_context;        // Lambda-Runtime-Client-Context (JSON), may be empty
  int64_t deadline_ms = 0;           // Lambda-Runtime-Deadline-Ms, epoch milliseconds
};

struct Response {
  std::string payload;
  bool error = false;
  static Response Success(std::string json) { return {std::move(json), false}; }
  // `type` and `message` become AWS's {"errorType", "errorMessage"} document.
  static Response Failure(const std::string& type, const std::string& message);
};

// Thrown by a handler to report a function error of a given type.
struct HandlerError : std::exception {
  HandlerError(std::string t, std::string m) : type(std::move(t)), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
  std::string type, message;
};

namespace detail {

inline std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  return out;
}

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One keep-alive HTTP/1.1 connection to the Runtime API.
class Connection {
 public:
  explicit Connection(std::string host_port) {
    size_t colon = host_port.rfind(':');
    host_ = host_port.substr(0, colon);
    port_ = colon == std::string::npos ? "80" : host_port.substr(colon + 1);
  }
  ~Connection() { Close(); }

  bool Send(const std::string& method, const std::string& path, const std::string& body,
            const std::string& extra_headers, HttpReply* reply) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !Connect()) return false;
      std::string req = method + " " + path + " HTTP/1.1\r\nHost: " + host_ +
                        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
                        extra_headers + "\r\n" + body;
      if (WriteAll(req) && ReadReply(reply)) return true;
      Close();  // a stale keep-alive connection: reconnect once
    }
    return false;
  }

 private:
  bool Connect() {
    addrinfo hints{}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res) != 0) return false;
    for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
      fd_ = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd_ >= 0 && ::connect(fd_, a->ai_addr, a->ai_addrlen) == 0) break;
      Close();
    }
    freeaddrinfo(res);
    buffer_.clear();
    return fd_ >= 0;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool WriteAll(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  bool Fill() {
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
  bool ReadReply(HttpReply* reply) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    *reply = HttpReply{};
    size_t sp = head.find(' ');
    if (sp == std::string::npos) return false;
    reply->status = std::atoi(head.c_str() + sp + 1);
    size_t line = head.find("\r\n");
    while (line != std::string::npos) {
      size_t next = head.find("\r\n", line + 2);
      std::string field =
          head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
      size_t colon = field.find(':');
      if (colon != std::string::npos) {
        std::string name = field.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t v = field.find_first_not_of(' ', colon + 1);
        reply->headers[name] = v == std::string::npos ? "" : field.substr(v);
      }
      line = next;
    }
    size_t length = 0;
    if (auto it = reply->headers.find("content-length"); it != reply->headers.end()) {
      length = std::strtoull(it->second.c_str(), nullptr, 10);
    }
    while (buffer_.size() < length) {
      if (!Fill()) return false;
    }
    reply->body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return true;
  }

  std::string host_, port_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace detail

inline Response Response::Failure(const std::string& type, const std::string& message) {
  return {"{\"errorType\":\"" + detail::JsonEscape(type) + "\",\"errorMessage\":\"" +
              detail::JsonEscape(message) + "\"}",
          true};
}

inline int Run(const std::function<Response(const Request&)>& handler) {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (api == nullptr) return 1;
  detail::Connection conn(api);
  const std::string prefix = "/2018-06-01/runtime/invocation/";
  for (;;) {
    detail::HttpReply next;
    if (!conn.Send("GET", prefix + "next", "", "", &next) || next.status != 200) return 1;
    Request req;
    req.payload = std::move(next.body);
    req.request_id = next.headers["lambda-runtime-aws-request-id"];
    req.invoked_function_arn = next.headers["lambda-runtime-invoked-function-arn"];
    req.trace_id = next.headers["lambda-runtime-trace-id"];
    req.client_context = next.headers["lambda-runtime-client-context"];
    req.deadline_ms = std::strtoll(next.headers["lambda-runtime-deadline-ms"].c_str(), nullptr, 10);
    if (!req.trace_id.empty()) ::setenv("_X_AMZN_TRACE_ID", req.trace_id.c_str(), 1);
    Response response;
    try {
      response = handler(req);
    } catch (const HandlerError& e) {
      response = Response::Failure(e.type, e.message);
    } catch (const std::exception& e) {
      response = Response::Failure("Unhandled", e.what());
    }
    detail::HttpReply ack;
    const std::string path = prefix + req.request_id + (response.error ? "/error" : "/response");
    const std::string headers =
        response.error ? "Lambda-Runtime-Function-Error-Type: Unhandled\r\n" : "";
    if (!conn.Send("POST", path, response.payload, headers, &ack)) return 1;
  }
}

}  // namespace tidepool::lambda_runtime

// SetupClient: blocking, one-connection calls for a benchmark's setup (create streams, wait for
// ACTIVE, list shards; SQS/SNS setup goes through Send and Call). Not for measured traffic.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json.hpp>

#include "signed_request_builder.h"

namespace tidepool::bench {

// An unsigned request with a JSON body (`body` already serialized) to `target` on `host`.
HttpRequest JsonBodyRequest(boost::beast::http::verb method, std::string target,
                            const std::string& host, std::string body);

class SetupClient {
 public:
  SetupClient(std::string host, uint16_t port, SignedRequestBuilder& builder);

  // Sends one request; returns the reply body. Throws std::runtime_error on a transport error
  // or a reply other than 2xx (setup failures end the benchmark); `what` names the call in the
  // error.
  std::string Send(std::string_view what, HttpRequest request);
  // A JSON-protocol call; returns the parsed JSON reply (throws like Send).
  boost::json::object Call(std::string_view operation, const boost::json::object& input,
                           const WireProtocol& wire = kKinesisWire);

  // Creates `name` with `shards` shards (unless it exists) and waits until it is ACTIVE.
  void EnsureStream(const std::string& name, int shards);
  std::vector<std::string> ShardIds(const std::string& name);

 private:
  void Connect();

  std::string host_;
  uint16_t port_;
  SignedRequestBuilder& builder_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace tidepool::bench

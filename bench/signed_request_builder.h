// SignedRequestBuilder: Kinesis JSON 1.1 requests (POST /, X-Amz-Target) signed with SigV4,
// as an AWS SDK would send them.
// Not thread-safe (it caches the current X-Amz-Date): one builder per event loop.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

namespace tidepool::bench {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

class SignedRequestBuilder {
 public:
  // `host` is the Host header value ("127.0.0.1:4566").
  SignedRequestBuilder(std::string host, std::string access_key_id, std::string secret_key,
                       std::string region);

  // A signed request for Kinesis_20131202.<operation>. `payload_hash` is the hex SHA-256 of
  // `body` when the caller has it already (for bodies sent many times), else empty.
  HttpRequest Build(std::string_view operation, std::string body,
                    std::string_view payload_hash = {});

  static std::string Sha256Hex(std::string_view data);

 private:
  const std::string& AmzDate();

  std::string host_;
  std::string access_key_id_;
  std::string secret_key_;
  std::string region_;
  std::string amz_date_;
  std::chrono::system_clock::time_point amz_date_second_;
};

}  // namespace tidepool::bench

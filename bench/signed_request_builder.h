// SignedRequestBuilder: AWS requests signed with SigV4 as an AWS SDK would send them: JSON
// protocols (POST /, X-Amz-Target; Kinesis JSON 1.1, SQS JSON 1.0) and the query protocol
// (POST / with a form body carrying Action=...; SNS).
// Not thread-safe (it caches the current X-Amz-Date): one builder per event loop.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>

namespace tidepool::bench {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// How a service is reached: its SigV4 signing name, the request content type and, for JSON
// protocols, the X-Amz-Target prefix. An empty prefix means the query protocol: no target
// header; the body is a form that names the Action itself.
struct WireProtocol {
  std::string_view signing_name;
  std::string_view content_type;
  std::string_view target_prefix;
};
inline constexpr WireProtocol kKinesisWire{"kinesis", "application/x-amz-json-1.1",
                                           "Kinesis_20131202"};
inline constexpr WireProtocol kSqsWire{"sqs", "application/x-amz-json-1.0", "AmazonSQS"};
inline constexpr WireProtocol kSnsWire{"sns", "application/x-www-form-urlencoded", ""};
inline constexpr WireProtocol kDynamoDbWire{"dynamodb", "application/x-amz-json-1.0",
                                            "DynamoDB_20120810"};

// Replaces `out` with `request` as written on the wire: request line, fields in order, blank
// line, body (prepare_payload() has set Content-Length). Sending these bytes costs the
// generator far less than Beast's serializer, which walked a buffers_cat_view of every field.
void SerializeRequest(const HttpRequest& request, std::string* out);

class SignedRequestBuilder {
 public:
  // `host` is the Host header value ("127.0.0.1:4566").
  SignedRequestBuilder(std::string host, std::string access_key_id, std::string secret_key,
                       std::string region);

  // A signed request for Kinesis_20131202.<operation>. `payload_hash` is the hex SHA-256 of
  // `body` when the caller has it already (for bodies sent many times), else empty.
  HttpRequest Build(std::string_view operation, std::string body,
                    std::string_view payload_hash = {});
  // The same for any service: `operation` names the X-Amz-Target operation of a JSON protocol
  // and is ignored for the query protocol (the form body carries Action=...).
  HttpRequest Build(const WireProtocol& wire, std::string_view operation, std::string body,
                    std::string_view payload_hash = {});

  static std::string Sha256Hex(std::string_view data);
  // `value` percent-encoded for an application/x-www-form-urlencoded body (RFC 3986
  // unreserved characters kept, everything else %XX).
  static std::string FormEncode(std::string_view value);

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

#include "protocol/http/common_request_parser.h"

#include <gtest/gtest.h>

#include <boost/beast/http/parser.hpp>

#include <string>
#include <vector>

namespace tidepool::protocol::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr uint32_t kHeaderLimit = 64 * 1024;
constexpr uint64_t kBodyLimit = 1024 * 1024;

struct BeastResult {
  bool done = false;
  size_t used = 0;
  HttpRequest request;
};

BeastResult ParseWithBeast(std::string_view in, uint32_t header_limit, uint64_t body_limit) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(header_limit);
  parser.body_limit(body_limit);
  parser.eager(true);
  boost::system::error_code ec;
  BeastResult result;
  result.used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
  result.done = !ec && parser.is_done();
  if (result.done) result.request = parser.release();
  return result;
}

std::vector<std::string> FieldLines(const HttpRequest& request) {
  std::vector<std::string> out;
  for (const auto& field : request) {
    out.push_back(std::string(field.name_string()) + "=" + std::string(field.value()));
  }
  return out;
}

// Parses `in` with both parsers and expects the common one to accept it with Beast's result.
void ExpectSameAsBeast(std::string_view in, uint32_t header_limit = kHeaderLimit,
                       uint64_t body_limit = kBodyLimit) {
  SCOPED_TRACE(std::string(in));
  HttpRequest fast;
  size_t used = ParseCommonRequest(in, header_limit, body_limit, &fast);
  BeastResult beast = ParseWithBeast(in, header_limit, body_limit);
  ASSERT_TRUE(beast.done);
  ASSERT_EQ(used, beast.used);
  EXPECT_EQ(fast.method(), beast.request.method());
  EXPECT_EQ(fast.method_string(), beast.request.method_string());
  EXPECT_EQ(fast.target(), beast.request.target());
  EXPECT_EQ(fast.version(), beast.request.version());
  EXPECT_EQ(fast.keep_alive(), beast.request.keep_alive());
  EXPECT_EQ(fast.body(), beast.request.body());
  EXPECT_EQ(FieldLines(fast), FieldLines(beast.request));
}

void ExpectDeclined(std::string_view in, uint32_t header_limit = kHeaderLimit,
                    uint64_t body_limit = kBodyLimit) {
  HttpRequest fast;
  EXPECT_EQ(ParseCommonRequest(in, header_limit, body_limit, &fast), 0u) << in;
}

TEST(CommonRequestParserTest, SdkRequestsParseLikeBeast) {
  ExpectSameAsBeast(
      "POST / HTTP/1.1\r\nHost: 127.0.0.1:4566\r\nContent-Type: application/x-amz-json-1.1\r\n"
      "X-Amz-Target: Kinesis_20131202.PutRecord\r\nAuthorization: AWS4-HMAC-SHA256 "
      "Credential=AKID/20261122/us-east-1/kinesis/aws4_request, SignedHeaders=host, "
      "Signature=abc\r\nContent-Length: 16\r\n\r\n{\"StreamName\":1}");
  ExpectSameAsBeast("GET /q?Action=List&x=%20 HTTP/1.1\r\nHost: x\r\n\r\n");
  ExpectSameAsBeast("HEAD /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ExpectSameAsBeast("DELETE /x HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  // Whitespace around values is trimmed, inner whitespace (HTAB too) kept, empty values kept.
  ExpectSameAsBeast("GET / HTTP/1.1\r\nX-A:  one\t two \t\r\nX-Empty:\r\nX-Blank:   \r\n\r\n");
  // Repeated fields keep their order and spelling.
  ExpectSameAsBeast("GET / HTTP/1.1\r\nx-amz-meta-a: 1\r\nHOST: h\r\nX-Amz-Meta-A: 2\r\n\r\n");
}

TEST(CommonRequestParserTest, StopsAtTheEndOfTheFirstRequest) {
  std::string two =
      "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  HttpRequest first;
  size_t used = ParseCommonRequest(two, kHeaderLimit, kBodyLimit, &first);
  EXPECT_EQ(used, std::string_view("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc").size());
  EXPECT_EQ(first.body(), "abc");
  ExpectSameAsBeast(two);
  ExpectSameAsBeast(std::string_view(two).substr(used));
}

TEST(CommonRequestParserTest, LimitsMatchBeastAtTheBoundary) {
  std::string request = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody";
  uint32_t header_size = static_cast<uint32_t>(request.size() - 4);
  ExpectSameAsBeast(request, header_size, 4);
  ExpectDeclined(request, header_size - 1, 4);
  ExpectDeclined(request, header_size, 3);
  EXPECT_FALSE(ParseWithBeast(request, header_size, 3).done);  // Beast answers body_limit
}

TEST(CommonRequestParserTest, DeclinesWhatItDoesNotInterpret) {
  // Incomplete.
  ExpectDeclined("");
  ExpectDeclined("GET / HTTP/1.1\r\nHost: x\r\n");
  ExpectDeclined("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort");
  // Framing and connection fields it leaves to Beast.
  ExpectDeclined("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  ExpectDeclined("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na");
  ExpectDeclined("POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\na");
  ExpectDeclined("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\na");
  ExpectDeclined("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n");
  ExpectDeclined("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\n\r\n");
  ExpectDeclined("GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n");
  ExpectDeclined("GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n");
  // Syntax outside the common shape (Beast accepts some of these, rejects others).
  ExpectDeclined("GET / HTTP/1.1\r\nX-Folded: a\r\n b\r\n\r\n");
  ExpectDeclined("GET / HTTP/1.1\r\nX-Latin: caf\xc3\xa9\r\n\r\n");
  ExpectDeclined("GET / HTTP/1.1\nHost: x\n\n");
  ExpectDeclined("GET / HTTP/1.1\r\nHost : x\r\n\r\n");
  ExpectDeclined("GET / HTTP/1.1\r\nNoColon\r\n\r\n");
  ExpectDeclined("GET / HTTP/1.1\r\n: empty-name\r\n\r\n");
  ExpectDeclined("GET / HTTP/2.0\r\n\r\n");
  ExpectDeclined("GET / HTTP/1.1 \r\n\r\n");
  ExpectDeclined("GET  / HTTP/1.1\r\n\r\n");
  ExpectDeclined("BREW / HTTP/1.1\r\n\r\n");  // not a verb Beast knows
  ExpectDeclined("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
}

}  // namespace
}  // namespace tidepool::protocol::http

#include "main/reconcile.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <cstdio>

namespace tidepool::cli {
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

// "http://host:port" -> host, port.
bool SplitEndpoint(const std::string& endpoint, std::string* host, std::string* port) {
  std::string rest = endpoint;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const size_t colon = rest.rfind(':');
  if (rest.empty()) return false;
  *host = colon == std::string::npos ? rest : rest.substr(0, colon);
  *port = colon == std::string::npos ? "80" : rest.substr(colon + 1);
  return !host->empty();
}

}  // namespace

int RunReconcile(const ReconcileOptions& options) {
  std::string host, port;
  if (!SplitEndpoint(options.endpoint, &host, &port)) {
    std::fprintf(stderr, "tidepool reconcile: cannot read --endpoint %s\n",
                 options.endpoint.c_str());
    return 2;
  }
  const std::string arn = options.stream.rfind("arn:", 0) == 0
                              ? options.stream
                              : "arn:aws:kinesis:" + options.region + ":" + options.account +
                                    ":stream/" + options.stream;
  std::string body;
  unsigned status = 0;
  try {
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    boost::beast::tcp_stream stream(io);
    stream.connect(resolver.resolve(host, port));
    http::request<http::empty_body> request{
        http::verb::get,
        "/_tidepool/reconcile?stream=" + boost::urls::encode(arn, boost::urls::unreserved_chars),
        11};
    request.set(http::field::host, host);
    http::write(stream, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    status = response.result_int();
    body = std::move(response.body());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tidepool reconcile: cannot reach %s: %s\n", options.endpoint.c_str(),
                 e.what());
    return 2;
  }
  boost::system::error_code ec;
  json::value report = json::parse(body, ec);
  if (status != 200 || ec || !report.is_object()) {
    std::fprintf(stderr, "tidepool reconcile: %u %s\n", status, body.c_str());
    return 2;
  }
  const bool complete = report.at("complete").as_bool();
  if (options.json) {
    std::printf("%s\n", body.c_str());
    return complete ? 0 : 1;
  }
  std::printf("stream %s: %lld records\n", json::value_to<std::string>(report.at("stream")).c_str(),
              static_cast<long long>(report.at("records").to_number<int64_t>()));
  const json::array& mappings = report.at("mappings").as_array();
  if (mappings.empty()) std::printf("  no event source mapping reads this stream\n");
  for (const auto& m : mappings) {
    std::printf("  mapping %s -> %s%s\n", json::value_to<std::string>(m.at("uuid")).c_str(),
                json::value_to<std::string>(m.at("function")).c_str(),
                m.at("enabled").as_bool() ? "" : " (disabled)");
    for (const auto& s : m.at("shards").as_array()) {
      const json::array& pending = s.at("pending").as_array();
      std::printf(
          "    %s: %lld records: %lld delivered, %lld filtered, %lld expired, %lld on-failure, "
          "%lld dropped, %zu not yet\n",
          json::value_to<std::string>(s.at("shard")).c_str(),
          static_cast<long long>(s.at("records").to_number<int64_t>()),
          static_cast<long long>(s.at("delivered").to_number<int64_t>()),
          static_cast<long long>(s.at("filtered").to_number<int64_t>()),
          static_cast<long long>(s.at("expired").to_number<int64_t>()),
          static_cast<long long>(s.at("on_failure").to_number<int64_t>()),
          static_cast<long long>(s.at("dropped").to_number<int64_t>()), pending.size());
      for (const auto& seq : pending) {
        std::printf("      not yet: %s\n", json::value_to<std::string>(seq).c_str());
      }
    }
  }
  std::printf(complete ? "every record is accounted for\n"
                       : "some records have not reached an outcome\n");
  return complete ? 0 : 1;
}

}  // namespace tidepool::cli

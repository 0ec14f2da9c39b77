#include "main/local_http.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tidepool::cli {
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

Result<HttpAnswer> LocalGet(const std::string& endpoint, const std::string& target) {
  std::string host, port;
  if (!SplitEndpoint(endpoint, &host, &port)) {
    return Status::InvalidArgument("cannot read --endpoint " + endpoint);
  }
  try {
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    boost::beast::tcp_stream stream(io);
    stream.connect(resolver.resolve(host, port));
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, host);
    http::write(stream, request);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return HttpAnswer{response.result_int(), std::move(response.body())};
  } catch (const std::exception& e) {
    return Status::Unavailable("cannot reach " + endpoint + ": " + e.what());
  }
}

}  // namespace tidepool::cli

#include "setup_client.h"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <boost/beast/http.hpp>

namespace tidepool::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

HttpRequest JsonBodyRequest(http::verb method, std::string target, const std::string& host,
                            std::string body) {
  HttpRequest request(method, std::move(target), 11);
  request.set(http::field::host, host);
  request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}
using tcp = boost::asio::ip::tcp;

SetupClient::SetupClient(std::string host, uint16_t port, SignedRequestBuilder& builder)
    : host_(std::move(host)), port_(port), builder_(builder), socket_(io_) {}

void SetupClient::Connect() {
  beast::error_code ec;
  socket_.close(ec);
  socket_ = tcp::socket(io_);
  socket_.connect(tcp::endpoint(boost::asio::ip::make_address(host_), port_));
  socket_.set_option(tcp::no_delay(true));
}

std::string SetupClient::Send(std::string_view what, HttpRequest request) {
  if (!socket_.is_open()) Connect();
  http::response_parser<http::string_body> parser;
  parser.body_limit(256ull << 20);
  beast::error_code ec;
  http::write(socket_, request, ec);
  if (!ec) http::read(socket_, buffer_, parser, ec);
  if (ec) {
    socket_.close(ec);
    throw std::runtime_error(std::string(what) + ": " + ec.message());
  }
  auto& reply = parser.get();
  if (!reply.keep_alive()) socket_.close(ec);
  if (reply.result_int() / 100 != 2) {
    throw std::runtime_error(std::string(what) + ": HTTP " + std::to_string(reply.result_int()) +
                             " " + reply.body());
  }
  return std::move(reply.body());
}

json::object SetupClient::Call(std::string_view operation, const json::object& input,
                               const WireProtocol& wire) {
  std::string body = Send(operation, builder_.Build(wire, operation, json::serialize(input)));
  if (body.empty()) return {};
  return json::parse(body).as_object();
}

void SetupClient::EnsureStream(const std::string& name, int shards) {
  try {
    Call("CreateStream", {{"StreamName", name}, {"ShardCount", shards}});
  } catch (const std::runtime_error& e) {
    if (std::string_view(e.what()).find("ResourceInUseException") == std::string_view::npos) {
      throw;
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (true) {
    json::object summary = Call("DescribeStreamSummary", {{"StreamName", name}});
    if (summary["StreamDescriptionSummary"].as_object()["StreamStatus"] == "ACTIVE") return;
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error("stream " + name + " not ACTIVE after 30 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::vector<std::string> SetupClient::ShardIds(const std::string& name) {
  std::vector<std::string> ids;
  json::object page = Call("ListShards", {{"StreamName", name}});
  while (true) {
    for (const auto& shard : page["Shards"].as_array()) {
      ids.emplace_back(shard.as_object().at("ShardId").as_string());
    }
    auto* token = page.if_contains("NextToken");
    if (token == nullptr || !token->is_string()) return ids;
    page = Call("ListShards", {{"NextToken", token->as_string()}});
  }
}

}  // namespace tidepool::bench

#include "signed_request_builder.h"

#include <ctime>

#include "core/encoding.h"
#include "protocol/sigv4.h"

namespace tidepool::bench {

namespace http = boost::beast::http;

SignedRequestBuilder::SignedRequestBuilder(std::string host, std::string access_key_id,
                                           std::string secret_key, std::string region)
    : host_(std::move(host)),
      access_key_id_(std::move(access_key_id)),
      secret_key_(std::move(secret_key)),
      region_(std::move(region)) {}

std::string SignedRequestBuilder::Sha256Hex(std::string_view data) {
  return HexEncode(Sha256(data));
}

const std::string& SignedRequestBuilder::AmzDate() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (amz_date_.empty() || now != amz_date_second_) {
    amz_date_second_ = now;
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
    amz_date_ = buf;
  }
  return amz_date_;
}

HttpRequest SignedRequestBuilder::Build(std::string_view operation, std::string body,
                                        std::string_view payload_hash) {
  return Build(kKinesisWire, operation, std::move(body), payload_hash);
}

HttpRequest SignedRequestBuilder::Build(const WireProtocol& wire, std::string_view operation,
                                        std::string body, std::string_view payload_hash) {
  std::string target;
  if (!wire.target_prefix.empty()) {
    target = std::string(wire.target_prefix) + "." + std::string(operation);
  }

  protocol::sigv4::CanonicalInput input;
  input.method = "POST";
  input.path = "/";
  input.query = "";
  input.headers = {{"host", host_}, {"content-type", wire.content_type}};
  if (!target.empty()) input.headers.emplace_back("x-amz-target", target);
  input.payload_hash = payload_hash.empty() ? Sha256Hex(body) : std::string(payload_hash);
  auto signed_headers = protocol::sigv4::SignRequest(input, access_key_id_, secret_key_, region_,
                                                     wire.signing_name, AmzDate());

  HttpRequest req{http::verb::post, "/", 11};
  req.set(http::field::host, host_);
  req.set(http::field::content_type, wire.content_type);
  if (!target.empty()) req.set("X-Amz-Target", target);
  req.set(http::field::user_agent, "tidepool-bench");
  for (const auto& [name, value] : signed_headers) req.set(name, value);
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

void SerializeRequest(const HttpRequest& request, std::string* out) {
  out->clear();
  out->reserve(512 + request.body().size());
  out->append(request.method_string()).push_back(' ');
  out->append(request.target()).append(" HTTP/1.1\r\n");
  for (const auto& field : request) {
    out->append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  }
  out->append("\r\n").append(request.body());
}

std::string SignedRequestBuilder::FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '-' ||
        u == '_' || u == '.' || u == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    }
  }
  return out;
}

}  // namespace tidepool::bench

// libFuzzer target for the REST route table (protocol/rest/rest_routes.h) and the rest-json
// codec (protocol/codec/rest_json_codec.h), on the Lambda model. Input: lines
//   METHOD TARGET\n (header: value\n)* \n body
// The target is routed; a match is decoded; a decoded input is encoded back as the operation's
// output shape would be (exercising the encoder), and every error must encode.
#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/codec/rest_json_codec.h"
#include "protocol/http/query_string.h"
#include "protocol/model/models.h"
#include "protocol/rest/rest_routes.h"

namespace protocol = tidepool::protocol;
namespace bhttp = boost::beast::http;

namespace {

class ModelOnly : public protocol::Service {
 public:
  std::string_view Name() const override { return "lambda"; }
  const protocol::model::ServiceModel& Model() const override {
    return protocol::model::LambdaModel();
  }
  void Invoke(protocol::CallPtr) override {}
  boost::json::object Health() const override { return {}; }
};

const protocol::RestRouteTable& Table() {
  static ModelOnly service;
  static protocol::RestRouteTable* table = [] {
    auto* t = new protocol::RestRouteTable;
    (void)t->AddService(service);
    return t;
  }();
  return *table;
}

std::string_view NextLine(std::string_view& in) {
  size_t nl = in.find('\n');
  std::string_view line = in.substr(0, nl);
  in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view first = NextLine(in);
  size_t sp = first.find(' ');
  if (sp == std::string_view::npos) return 0;
  bhttp::verb method = bhttp::string_to_verb(first.substr(0, sp));
  if (method == bhttp::verb::unknown) return 0;
  std::string target(first.substr(sp + 1));
  protocol::http::HttpRequest request(method, target, 11);
  for (std::string_view line = NextLine(in); !line.empty(); line = NextLine(in)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view name = line.substr(0, colon);
    if (name.find_first_of(" \t\r") != std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (value.find_first_of("\r\n") != std::string_view::npos) continue;
    request.set(name, value);
  }
  request.body() = std::string(in);
  auto [path, query] = protocol::http::SplitTarget(target);
  protocol::RestMatch match = Table().Match(method, path, query, "lambda");
  if (match.service == nullptr) return 0;
  const auto& model = protocol::model::LambdaModel();
  auto decoded = protocol::rest_json_codec::DecodeRequest(model, *match.operation, match.labels,
                                                          query, request);
  if (auto* error = std::get_if<protocol::AwsError>(&decoded)) {
    (void)protocol::rest_json_codec::EncodeError(model, *error);
    return 0;
  }
  (void)protocol::rest_json_codec::EncodeResponse(model, *match.operation,
                                                  std::get<boost::json::object>(decoded));
  return 0;
}

// libFuzzer target: arbitrary bytes through the HTTP/1.1 request parser with the server's limits,
// then every complete request through the Router (accept-any and strict modes) in front of a
// stub JSON service. Checks that each request is answered exactly once with a well-formed
// response carrying a request id. Also checks the server's common-shape parser
// (ParseCommonRequest) differentially: whatever it accepts, Beast's parser must accept with the
// same limits, spanning the same bytes and producing the same message.
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/parser.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/clock.h"
#include "protocol/http/common_request_parser.h"
#include "protocol/router.h"

using namespace tidepool;
using namespace tidepool::protocol;
namespace bhttp = boost::beast::http;

namespace {

constexpr model::Member kMembers[] = {
    {.name = "Name", .shape = 1, .required = true},
    {.name = "Count", .shape = 2, .required = false},
};
constexpr model::Shape kShapes[] = {
    {.name = "PutInput",
     .type = model::ShapeType::kStructure,
     .min = model::kNoLimit,
     .max = model::kNoLimit,
     .members_begin = 0,
     .members_count = 2,
     .member = model::kNoShape,
     .key = model::kNoShape},
    {.name = "Name",
     .type = model::ShapeType::kString,
     .min = 1,
     .max = 16,
     .member = model::kNoShape,
     .key = model::kNoShape},
    {.name = "Count",
     .type = model::ShapeType::kInteger,
     .min = 0,
     .max = 10,
     .member = model::kNoShape,
     .key = model::kNoShape},
};
constexpr model::Operation kOperations[] = {
    {.name = "Get",
     .http_method = "POST",
     .request_uri = "/",
     .http_status = 200,
     .input = model::kNoShape,
     .output = model::kNoShape},
    {.name = "Put",
     .http_method = "POST",
     .request_uri = "/",
     .http_status = 200,
     .input = 0,
     .output = 0},
};
constexpr model::Protocol kProtocols[] = {model::Protocol::kJson};
const model::ServiceModel kModel{.service_id = "Fuzz",
                                 .endpoint_prefix = "fuzz",
                                 .signing_name = "fuzz",
                                 .api_version = "2020-01-01",
                                 .target_prefix = "Fuzz_20200101",
                                 .json_version = "1.0",
                                 .xml_namespace = "",
                                 .protocol = model::Protocol::kJson,
                                 .protocols = kProtocols,
                                 .shapes = kShapes,
                                 .members = kMembers,
                                 .enum_values = {},
                                 .operations = kOperations,
                                 .operation_errors = {}};

class StubService : public Service {
 public:
  std::string_view Name() const override { return "fuzz"; }
  const model::ServiceModel& Model() const override { return kModel; }
  boost::json::object Health() const override { return {}; }
  void Invoke(CallPtr call) override {
    if (call->input().contains("Count")) return call->Fail({"Boom", "boom", 400, true, {}});
    call->Reply(call->input());
  }
};

struct Routers {
  StubService service;
  FakeClock clock{1'700'000'000'000'000};
  Router accept_any{RouterOptions{}};
  Router strict{[this] {
    RouterOptions o;
    o.auth_mode = AuthMode::kStrict;
    o.credentials["AKIDFUZZ"] = AccessKey{"secret", "123456789012"};
    o.clock = &clock;
    return o;
  }()};
  Routers() {
    (void)accept_any.AddService(service);
    (void)strict.AddService(service);
    (void)accept_any.AddInternalRoute(
        bhttp::verb::get, "/_tidepool/health",
        [](http::HttpRequest&&, const RequestContext&, http::Responder r) {
          r(http::HttpResponse(bhttp::status::ok, 11));
        });
  }
};

bool SameFields(const http::HttpRequest& a, const http::HttpRequest& b) {
  auto i = a.begin();
  auto j = b.begin();
  for (; i != a.end() && j != b.end(); ++i, ++j) {
    if (i->name() != j->name() || i->name_string() != j->name_string() ||
        i->value() != j->value()) {
      return false;
    }
  }
  return i == a.end() && j == b.end();
}

void CheckCommonParser(std::string_view in, uint32_t header_limit, uint64_t body_limit) {
  http::HttpRequest fast;
  size_t used = http::ParseCommonRequest(in, header_limit, body_limit, &fast);
  if (used == 0) return;  // declined: the server hands these bytes to Beast
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(header_limit);
  parser.body_limit(body_limit);
  parser.eager(true);
  boost::system::error_code ec;
  size_t beast_used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
  if (ec || !parser.is_done() || beast_used != used) __builtin_trap();
  const http::HttpRequest& slow = parser.get();
  if (fast.method() != slow.method() || fast.method_string() != slow.method_string() ||
      fast.target() != slow.target() || fast.version() != slow.version() ||
      fast.body() != slow.body() || fast.keep_alive() != slow.keep_alive() ||
      !SameFields(fast, slow)) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Routers* routers = new Routers();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  // Several pipelined requests may share one input, as on a keep-alive connection.
  while (!in.empty()) {
    CheckCommonParser(in, 64 * 1024, 1024 * 1024);
    // Small limits too, derived from the input, so that both boundaries get exercised.
    CheckCommonParser(in, static_cast<uint32_t>(16 + in.size() % 512), in.size() % 97);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    boost::system::error_code ec;
    size_t used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
    if (!ec && !parser.is_done()) {
      parser.put_eof(ec);
    }
    if (ec || !parser.is_done() || used == 0) return 0;
    in.remove_prefix(used);
    const Router& router = (used & 1) ? routers->strict : routers->accept_any;
    int answers = 0;
    router.Handle(parser.release(), http::Responder::FromFunction([&](http::HttpResponse&& r) {
                    ++answers;
                    if (r["x-amzn-RequestId"].size() != 36) __builtin_trap();
                    if (r.result_int() < 200 || r.result_int() > 599) __builtin_trap();
                  }));
    // The stub service answers synchronously, so every request is answered by now.
    if (answers != 1) __builtin_trap();
  }
  return 0;
}

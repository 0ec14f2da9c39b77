#include "protocol/router.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/encoding.h"
#include "protocol/sigv4.h"

namespace tidepool::protocol {
namespace {

namespace bhttp = boost::beast::http;
using http::HttpRequest;
using http::HttpResponse;
using http::Responder;
using model::kNoLimit;
using model::kNoShape;
using model::ShapeType;

// A tiny hand-written JSON 1.1 service: ListThings {Limit?} -> {Names}, PutThing {Name} -> {}.
constexpr model::Member kMembers[] = {
    {.name = "Limit", .shape = 2, .required = false},    // 0: ListThingsInput
    {.name = "Names", .shape = 3, .required = false},    // 1: ListThingsOutput
    {.name = "Name", .shape = 4, .required = true},      // 2: PutThingInput
    {.name = "message", .shape = 4, .required = false},  // 3: ResourceNotFoundException
};
constexpr model::Shape kShapes[] = {
    {.name = "ListThingsInput",
     .type = ShapeType::kStructure,
     .min = kNoLimit,
     .max = kNoLimit,
     .members_begin = 0,
     .members_count = 1,
     .member = kNoShape,
     .key = kNoShape},
    {.name = "ListThingsOutput",
     .type = ShapeType::kStructure,
     .min = kNoLimit,
     .max = kNoLimit,
     .members_begin = 1,
     .members_count = 1,
     .member = kNoShape,
     .key = kNoShape},
    {.name = "Limit",
     .type = ShapeType::kInteger,
     .min = 1,
     .max = 100,
     .member = kNoShape,
     .key = kNoShape},
    {.name = "NameList",
     .type = ShapeType::kList,
     .min = kNoLimit,
     .max = kNoLimit,
     .member = 4,
     .key = kNoShape},
    {.name = "Name",
     .type = ShapeType::kString,
     .min = 1,
     .max = 64,
     .member = kNoShape,
     .key = kNoShape},
    {.name = "PutThingInput",
     .type = ShapeType::kStructure,
     .min = kNoLimit,
     .max = kNoLimit,
     .members_begin = 2,
     .members_count = 1,
     .member = kNoShape,
     .key = kNoShape},
    {.name = "ResourceNotFoundException",
     .type = ShapeType::kStructure,
     .min = kNoLimit,
     .max = kNoLimit,
     .members_begin = 3,
     .members_count = 1,
     .member = kNoShape,
     .key = kNoShape,
     .exception = true},
};
constexpr model::Operation kOperations[] = {
    {.name = "ListThings",
     .http_method = "POST",
     .request_uri = "/",
     .http_status = 200,
     .input = 0,
     .output = 1},
    {.name = "PutThing",
     .http_method = "POST",
     .request_uri = "/",
     .http_status = 200,
     .input = 5,
     .output = kNoShape},
};
constexpr model::Protocol kProtocols[] = {model::Protocol::kJson};

const model::ServiceModel& ThingsModel() {
  static const model::ServiceModel m{.service_id = "Things",
                                     .endpoint_prefix = "things",
                                     .signing_name = "things",
                                     .api_version = "2020-01-01",
                                     .target_prefix = "Things_20200101",
                                     .json_version = "1.1",
                                     .xml_namespace = "",
                                     .protocol = model::Protocol::kJson,
                                     .protocols = kProtocols,
                                     .shapes = kShapes,
                                     .members = kMembers,
                                     .enum_values = {},
                                     .operations = kOperations,
                                     .operation_errors = {}};
  return m;
}

// Records each call's context; ListThings answers from a worker thread when `async`.
class ThingsService : public Service {
 public:
  std::string_view Name() const override { return "things"; }
  const model::ServiceModel& Model() const override { return ThingsModel(); }
  boost::json::object Health() const override { return {{"status", "running"}}; }
  void Invoke(CallPtr call) override {
    {
      std::lock_guard lock(mu_);
      contexts_.push_back(call->context());
      inputs_.push_back(call->input());
    }
    if (call->operation().name == "PutThing") {
      return call->Fail(AwsError{"ResourceNotFoundException", "Thing x not found", 400, true, {}});
    }
    boost::json::object out{{"Names", boost::json::array{"a", "b"}}};
    if (async) {
      std::lock_guard lock(mu_);
      workers_.emplace_back([call, out] { call->Reply(out); });
      return;
    }
    call->Reply(out);
  }
  ~ThingsService() override {
    for (auto& t : workers_) t.join();
  }
  RequestContext LastContext() {
    std::lock_guard lock(mu_);
    return contexts_.empty() ? RequestContext{} : contexts_.back();
  }
  size_t calls() {
    std::lock_guard lock(mu_);
    return contexts_.size();
  }
  bool async = false;

 private:
  std::mutex mu_;
  std::vector<RequestContext> contexts_;
  std::vector<boost::json::object> inputs_;
  std::vector<std::thread> workers_;
};

HttpResponse Send(const Router& router, HttpRequest request) {
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  auto future = promise->get_future();
  router.Handle(std::move(request), Responder::FromFunction([promise](HttpResponse&& r) {
                  promise->set_value(std::move(r));
                }));
  if (future.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    ADD_FAILURE() << "no response";
    return HttpResponse(bhttp::status::gateway_timeout, 11);
  }
  return future.get();
}

HttpRequest JsonRequest(std::string target, std::string body = "{}") {
  HttpRequest r(bhttp::verb::post, "/", 11);
  r.set(bhttp::field::host, "localhost:4566");
  r.set(bhttp::field::content_type, "application/x-amz-json-1.1");
  if (!target.empty()) r.set("X-Amz-Target", target);
  r.body() = std::move(body);
  return r;
}

// Signs `r` in place like an SDK would.
void Sign(HttpRequest& r, std::string_view key, std::string_view secret, std::string_view region,
          std::string_view amz_date) {
  std::string target(r.target());
  size_t q = target.find('?');
  sigv4::CanonicalInput input;
  std::string method(r.method_string());
  input.method = method;
  input.path = std::string_view(target).substr(0, q);
  input.query = q == std::string::npos ? "" : std::string_view(target).substr(q + 1);
  for (const auto& f : r) input.headers.emplace_back(f.name_string(), f.value());
  input.payload_hash = HexEncode(Sha256(r.body()));
  auto added = sigv4::SignRequest(input, key, secret, region, "things", amz_date);
  for (const auto& [k, v] : added) r.set(k, v);
}

boost::json::object Body(const HttpResponse& r) { return boost::json::parse(r.body()).as_object(); }

// FakeClock's default start, 1'700'000'000 s after the epoch.
constexpr std::string_view kNow = "20231114T221320Z";

class RouterTest : public ::testing::Test {
 protected:
  std::unique_ptr<Router> MakeRouter(RouterOptions options = {}) {
    options.clock = &clock_;
    auto router = std::make_unique<Router>(std::move(options));
    EXPECT_TRUE(router->AddService(service_).ok());
    return router;
  }

  FakeClock clock_;
  ThingsService service_;
};

TEST_F(RouterTest, DispatchesByTargetAndAnswersInJson11) {
  auto router = MakeRouter();
  HttpResponse r = Send(*router, JsonRequest("Things_20200101.ListThings", R"({"Limit":5})"));
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[bhttp::field::content_type], "application/x-amz-json-1.1");
  EXPECT_EQ(Body(r), (boost::json::object{{"Names", boost::json::array{"a", "b"}}}));
  std::string id(r["x-amzn-RequestId"]);
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[8], '-');
  EXPECT_EQ(id[13], '-');
  EXPECT_EQ(id[14], '4');                                                    // version 4
  EXPECT_NE(std::string_view("89ab").find(id[19]), std::string_view::npos);  // RFC 4122 variant
  EXPECT_EQ(service_.LastContext().request_id, id);
  EXPECT_EQ(service_.calls(), 1u);

  HttpResponse r2 = Send(*router, JsonRequest("Things_20200101.ListThings"));
  EXPECT_NE(r2["x-amzn-RequestId"], id);
}

TEST_F(RouterTest, CompletesFromAnotherThread) {
  service_.async = true;
  auto router = MakeRouter();
  HttpResponse r = Send(*router, JsonRequest("Things_20200101.ListThings"));
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(Body(r).at("Names").as_array().size(), 2u);
}

TEST_F(RouterTest, UnknownOperationsAndTargets) {
  auto router = MakeRouter();
  for (std::string target : {"Things_20200101.Nope", "Other_20200101.ListThings", "Things_20200101",
                             "Things_20200101.", "garbage"}) {
    HttpResponse r = Send(*router, JsonRequest(target));
    EXPECT_EQ(r.result_int(), 400) << target;
    EXPECT_EQ(r["x-amzn-ErrorType"], "UnknownOperationException") << target;
    EXPECT_EQ(Body(r).at("__type").as_string(), "UnknownOperationException") << target;
    EXPECT_EQ(r["x-amzn-RequestId"].size(), 36u);
  }
  // A JSON POST without any target.
  HttpResponse r = Send(*router, JsonRequest(""));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(r["x-amzn-ErrorType"], "UnknownOperationException");
  EXPECT_EQ(service_.calls(), 0u);
}

TEST_F(RouterTest, ServiceErrorsCarryTypeHeaderAndStatus) {
  auto router = MakeRouter();
  HttpResponse r = Send(*router, JsonRequest("Things_20200101.PutThing", R"({"Name":"x"})"));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(r["x-amzn-ErrorType"], "ResourceNotFoundException");
  EXPECT_EQ(r[bhttp::field::content_type], "application/x-amz-json-1.1");
  auto body = Body(r);
  EXPECT_EQ(body.at("__type").as_string(), "ResourceNotFoundException");
  EXPECT_EQ(body.at("message").as_string(), "Thing x not found");
}

TEST_F(RouterTest, InputIsValidatedBeforeTheService) {
  auto router = MakeRouter();
  HttpResponse r = Send(*router, JsonRequest("Things_20200101.PutThing", "{}"));
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_EQ(r["x-amzn-ErrorType"], "ValidationException");
  HttpResponse bad = Send(*router, JsonRequest("Things_20200101.PutThing", "{not json"));
  EXPECT_EQ(bad.result_int(), 400);
  EXPECT_EQ(bad["x-amzn-ErrorType"], "SerializationException");
  EXPECT_EQ(service_.calls(), 0u);
}

TEST_F(RouterTest, AccountRegionAndHostDerivation) {
  RouterOptions options;
  options.default_account = "111111111111";
  options.default_region = "ap-southeast-2";
  options.credentials["AKIAMAPPED"] = AccessKey{"s", "222222222222"};
  auto router = MakeRouter(options);

  Send(*router, JsonRequest("Things_20200101.ListThings"));
  RequestContext c = service_.LastContext();
  EXPECT_EQ(c.account_id, "111111111111");
  EXPECT_EQ(c.region, "ap-southeast-2");
  EXPECT_EQ(c.host, "localhost:4566");
  EXPECT_EQ(c.access_key_id, "");

  HttpRequest r = JsonRequest("Things_20200101.ListThings");
  Sign(r, "123456789012", "anything", "eu-west-2", kNow);
  EXPECT_EQ(Send(*router, std::move(r)).result_int(), 200);
  c = service_.LastContext();
  EXPECT_EQ(c.account_id, "123456789012");
  EXPECT_EQ(c.region, "eu-west-2");
  EXPECT_EQ(c.access_key_id, "123456789012");

  HttpRequest mapped = JsonRequest("Things_20200101.ListThings");
  Sign(mapped, "AKIAMAPPED", "wrong secret is fine in accept-any mode", "us-west-1", kNow);
  EXPECT_EQ(Send(*router, std::move(mapped)).result_int(), 200);
  EXPECT_EQ(service_.LastContext().account_id, "222222222222");

  HttpRequest other = JsonRequest("Things_20200101.ListThings");
  Sign(other, "AKIAOTHER", "x", "us-west-1", kNow);
  EXPECT_EQ(Send(*router, std::move(other)).result_int(), 200);
  EXPECT_EQ(service_.LastContext().account_id, "111111111111");
}

TEST_F(RouterTest, MalformedAuthorizationFailsEvenInAcceptAnyMode) {
  auto router = MakeRouter();
  HttpRequest r = JsonRequest("Things_20200101.ListThings");
  r.set(bhttp::field::authorization, "foo");
  HttpResponse resp = Send(*router, std::move(r));
  EXPECT_EQ(resp.result_int(), 400);
  EXPECT_EQ(resp["x-amzn-ErrorType"], "IncompleteSignatureException");
  EXPECT_EQ(Body(resp).at("message").as_string(),
            "Authorization header requires 'Credential' parameter. Authorization header requires "
            "'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. Authorization=foo");

  HttpRequest no_date = JsonRequest("Things_20200101.ListThings");
  no_date.set(bhttp::field::authorization,
              "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/things/aws4_request, "
              "SignedHeaders=host, Signature=abcd");
  resp = Send(*router, std::move(no_date));
  EXPECT_EQ(resp["x-amzn-ErrorType"], "IncompleteSignatureException");
  EXPECT_EQ(Body(resp).at("message").as_string(),
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/things/"
            "aws4_request, SignedHeaders=host, Signature=abcd");
  EXPECT_EQ(service_.calls(), 0u);
}

class StrictRouterTest : public RouterTest {
 protected:
  std::unique_ptr<Router> MakeStrict() {
    RouterOptions options;
    options.auth_mode = AuthMode::kStrict;
    options.credentials["AKIDSTRICT"] = AccessKey{"s3cr3t", "123123123123"};
    return MakeRouter(options);
  }
  void ExpectError(const Router& router, HttpRequest r, std::string_view code,
                   std::string_view message) {
    HttpResponse resp = Send(router, std::move(r));
    EXPECT_EQ(resp.result_int(), 400);
    EXPECT_EQ(resp["x-amzn-ErrorType"], code);
    EXPECT_EQ(Body(resp).at("__type").as_string(), code);
    EXPECT_EQ(Body(resp).at("message").as_string(), message);
  }
};

TEST_F(StrictRouterTest, AcceptsAValidSignature) {
  auto router = MakeStrict();
  HttpRequest r = JsonRequest("Things_20200101.ListThings", R"({"Limit":3})");
  Sign(r, "AKIDSTRICT", "s3cr3t", "eu-central-1", kNow);
  HttpResponse resp = Send(*router, std::move(r));
  EXPECT_EQ(resp.result_int(), 200) << resp.body();
  EXPECT_EQ(service_.LastContext().account_id, "123123123123");
  EXPECT_EQ(service_.LastContext().region, "eu-central-1");
}

TEST_F(StrictRouterTest, RejectsEachFailureTheAwsWay) {
  auto router = MakeStrict();
  ExpectError(*router, JsonRequest("Things_20200101.ListThings"),
              "MissingAuthenticationTokenException", "Missing Authentication Token");

  HttpRequest unknown = JsonRequest("Things_20200101.ListThings");
  Sign(unknown, "AKIDUNKNOWN", "s3cr3t", "us-east-1", kNow);
  ExpectError(*router, std::move(unknown), "UnrecognizedClientException",
              "The security token included in the request is invalid.");

  HttpRequest wrong_secret = JsonRequest("Things_20200101.ListThings");
  Sign(wrong_secret, "AKIDSTRICT", "not-the-secret", "us-east-1", kNow);
  ExpectError(*router, std::move(wrong_secret), "InvalidSignatureException",
              "The request signature we calculated does not match the signature you provided. "
              "Check your AWS Secret Access Key and signing method. Consult the service "
              "documentation for details.");

  HttpRequest tampered = JsonRequest("Things_20200101.ListThings", R"({"Limit":3})");
  Sign(tampered, "AKIDSTRICT", "s3cr3t", "us-east-1", kNow);
  tampered.body() = R"({"Limit":4})";
  ExpectError(*router, std::move(tampered), "InvalidSignatureException",
              "The request signature we calculated does not match the signature you provided. "
              "Check your AWS Secret Access Key and signing method. Consult the service "
              "documentation for details.");

  HttpRequest old = JsonRequest("Things_20200101.ListThings");
  Sign(old, "AKIDSTRICT", "s3cr3t", "us-east-1", "20231114T215820Z");  // now - 15 min - 0 s: ok
  EXPECT_EQ(Send(*router, std::move(old)).result_int(), 200);
  HttpRequest expired = JsonRequest("Things_20200101.ListThings");
  Sign(expired, "AKIDSTRICT", "s3cr3t", "us-east-1", "20231114T215819Z");
  ExpectError(*router, std::move(expired), "InvalidSignatureException",
              "Signature expired: 20231114T215819Z is now earlier than 20231114T215820Z "
              "(20231114T221320Z - 15 min.)");
  HttpRequest future = JsonRequest("Things_20200101.ListThings");
  Sign(future, "AKIDSTRICT", "s3cr3t", "us-east-1", "20231114T222821Z");
  ExpectError(*router, std::move(future), "InvalidSignatureException",
              "Signature not yet current: 20231114T222821Z is still later than 20231114T222820Z "
              "(20231114T221320Z + 15 min.)");
}

// Keys issued while serving (IAM access keys, STS credentials) come from the lookup: their
// account in every mode; under strict mode their signature, session token and expiry.
TEST_F(StrictRouterTest, IssuedKeysNeedTheirSessionTokenUntilTheyExpire) {
  RouterOptions options;
  options.auth_mode = AuthMode::kStrict;
  const int64_t expires = clock_.NowMicros() + 60'000'000;
  options.credential_lookup = [expires](std::string_view id) -> std::optional<AccessKey> {
    if (id == "ASIAISSUEDISSUEDISS0") return AccessKey{"temp", "444455556666", "tok", expires};
    if (id == "AKIAISSUEDISSUEDISS0") return AccessKey{"long", "777788889999"};
    return std::nullopt;
  };
  auto router = MakeRouter(options);

  HttpRequest user = JsonRequest("Things_20200101.ListThings");
  Sign(user, "AKIAISSUEDISSUEDISS0", "long", "us-east-1", kNow);
  EXPECT_EQ(Send(*router, std::move(user)).result_int(), 200);
  EXPECT_EQ(service_.LastContext().account_id, "777788889999");

  HttpRequest session = JsonRequest("Things_20200101.ListThings");
  session.set("x-amz-security-token", "tok");
  Sign(session, "ASIAISSUEDISSUEDISS0", "temp", "us-east-1", kNow);
  EXPECT_EQ(Send(*router, std::move(session)).result_int(), 200);
  EXPECT_EQ(service_.LastContext().account_id, "444455556666");

  HttpRequest no_token = JsonRequest("Things_20200101.ListThings");
  Sign(no_token, "ASIAISSUEDISSUEDISS0", "temp", "us-east-1", kNow);
  ExpectError(*router, std::move(no_token), "UnrecognizedClientException",
              "The security token included in the request is invalid.");

  clock_.AdvanceSeconds(60);
  HttpRequest expired = JsonRequest("Things_20200101.ListThings");
  expired.set("x-amz-security-token", "tok");
  Sign(expired, "ASIAISSUEDISSUEDISS0", "temp", "us-east-1", "20231114T221420Z");
  ExpectError(*router, std::move(expired), "ExpiredTokenException",
              "The security token included in the request is expired");
}

TEST_F(StrictRouterTest, PresignedQueryForm) {
  auto router = MakeStrict();
  // Presign by hand: the signature covers the query without X-Amz-Signature.
  std::string query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDSTRICT%2F20231114%2Fus-east-1%2F"
      "things%2Faws4_request&X-Amz-Date=20231114T221320Z&X-Amz-Expires=60&X-Amz-SignedHeaders="
      "host";
  HttpRequest r = JsonRequest("Things_20200101.ListThings");
  sigv4::CanonicalInput input;
  input.method = "POST";
  input.path = "/";
  input.query = query;
  input.headers = {{"Host", "localhost:4566"}};
  input.payload_hash = HexEncode(Sha256("{}"));
  sigv4::Authorization auth;
  auth.date = "20231114";
  auth.region = "us-east-1";
  auth.service = "things";
  auth.amz_date = "20231114T221320Z";
  auth.signed_headers = {"host"};
  auth.presigned = true;
  std::string signature = sigv4::ComputeSignature(input, auth, "s3cr3t");
  r.target("/?" + query + "&X-Amz-Signature=" + signature);
  EXPECT_EQ(Send(*router, std::move(r)).result_int(), 200);

  HttpRequest bad = JsonRequest("Things_20200101.ListThings");
  bad.target("/?" + query + "&X-Amz-Signature=" + std::string(64, '0'));
  EXPECT_EQ(Send(*router, std::move(bad))["x-amzn-ErrorType"], "InvalidSignatureException");

  clock_.AdvanceSeconds(61);
  HttpRequest late = JsonRequest("Things_20200101.ListThings");
  late.target("/?" + query + "&X-Amz-Signature=" + signature);
  EXPECT_EQ(Send(*router, std::move(late))["x-amzn-ErrorType"], "InvalidSignatureException");

  HttpRequest both = JsonRequest("Things_20200101.ListThings");
  both.target("/?" + query + "&X-Amz-Signature=" + signature);
  both.set(bhttp::field::authorization, "AWS4-HMAC-SHA256 Credential=x");
  ExpectError(*router, std::move(both), "InvalidSignatureException",
              "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
              "header.");
}

TEST_F(RouterTest, InternalRoutes) {
  auto router = MakeRouter();
  ASSERT_TRUE(router
                  ->AddInternalRoute(bhttp::verb::get, "/_tidepool/health",
                                     [](HttpRequest&&, const RequestContext& ctx, Responder r) {
                                       HttpResponse resp(bhttp::status::ok, 11);
                                       resp.body() = "healthy " + ctx.account_id;
                                       r(std::move(resp));
                                     })
                  .ok());
  ASSERT_TRUE(router
                  ->AddInternalRoute(bhttp::verb::get, "/_tidepool/files/*",
                                     [](HttpRequest&& req, const RequestContext&, Responder r) {
                                       HttpResponse resp(bhttp::status::ok, 11);
                                       resp.body() = std::string(req.target());
                                       r(std::move(resp));
                                     })
                  .ok());
  EXPECT_EQ(router->AddInternalRoute(bhttp::verb::get, "/_tidepool/health", nullptr).code(),
            StatusCode::kAlreadyExists);
  EXPECT_FALSE(router->AddInternalRoute(bhttp::verb::get, "/health", nullptr).ok());

  HttpRequest get(bhttp::verb::get, "/_tidepool/health", 11);
  HttpResponse r = Send(*router, std::move(get));
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "healthy 000000000000");
  EXPECT_EQ(r["x-amzn-RequestId"].size(), 36u);

  HttpRequest file(bhttp::verb::get, "/_tidepool/files/a/b?x=1", 11);
  EXPECT_EQ(Send(*router, std::move(file)).body(), "/_tidepool/files/a/b?x=1");

  HttpRequest post(bhttp::verb::post, "/_tidepool/health", 11);
  EXPECT_EQ(Send(*router, std::move(post)).result_int(), 404);
  HttpRequest missing(bhttp::verb::get, "/_tidepool/nothing", 11);
  EXPECT_EQ(Send(*router, std::move(missing)).result_int(), 404);
}

TEST_F(RouterTest, QueryProtocolActionsGetAWellFormedErrorUntilAHookIsSet) {
  auto router = MakeRouter();
  HttpRequest r(bhttp::verb::post, "/", 11);
  r.set(bhttp::field::content_type, "application/x-www-form-urlencoded; charset=utf-8");
  r.body() = "Action=SendMessage&Version=2012-11-05";
  HttpResponse resp = Send(*router, HttpRequest(r));
  EXPECT_EQ(resp.result_int(), 400);
  EXPECT_EQ(resp[bhttp::field::content_type], "text/xml");
  EXPECT_NE(resp.body().find("<Code>InvalidAction</Code>"), std::string::npos);
  EXPECT_NE(resp.body().find("The action SendMessage is not valid for this web service."),
            std::string::npos);
  EXPECT_NE(resp.body().find("<RequestId>" + std::string(resp["x-amzn-RequestId"])),
            std::string::npos);

  std::string seen_region;
  router->SetQueryProtocolHandler([&](HttpRequest&& req, RequestContext ctx, Responder respond) {
    seen_region = ctx.region;
    HttpResponse ok(bhttp::status::ok, 11);
    ok.body() = req.body();
    respond(std::move(ok));
  });
  HttpRequest get(bhttp::verb::get, "/?Action=ListQueues&Version=2012-11-05", 11);
  HttpResponse hooked = Send(*router, std::move(get));
  EXPECT_EQ(hooked.result_int(), 200);
  EXPECT_EQ(seen_region, "us-east-1");
}

TEST_F(RouterTest, UnknownRoutesAre404) {
  auto router = MakeRouter();
  HttpRequest r(bhttp::verb::get, "/some/path", 11);
  HttpResponse resp = Send(*router, std::move(r));
  EXPECT_EQ(resp.result_int(), 404);
  EXPECT_EQ(resp["x-amzn-ErrorType"], "UnknownOperationException");
  EXPECT_EQ(resp["x-amzn-RequestId"].size(), 36u);
}

TEST_F(RouterTest, RegistrationConflicts) {
  auto router = MakeRouter();
  ThingsService twin;
  EXPECT_EQ(router->AddService(twin).code(), StatusCode::kAlreadyExists);
}

TEST_F(RouterTest, ConcurrentHandleCalls) {
  service_.async = false;
  auto router = MakeRouter();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::mutex ids_mu;
  std::set<std::string> ids;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        HttpResponse r = Send(*router, JsonRequest("Things_20200101.ListThings"));
        if (r.result_int() == 200) ++ok;
        std::lock_guard lock(ids_mu);
        ids.insert(std::string(r["x-amzn-RequestId"]));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 800);
  EXPECT_EQ(ids.size(), 800u);
}

TEST(CredentialsFileTest, LoadsIniSections) {
  std::string path = ::testing::TempDir() + "/tidepool_credentials_test.ini";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(
        "# comment\n[default]\naws_access_key_id = AKIA1\naws_secret_access_key=secret1\n\n"
        "; other\n[team]\nAWS_ACCESS_KEY_ID = AKIA2\naws_secret_access_key = secret 2 \n"
        "account_id = 123456789012\nregion = eu-west-1\n",
        f);
    std::fclose(f);
  }
  CredentialMap map;
  ASSERT_TRUE(LoadCredentialsFile(path, &map).ok());
  ASSERT_EQ(map.size(), 2u);
  EXPECT_EQ(map["AKIA1"].secret_key, "secret1");
  EXPECT_EQ(map["AKIA1"].account_id, "000000000000");
  EXPECT_EQ(map["AKIA2"].secret_key, "secret 2");
  EXPECT_EQ(map["AKIA2"].account_id, "123456789012");

  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("[x]\naws_access_key_id = A\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(LoadCredentialsFile(path, &map).code(), StatusCode::kInvalidArgument);
  {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("[x]\naws_access_key_id=A\naws_secret_access_key=B\naccount_id=12\n", f);
    std::fclose(f);
  }
  EXPECT_EQ(LoadCredentialsFile(path, &map).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadCredentialsFile(path + ".missing", &map).code(), StatusCode::kIoError);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tidepool::protocol

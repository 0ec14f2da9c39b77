#include "protocol/router.h"

#include <spdlog/spdlog.h>
#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <charconv>
#include <exception>
#include <random>
#include <vector>

#include "core/encoding.h"
#include "protocol/codec/cbor_codec.h"
#include "protocol/codec/cbor_event_stream.h"
#include "protocol/codec/json_codec.h"
#include "protocol/codec/rest_json_codec.h"
#include "protocol/http/query_string.h"
#include "protocol/rest/s3_post_form.h"
#include "protocol/rest/s3_request.h"

namespace tidepool::protocol {
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using http::HttpRequest;
using http::HttpResponse;
using http::Responder;

namespace {

constexpr std::string_view kInternalPrefix = "/_tidepool/";
constexpr std::string_view kDefaultJsonContentType = "application/x-amz-json-1.1";
constexpr size_t kMaxTraceHeader = 256;  // longer X-Amzn-Trace-Id headers are ignored

// A random version-4 UUID for x-amzn-RequestId. Request ids need uniqueness, not secrecy: a
// per-thread generator seeded once from the OS avoids a locked CSPRNG call per request.
std::string NewRequestId() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
    uint64_t word = i < 16 ? hi : lo;
    out[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xf];
  }
  return out;
}

bool IsTwelveDigits(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && boost::beast::iequals(s.substr(0, prefix.size()), prefix);
}

// The JSON protocol has two versions; every JSON model says 1.0 or 1.1 (1.0 when unsaid).
std::string_view ContentTypeFor(const model::ServiceModel& model) {
  return model.json_version == "1.1" ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
}

// The JSON content type a client used, so that errors raised before a service is known answer
// in the same dialect.
std::string_view RequestJsonContentType(const HttpRequest& request) {
  std::string_view ct = request[bhttp::field::content_type];
  if (StartsWithIgnoreCase(ct, "application/x-amz-json-1.0")) return "application/x-amz-json-1.0";
  return kDefaultJsonContentType;
}

HttpResponse JsonResponse(unsigned status, std::string body, std::string_view content_type,
                          std::string_view request_id) {
  HttpResponse response(static_cast<bhttp::status>(status), 11);
  response.set("x-amzn-RequestId", request_id);
  response.set(bhttp::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

// An error reply in the dialect of `content_type` (JSON, or CBOR for CBOR requests).
HttpResponse JsonErrorResponse(const AwsError& error, std::string_view content_type,
                               std::string_view request_id) {
  HttpResponse response =
      JsonResponse(error.http_status > 0 ? static_cast<unsigned>(error.http_status) : 400,
                   content_type == cbor_codec::kContentType ? cbor_codec::EncodeError(error)
                                                            : json_codec::EncodeError(error),
                   content_type, request_id);
  response.set("x-amzn-ErrorType", error.code);
  if (!error.query_code.empty()) {
    response.set("x-amzn-query-error",
                 error.query_code + (error.sender_fault ? ";Sender" : ";Receiver"));
  }
  return response;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out.push_back(c);
    }
  }
  return out;
}

// The query protocol's error document.
HttpResponse QueryErrorResponse(const AwsError& error, std::string_view request_id) {
  HttpResponse response(static_cast<bhttp::status>(error.http_status), 11);
  response.set("x-amzn-RequestId", request_id);
  response.set(bhttp::field::content_type, "text/xml");
  response.body() = "<?xml version=\"1.0\"?>\n<ErrorResponse><Error><Type>" +
                    std::string(error.sender_fault ? "Sender" : "Receiver") + "</Type><Code>" +
                    XmlEscape(error.code) + "</Code><Message>" + XmlEscape(error.message) +
                    "</Message></Error><RequestId>" + std::string(request_id) +
                    "</RequestId></ErrorResponse>";
  return response;
}

AwsError UnknownOperation() { return AwsError{"UnknownOperationException", "", 400, true, {}}; }

// The Action parameter of a query-protocol request (URL query or form body); empty if none.
std::string FindAction(const HttpRequest& request, std::string_view query) {
  if (query.find("Action=") != std::string_view::npos) {
    for (auto& [k, v] : http::ParseQueryString(query, true)) {
      if (k == "Action") return std::move(v);
    }
  }
  if (StartsWithIgnoreCase(request[bhttp::field::content_type],
                           "application/x-www-form-urlencoded") &&
      request.body().find("Action=") != std::string::npos) {
    for (auto& [k, v] : http::ParseQueryString(request.body(), true)) {
      if (k == "Action") return std::move(v);
    }
  }
  return {};
}

// The service name of a SigV4 credential scope (".../<date>/<region>/<service>/aws4_request"),
// from the Authorization header or a presigned URL; empty when unsigned.
std::string_view SigningService(const HttpRequest& request, std::string_view query) {
  std::string_view credential;
  std::string_view auth = request[bhttp::field::authorization];
  if (size_t at = auth.find("Credential="); at != std::string_view::npos) {
    credential = auth.substr(at + 11);
    credential = credential.substr(0, credential.find_first_of(", "));
  } else if (size_t q = query.find("X-Amz-Credential="); q != std::string_view::npos) {
    credential = query.substr(q + 17);
    credential = credential.substr(0, credential.find('&'));
  }
  // Scope parts after the key id: date, region, service ('/' may arrive as %2F in a query).
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= credential.size()) {
    size_t slash = credential.find('/', start);
    size_t pct = credential.find("%2F", start);
    size_t end = std::min(slash, pct);
    parts.push_back(credential.substr(
        start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + (end == pct ? 3 : 1);
  }
  return parts.size() >= 5 ? parts[3] : std::string_view();
}

}  // namespace

Router::Router(RouterOptions options)
    : options_(std::move(options)),
      authenticator_(options_.auth_mode, options_.credentials,
                     options_.clock ? options_.clock : &SystemClock::Instance(),
                     options_.max_clock_skew_seconds, options_.credential_lookup) {}

Status Router::AddService(Service& service) {
  const model::ServiceModel& model = service.Model();
  if (model.protocol == model::Protocol::kJson) {
    if (model.target_prefix.empty()) {
      return Status::InvalidArgument("service " + std::string(service.Name()) +
                                     " has no JSON target prefix");
    }
    for (const JsonRoute& route : json_routes_) {
      if (route.target_prefix == model.target_prefix) {
        return Status::AlreadyExists("target prefix " + std::string(model.target_prefix) +
                                     " is already registered");
      }
    }
    json_routes_.push_back(JsonRoute{model.target_prefix, &service});
  }
  if (model.protocol == model::Protocol::kRestJson) {
    if (Status s = rest_routes_.AddService(service); !s.ok()) return s;
  }
  if (model.protocol == model::Protocol::kRestXml) {
    if (rest_xml_service_ != nullptr) {
      return Status::AlreadyExists("a rest-xml service is already registered");
    }
    rest_xml_service_ = &service;
    s3_routes_ = std::make_unique<S3Routes>(model);
  }
  // Query services are reached through their protocol hook.
  services_.push_back(&service);
  return Status::Ok();
}

Status Router::AddInternalRoute(bhttp::verb method, std::string path, InternalHandler handler) {
  if (path.compare(0, kInternalPrefix.size(), kInternalPrefix) != 0) {
    return Status::InvalidArgument("internal routes live under /_tidepool/, not " + path);
  }
  bool prefix = !path.empty() && path.back() == '*';
  if (prefix) path.pop_back();
  for (const InternalRoute& r : internal_routes_) {
    if (r.method == method && r.path == path && r.prefix == prefix) {
      return Status::AlreadyExists("internal route " + path + " is already registered");
    }
  }
  internal_routes_.push_back(InternalRoute{method, std::move(path), prefix, std::move(handler)});
  return Status::Ok();
}

http::Handler Router::AsHandler() const {
  return [this](HttpRequest&& request, Responder respond) {
    Handle(std::move(request), std::move(respond));
  };
}

const Router::InternalRoute* Router::FindInternalRoute(bhttp::verb method,
                                                       std::string_view path) const {
  const InternalRoute* best = nullptr;
  for (const InternalRoute& r : internal_routes_) {
    if (r.method != method) continue;
    if (!r.prefix && r.path == path) return &r;
    if (r.prefix && path.substr(0, r.path.size()) == r.path &&
        (best == nullptr || r.path.size() > best->path.size())) {
      best = &r;
    }
  }
  return best;
}

namespace {

// Feeds a streamed body to the service's consumer, then hands the request to the router.
// With `chunks` (a signed aws-chunked body in strict mode) the bytes pass its check first; once
// a chunk signature fails, the rest of the body is dropped rather than stored.
class ConsumerSink final : public http::BodySink {
 public:
  using Finisher = std::function<void(HttpRequest&&, Responder, std::shared_ptr<BodyConsumer>,
                                      std::shared_ptr<ChunkSignatureVerifier>)>;
  ConsumerSink(std::shared_ptr<BodyConsumer> consumer,
               std::shared_ptr<ChunkSignatureVerifier> chunks, Finisher finish)
      : consumer_(std::move(consumer)), chunks_(std::move(chunks)), finish_(std::move(finish)) {}
  void Write(std::string_view piece) override {
    if (chunks_ && !chunks_->Write(piece)) return;
    consumer_->Write(piece);
  }
  void Finish(HttpRequest&& head, Responder respond) override {
    finish_(std::move(head), std::move(respond), std::move(consumer_), std::move(chunks_));
  }

 private:
  std::shared_ptr<BodyConsumer> consumer_;
  std::shared_ptr<ChunkSignatureVerifier> chunks_;
  Finisher finish_;
};

}  // namespace

bool Router::ClaimedByRestXml(const HttpRequest& request, std::string_view query) const {
  if (rest_xml_service_ == nullptr) return false;
  return !VirtualHostBucket(request[bhttp::field::host]).empty() ||
         SigningService(request, query) == rest_xml_service_->Model().signing_name;
}

bool Router::RoutesToRestXml(const HttpRequest& request, std::string_view path,
                             std::string_view query) const {
  if (rest_xml_service_ == nullptr) return false;
  if (path.substr(0, kInternalPrefix.size()) == kInternalPrefix) return false;
  // Handle() gives these to their hooks before S3: a body streamed to S3 must not take them.
  if (execute_api_handler_ && IsApiGatewayRequest(request, path)) return false;
  if (function_url_handler_ && FunctionUrlTarget(request, path)) return false;
  if (request.find("x-amz-target") != request.end()) return false;
  if (ClaimedByRestXml(request, query)) return true;
  if (query.find("Action=") != std::string_view::npos) return false;
  if (StartsWithIgnoreCase(request[bhttp::field::content_type],
                           "application/x-www-form-urlencoded") ||
      StartsWithIgnoreCase(request[bhttp::field::content_type], "application/x-amz-json")) {
    return false;
  }
  return rest_routes_.empty() ||
         rest_routes_.Match(request.method(), path, query, SigningService(request, query))
                 .service == nullptr;
}

http::BodyStreamer Router::AsBodyStreamer() const {
  return [this](const HttpRequest& head) -> std::shared_ptr<http::BodySink> {
    auto [path, query] = http::SplitTarget(head.target());
    if (!RoutesToRestXml(head, path, query)) return nullptr;
    S3Target target = s3_routes_->Resolve(head, path, query);
    auto finish = [this](HttpRequest&& request, Responder respond,
                         std::shared_ptr<BodyConsumer> consumer,
                         std::shared_ptr<ChunkSignatureVerifier> chunks) {
      auto [path, query] = http::SplitTarget(request.target());
      HandleRestXml(std::move(request), std::move(respond), NewRequestId(), path, query,
                    std::move(consumer), std::move(chunks));
    };
    if (IsPostObject(head, target)) {  // a form upload: its file streams into the object
      auto form = OpenPostForm(head, target.bucket);
      if (!form) return nullptr;
      return std::make_shared<ConsumerSink>(std::move(form), nullptr, std::move(finish));
    }
    if (target.operation == nullptr ||
        !HasBlobPayload(rest_xml_service_->Model(), *target.operation)) {
      return nullptr;
    }
    auto consumer = rest_xml_service_->OpenBodyConsumer(*target.operation, FramingOf(head));
    if (!consumer) return nullptr;
    // A signed aws-chunked body is checked as it streams, from the seed its headers give; when
    // they do not authenticate, HandleRestXml refuses the request once the body is in.
    std::shared_ptr<ChunkSignatureVerifier> chunks;
    if (authenticator_.mode() == AuthMode::kStrict &&
        head["x-amz-content-sha256"].starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {
      auto auth = authenticator_.Authenticate(head, path, query, /*json_protocol=*/false,
                                              /*s3=*/true);
      if (auto* info = std::get_if<AuthInfo>(&auth); info && info->streaming) {
        chunks = std::make_shared<ChunkSignatureVerifier>(*info->streaming);
      }
    }
    return std::make_shared<ConsumerSink>(std::move(consumer), std::move(chunks),
                                          std::move(finish));
  };
}

void Router::Handle(HttpRequest&& request, Responder respond) const {
  std::string request_id = NewRequestId();
  // `path`, `query` and the X-Amz-Target value view into `request`: they stay valid until a
  // handler below moves the request on, which each does only after its last use of them.
  auto [path, query] = http::SplitTarget(request.target());

  if (function_url_handler_ && FunctionUrlTarget(request, path)) {
    RequestContext context = MakeContext(request, request_id, AuthInfo{});
    Responder tagged = Responder::Editing(
        std::move(respond), [request_id = std::move(request_id)](HttpResponse& response) {
          response.set("x-amzn-RequestId", request_id);
        });
    return function_url_handler_(std::move(request), std::move(context), std::move(tagged));
  }
  if (execute_api_handler_ && IsApiGatewayRequest(request, path)) {
    RequestContext context = MakeContext(request, request_id, AuthInfo{});
    Responder tagged = Responder::FromFunction(
        [respond, request_id = std::move(request_id)](HttpResponse&& response) {
          response.set("x-amzn-RequestId", request_id);
          respond(std::move(response));
        });
    return execute_api_handler_(std::move(request), std::move(context), std::move(tagged));
  }
  if (path.substr(0, kInternalPrefix.size()) == kInternalPrefix) {
    if (const InternalRoute* route = FindInternalRoute(request.method(), path)) {
      return HandleInternal(*route, std::move(request), std::move(respond), std::move(request_id));
    }
    return respond(JsonErrorResponse(
        AwsError{
            "NotFound",
            "No internal route " + std::string(request.method_string()) + " " + std::string(path),
            404,
            true,
            {}},
        "application/json", request_id));
  }
  if (auto it = request.find("x-amz-target"); it != request.end()) {
    return HandleJson(std::move(request), std::move(respond), std::move(request_id), path, query,
                      it->value());
  }
  if (ClaimedByRestXml(request, query)) {
    return HandleRestXml(std::move(request), std::move(respond), std::move(request_id), path, query,
                         nullptr);
  }
  // A form-encoded POST is a query-protocol request, with or without its Action (the
  // dispatcher answers MissingAction); S3 took the ones signed for it above.
  if (!FindAction(request, query).empty() ||
      (query_handler_ && request.method() == bhttp::verb::post &&
       StartsWithIgnoreCase(request[bhttp::field::content_type],
                            "application/x-www-form-urlencoded"))) {
    return HandleQuery(std::move(request), std::move(respond), std::move(request_id), path, query);
  }
  if (!rest_routes_.empty()) {
    RestMatch match =
        rest_routes_.Match(request.method(), path, query, SigningService(request, query));
    if (match.service != nullptr) {
      return HandleRest(match, std::move(request), std::move(respond), std::move(request_id), path,
                        query);
    }
  }
  if (request.method() == bhttp::verb::post &&
      StartsWithIgnoreCase(request[bhttp::field::content_type], "application/x-amz-json")) {
    return respond(
        JsonErrorResponse(UnknownOperation(), RequestJsonContentType(request), request_id));
  }
  if (rest_xml_service_ != nullptr) {
    return HandleRestXml(std::move(request), std::move(respond), std::move(request_id), path, query,
                         nullptr);
  }
  respond(JsonErrorResponse(AwsError{"UnknownOperationException",
                                     "No service handles " + std::string(request.method_string()) +
                                         " " + std::string(path),
                                     404,
                                     true,
                                     {}},
                            kDefaultJsonContentType, request_id));
}

std::optional<std::pair<std::string, std::string>> Router::FunctionUrlTarget(
    const HttpRequest& request, std::string_view path) {
  std::string_view host = request[bhttp::field::host];
  size_t dot = host.find('.');
  if (dot != std::string_view::npos && dot > 0 &&
      StartsWithIgnoreCase(host.substr(dot), ".lambda-url.")) {
    return std::make_pair(std::string(host.substr(0, dot)),
                          path.empty() ? std::string("/") : std::string(path));
  }
  constexpr std::string_view kPrefix = "/_tidepool/lambda-url/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = path.substr(kPrefix.size());
  size_t slash = rest.find('/');
  std::string id(rest.substr(0, slash));
  if (id.empty()) return std::nullopt;
  return std::make_pair(std::move(id), slash == std::string_view::npos
                                           ? std::string("/")
                                           : std::string(rest.substr(slash)));
}

bool Router::IsApiGatewayRequest(const HttpRequest& request, std::string_view path) const {
  return IsExecuteApiRequest(request, path) ||
         (is_custom_domain_ && is_custom_domain_(request[bhttp::field::host]));
}

bool Router::IsExecuteApiRequest(const HttpRequest& request, std::string_view path) {
  std::string_view host = request[bhttp::field::host];
  for (size_t at = host.find('.'); at != std::string_view::npos; at = host.find('.', at + 1)) {
    if (StartsWithIgnoreCase(host.substr(at), ".execute-api.")) return at > 0;
  }
  // /restapis/<api>/<stage>/_user_request_[/...]
  constexpr std::string_view kRestApis = "/restapis/";
  if (path.substr(0, kRestApis.size()) != kRestApis) return false;
  std::string_view rest = path.substr(kRestApis.size());
  for (int i = 0; i < 2; ++i) {
    size_t slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos) return false;
    rest.remove_prefix(slash + 1);
  }
  constexpr std::string_view kUser = "_user_request_";
  return rest.substr(0, kUser.size()) == kUser &&
         (rest.size() == kUser.size() || rest[kUser.size()] == '/');
}

RequestContext Router::MakeContext(const HttpRequest& request, std::string request_id,
                                   AuthInfo&& auth) const {
  RequestContext context;
  if (!auth.account_id.empty()) {
    context.account_id = auth.account_id;
  } else if (IsTwelveDigits(auth.access_key_id)) {
    context.account_id = auth.access_key_id;
  } else {
    context.account_id = options_.default_account;
  }
  if (auth.region.empty()) {
    context.region = options_.default_region;
  } else {
    context.region = std::move(auth.region);
  }
  context.access_key_id = std::move(auth.access_key_id);
  context.request_id = std::move(request_id);
  context.host = std::string(request[bhttp::field::host]);
  context.trace_header = std::string(request["X-Amzn-Trace-Id"]);
  if (context.trace_header.size() > kMaxTraceHeader) context.trace_header.clear();
  return context;
}

void Router::HandleJson(HttpRequest&& request, Responder respond, std::string request_id,
                        std::string_view path, std::string_view query,
                        std::string_view target) const {
  size_t dot = target.find('.');
  std::string_view prefix = target.substr(0, dot);
  std::string_view op_name = dot == std::string_view::npos ? "" : target.substr(dot + 1);
  const JsonRoute* route = nullptr;
  for (const JsonRoute& r : json_routes_) {
    if (r.target_prefix == prefix) route = &r;
  }
  if (route == nullptr) {
    return respond(
        JsonErrorResponse(UnknownOperation(), RequestJsonContentType(request), request_id));
  }
  const model::ServiceModel& model = route->service->Model();
  // The AWS SDK for Java (and the KCL) send CBOR: the same protocol, another encoding.
  const bool cbor =
      StartsWithIgnoreCase(request[bhttp::field::content_type], cbor_codec::kContentType);
  const std::string_view content_type = cbor ? cbor_codec::kContentType : ContentTypeFor(model);
  const model::Operation* op = op_name.empty() ? nullptr : model.FindOperation(op_name);
  if (op == nullptr) {
    return respond(JsonErrorResponse(UnknownOperation(), content_type, request_id));
  }

  auto auth = authenticator_.Authenticate(request, path, query, /*json_protocol=*/true,
                                          /*s3=*/false);
  if (auto* error = std::get_if<AwsError>(&auth)) {
    return respond(JsonErrorResponse(*error, content_type, request_id));
  }
  RequestContext context = MakeContext(request, request_id, std::move(std::get<AuthInfo>(auth)));
  // Kinesis also sends an extended request id, x-amz-id-2, with every reply (as S3 does).
  const bool extended_id = model.target_prefix == "Kinesis_20131202";
  auto done = [respond, &model, op, content_type, cbor, extended_id,
               request_id = std::move(request_id)](Outcome outcome) {
    const unsigned status = op->http_status ? op->http_status : 200;
    HttpResponse response;
    if (auto* output = std::get_if<boost::json::object>(&outcome)) {
      response = JsonResponse(status,
                              cbor ? cbor_codec::EncodeOutput(model, *op, *output)
                                   : json_codec::EncodeOutput(model, *op, *output),
                              content_type, request_id);
    } else if (auto* encoded = std::get_if<EncodedJson>(&outcome); encoded && cbor) {
      auto converted = cbor_codec::EncodeJsonOutput(model, *op, encoded->body);
      if (auto* body = std::get_if<std::string>(&converted)) {
        response = JsonResponse(status, std::move(*body), content_type, request_id);
      } else {
        response = JsonErrorResponse(std::get<AwsError>(converted), content_type, request_id);
      }
    } else if (auto* encoded = std::get_if<EncodedJson>(&outcome)) {
      response = JsonResponse(status, std::move(encoded->body), content_type, request_id);
    } else if (auto* streamed = std::get_if<StreamedOutput>(&outcome)) {
      // An event stream (Kinesis SubscribeToShard): its messages are the body, pushed as the
      // operation produces them (protocol/codec/event_stream.h); the output object is unused.
      // A CBOR client gets the events' payloads in CBOR too.
      response = JsonResponse(streamed->status ? streamed->status : 200, "",
                              "application/vnd.amazon.eventstream", request_id);
      if (extended_id) response.set("x-amz-id-2", Base64Encode(request_id));
      auto push = std::dynamic_pointer_cast<http::PushBody>(streamed->body);
      if (cbor && push) streamed->body = cbor_codec::RelayAsCbor(model, *op, push);
      return respond.Stream(std::move(response), std::move(streamed->body));
    } else {
      response = JsonErrorResponse(std::get<AwsError>(outcome), content_type, request_id);
    }
    if (extended_id) response.set("x-amz-id-2", Base64Encode(request_id));
    respond(std::move(response));
  };
  // A body that does not decode is answered through `done`, like any other error.
  CallPtr call = cbor ? cbor_codec::MakeCall(*route->service, *op, request.body(),
                                             std::move(context), std::move(done))
                      : json_codec::MakeCall(*route->service, *op, std::move(request.body()),
                                             std::move(context), std::move(done));
  if (!call) return;
  try {
    route->service->Invoke(call);
  } catch (const std::exception& e) {
    spdlog::error("bug: {}.{} threw: {}", route->service->Name(), op->name, e.what());
    call->Fail(AwsError{"InternalFailure",
                        "The request processing has failed because of an unknown error, exception "
                        "or failure.",
                        500,
                        false,
                        {}});
  }
}

void Router::HandleRest(const RestMatch& match, HttpRequest&& request, Responder respond,
                        std::string request_id, std::string_view path,
                        std::string_view query) const {
  const model::ServiceModel& model = match.service->Model();
  const model::Operation* op = match.operation;
  auto reply = [respond, request_id](HttpResponse&& response) {
    response.set("x-amzn-RequestId", request_id);
    respond(std::move(response));
  };
  auto auth = authenticator_.Authenticate(request, path, query, /*json_protocol=*/false,
                                          /*s3=*/model.signing_name == "s3");
  if (auto* error = std::get_if<AwsError>(&auth)) {
    return reply(rest_json_codec::EncodeError(model, *error));
  }
  RequestContext context = MakeContext(request, request_id, std::move(std::get<AuthInfo>(auth)));
  auto decoded = rest_json_codec::DecodeRequest(model, *op, match.labels, query, request);
  if (auto* error = std::get_if<AwsError>(&decoded)) {
    return reply(rest_json_codec::EncodeError(model, *error));
  }
  auto done = [reply, respond, request_id, &model, op](Outcome outcome) {
    if (auto* output = std::get_if<boost::json::object>(&outcome)) {
      reply(rest_json_codec::EncodeResponse(model, *op, *output));
    } else if (auto* streamed = std::get_if<StreamedOutput>(&outcome)) {
      // An event stream produced over time (Lambda's InvokeWithResponseStream): the output's
      // members are the status and headers, its messages the body, pushed as they come.
      HttpResponse response = rest_json_codec::EncodeResponse(model, *op, streamed->output);
      if (streamed->status != 0) response.result(streamed->status);
      response.body().clear();
      if (response.find(bhttp::field::content_type) == response.end()) {  // else a header member's
        response.set(bhttp::field::content_type, "application/vnd.amazon.eventstream");
      }
      response.set("x-amzn-RequestId", request_id);
      respond.Stream(std::move(response), std::move(streamed->body));
    } else if (auto* error = std::get_if<AwsError>(&outcome)) {
      reply(rest_json_codec::EncodeError(model, *error));
    } else {
      reply(rest_json_codec::EncodeError(
          model,
          AwsError{
              "InternalFailure", "pre-encoded JSON output on a REST operation", 500, false, {}}));
    }
  };
  auto call = std::make_shared<Call>(
      std::move(context), *op, std::move(std::get<boost::json::object>(decoded)), std::move(done));
  try {
    match.service->Invoke(call);
  } catch (const std::exception& e) {
    spdlog::error("bug: {}.{} threw: {}", match.service->Name(), op->name, e.what());
    call->Fail(AwsError{"ServiceException",
                        "The request processing has failed because of an unknown error, exception "
                        "or failure.",
                        500,
                        false,
                        {}});
  }
}

void Router::HandleQuery(HttpRequest&& request, Responder respond, std::string request_id,
                         std::string_view path, std::string_view query) const {
  if (!query_handler_) {
    std::string action = FindAction(request, query);
    return respond(
        QueryErrorResponse(AwsError{"InvalidAction",
                                    "The action " + action + " is not valid for this web service.",
                                    400,
                                    true,
                                    {}},
                           request_id));
  }
  auto auth = authenticator_.Authenticate(request, path, query, /*json_protocol=*/false,
                                          /*s3=*/false);
  if (auto* error = std::get_if<AwsError>(&auth)) {
    return respond(QueryErrorResponse(*error, request_id));
  }
  RequestContext context =
      MakeContext(request, std::move(request_id), std::move(std::get<AuthInfo>(auth)));
  query_handler_(std::move(request), std::move(context), std::move(respond));
}

void Router::HandleInternal(const InternalRoute& route, HttpRequest&& request, Responder respond,
                            std::string request_id) const {
  RequestContext context = MakeContext(request, request_id, AuthInfo{});
  Responder tagged = Responder::FromFunction(
      [respond, request_id = std::move(request_id)](HttpResponse&& response) {
        response.set("x-amzn-RequestId", request_id);
        respond(std::move(response));
      });
  route.handler(std::move(request), context, std::move(tagged));
}

}  // namespace tidepool::protocol

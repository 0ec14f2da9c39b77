#include "protocol/query_dispatcher.h"

#include <spdlog/spdlog.h>
#include <boost/beast/core/string.hpp>

#include <exception>
#include <memory>

#include "protocol/codec/form_decoder.h"
#include "protocol/codec/query_codec.h"
#include "protocol/codec/query_dialect.h"
#include "protocol/http/query_string.h"
#include "protocol/sigv4.h"

namespace tidepool::protocol {
namespace bhttp = boost::beast::http;
using http::HttpRequest;
using http::HttpResponse;
using http::Responder;
using query_codec::QueryDialect;

namespace {

// How a reply is written: XML, or JSON when the request asks for it (see ReplyFormOf).
enum class ReplyForm { kXml, kJson };

HttpResponse Reply(ReplyForm form, unsigned status, std::string body, std::string_view request_id) {
  HttpResponse response(static_cast<bhttp::status>(status), 11);
  response.set("x-amzn-RequestId", request_id);
  response.set(bhttp::field::content_type,
               form == ReplyForm::kJson ? "application/json" : "text/xml");
  response.body() = std::move(body);
  return response;
}

HttpResponse ErrorResponse(ReplyForm form, const model::ServiceModel* model, const AwsError& error,
                           std::string_view request_id) {
  unsigned status = error.http_status > 0 ? static_cast<unsigned>(error.http_status) : 400;
  return Reply(form, status,
               form == ReplyForm::kJson ? query_codec::EncodeJsonError(model, error, request_id)
                                        : query_codec::EncodeError(model, error, request_id),
               request_id);
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The form an Accept header asks for: the first of its media ranges that names JSON
// (application/json) or XML (text/xml, application/xml) decides, parameters and q-values
// aside; none of them (no header, */*) means XML, the query protocol's own form.
ReplyForm ReplyFormOf(std::string_view accept) {
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    range = Trim(range.substr(0, range.find(';')));
    if (boost::beast::iequals(range, "application/json")) return ReplyForm::kJson;
    if (boost::beast::iequals(range, "text/xml") ||
        boost::beast::iequals(range, "application/xml")) {
      return ReplyForm::kXml;
    }
  }
  return ReplyForm::kXml;
}

AwsError InvalidAction(std::string_view action) {
  return AwsError{"InvalidAction",
                  "The action " + std::string(action) + " is not valid for this web service.",
                  400,
                  true,
                  {}};
}

// AWS's common error for a query-protocol request without an Action parameter.
AwsError MissingAction() {
  return AwsError{
      "MissingAction", "The request is missing an action or a required parameter.", 400, true, {}};
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && boost::beast::iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view Param(const form::FormParams& params, std::string_view key) {
  auto it = params.find(key);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

// The SigV4 credential scope's service, from the Authorization header or a presigned URL's
// X-Amz-Credential ("AKID/20130524/us-east-1/sns/aws4_request"); empty when unsigned.
std::string ScopeService(const HttpRequest& request, const form::FormParams& params) {
  if (auto it = request.find(bhttp::field::authorization); it != request.end()) {
    auto auth = sigv4::ParseAuthorizationHeader(it->value(), sigv4::AuthorizationParts::kScopeOnly);
    if (auth.ok()) return auth->service;
  }
  std::string_view credential = Param(params, "X-Amz-Credential");
  for (int i = 0; i < 3 && !credential.empty(); ++i) {
    size_t slash = credential.find('/');
    credential =
        slash == std::string_view::npos ? std::string_view() : credential.substr(slash + 1);
  }
  return std::string(credential.substr(0, credential.find('/')));
}

// "/<account>/<queue>": two non-empty segments; or "/queue/<region>/<account>/<queue>" (an SQS
// queue URL outside the default region).
bool IsQueuePath(std::string_view path) {
  if (path.starts_with("/queue/")) {
    path.remove_prefix(6);
    const size_t region_end = path.find('/', 1);
    if (region_end == std::string_view::npos || region_end == 1) return false;
    path.remove_prefix(region_end);
  }
  if (path.size() < 4 || path.front() != '/') return false;
  size_t slash = path.find('/', 1);
  return slash != std::string_view::npos && slash > 1 && slash + 1 < path.size() &&
         path.find('/', slash + 1) == std::string_view::npos;
}

bool HasMember(const model::ServiceModel& model, const model::Operation& op,
               std::string_view name) {
  if (op.input == model::kNoShape) return false;
  for (const model::Member& m : model.MembersOf(model.shape(op.input))) {
    if (m.name == name) return true;
  }
  return false;
}

}  // namespace

Status QueryDispatcher::AddService(Service& service) {
  const model::ServiceModel& model = service.Model();
  if (!QueryDialect::For(model).speaks_query()) {
    return Status::InvalidArgument("service " + std::string(service.Name()) +
                                   " does not speak the query protocol");
  }
  for (const Service* s : services_) {
    if (s->Model().signing_name == model.signing_name) {
      return Status::AlreadyExists("a query-protocol service signs as " +
                                   std::string(model.signing_name));
    }
  }
  services_.push_back(&service);
  return Status::Ok();
}

Router::ProtocolHandler QueryDispatcher::AsHandler() const {
  return [this](HttpRequest&& request, RequestContext context, Responder respond) {
    Handle(std::move(request), std::move(context), std::move(respond));
  };
}

Service* QueryDispatcher::PickService(std::string_view scope_service, std::string_view version,
                                      std::string_view action) const {
  if (!scope_service.empty()) {
    for (Service* s : services_) {
      const model::ServiceModel& m = s->Model();
      if (m.signing_name == scope_service || m.endpoint_prefix == scope_service) return s;
    }
  }
  Service* with_action = nullptr;
  for (Service* s : services_) {
    const model::ServiceModel& m = s->Model();
    if (m.FindOperation(action) == nullptr) continue;
    if (!version.empty() && m.api_version == version) return s;
    if (with_action == nullptr) with_action = s;
  }
  return with_action;
}

void QueryDispatcher::Handle(HttpRequest&& request, RequestContext context,
                             Responder respond) const {
  const std::string& request_id = context.request_id;
  auto [path, query] = http::SplitTarget(request.target());
  form::FormParams params;
  Status parsed = form::AddEncoded(query, params);
  std::string_view content_type = request[bhttp::field::content_type];
  if (parsed.ok() && (content_type.empty() ||
                      StartsWithIgnoreCase(content_type, "application/x-www-form-urlencoded"))) {
    parsed = form::AddEncoded(request.body(), params);
  }
  ReplyForm form = ReplyFormOf(request[bhttp::field::accept]);
  if (!parsed.ok()) {
    return respond(ErrorResponse(form, nullptr,
                                 AwsError{"MalformedQueryString", parsed.message(), 400, true, {}},
                                 request_id));
  }
  // The query API's own switch: ContentType=JSON asks for JSON whatever Accept says.
  if (boost::beast::iequals(Param(params, "ContentType"), "JSON")) form = ReplyForm::kJson;

  std::string action(Param(params, "Action"));
  if (action.empty()) {
    const model::ServiceModel* model = services_.size() == 1 ? &services_[0]->Model() : nullptr;
    if (Service* signed_for = PickService(ScopeService(request, params), "", "")) {
      model = &signed_for->Model();
    }
    return respond(ErrorResponse(form, model, MissingAction(), request_id));
  }
  Service* service = PickService(ScopeService(request, params), Param(params, "Version"), action);
  if (service == nullptr) {
    const model::ServiceModel* model = services_.size() == 1 ? &services_[0]->Model() : nullptr;
    return respond(ErrorResponse(form, model, InvalidAction(action), request_id));
  }
  const model::ServiceModel& model = service->Model();
  const model::Operation* op = model.FindOperation(action);
  if (op == nullptr) {
    return respond(ErrorResponse(form, &model, InvalidAction(action), request_id));
  }

  if (QueryDialect::For(model).queue_url_from_path() && IsQueuePath(path) &&
      params.find("QueueUrl") == params.end() && HasMember(model, *op, "QueueUrl")) {
    params.emplace("QueueUrl", "http://" + context.host + std::string(path));
  }
  auto decoded = query_codec::DecodeRequest(model, *op, params);
  if (auto* error = std::get_if<AwsError>(&decoded)) {
    return respond(ErrorResponse(form, &model, *error, request_id));
  }

  auto done = [respond, &model, op, form, request_id = request_id](Outcome outcome) {
    if (auto* output = std::get_if<boost::json::object>(&outcome)) {
      unsigned status = op->http_status ? op->http_status : 200;
      respond(Reply(form, status,
                    form == ReplyForm::kJson
                        ? query_codec::EncodeJsonResponse(model, *op, *output, request_id)
                        : query_codec::EncodeResponse(model, *op, *output, request_id),
                    request_id));
    } else if (std::holds_alternative<EncodedJson>(outcome)) {
      spdlog::error("bug: {} replied pre-encoded JSON over the query protocol", op->name);
      respond(ErrorResponse(
          form, &model, AwsError{"InternalFailure", "internal error", 500, false, {}}, request_id));
    } else {
      respond(ErrorResponse(form, &model, std::get<AwsError>(outcome), request_id));
    }
  };
  auto call = std::make_shared<Call>(
      std::move(context), *op, std::move(std::get<boost::json::object>(decoded)), std::move(done));
  try {
    service->Invoke(call);
  } catch (const std::exception& e) {
    spdlog::error("bug: {}.{} threw: {}", service->Name(), op->name, e.what());
    call->Fail(AwsError{"InternalFailure",
                        "The request processing has failed because of an unknown error, exception "
                        "or failure.",
                        500,
                        false,
                        {}});
  }
}

}  // namespace tidepool::protocol

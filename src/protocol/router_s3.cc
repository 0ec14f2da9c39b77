// The Router's S3 requests (REST-XML, docs/architecture.md "S3"): operations routed by
// s3_routes.h, and POST Object uploads from HTML forms (rest/s3_post_form.h).
#include <spdlog/spdlog.h>
#include <boost/beast/core/string.hpp>

#include <exception>

#include "core/encoding.h"
#include "protocol/codec/rest_xml_codec.h"
#include "protocol/cors_request.h"
#include "protocol/rest/s3_post_form.h"
#include "protocol/rest/s3_request.h"
#include "protocol/router.h"

namespace tidepool::protocol {
namespace bhttp = boost::beast::http;
using http::HttpRequest;
using http::HttpResponse;
using http::Responder;
namespace json = boost::json;

void Router::HandleRestXml(HttpRequest&& request, Responder respond, std::string request_id,
                           std::string_view path, std::string_view query,
                           std::shared_ptr<BodyConsumer> consumer,
                           std::shared_ptr<ChunkSignatureVerifier> chunks) const {
  Service& service = *rest_xml_service_;
  const bool streamed = consumer != nullptr;
  const model::ServiceModel& model = service.Model();
  const bool head = request.method() == bhttp::verb::head;
  CorsGrant cors;
  auto fail = [&](const AwsError& error) {
    HttpResponse response = rest_xml_codec::EncodeError(error, request_id, head);
    AddCorsHeaders(response, cors);
    respond(std::move(response));
  };
  S3Target target = s3_routes_->Resolve(request, path, query);
  if (request.method() == bhttp::verb::options) {  // a CORS preflight: no auth, no operation
    return respond(PreflightResponse(service, request, std::move(target.bucket), request_id));
  }
  // An actual cross-origin request: the reply (error or not) carries what the rules grant.
  if (!target.bucket.empty() && request.find(bhttp::field::origin) != request.end()) {
    auto grant = service.MatchCors(CorsQueryOf(request, target.bucket, false));
    if (auto* g = std::get_if<CorsGrant>(&grant)) cors = std::move(*g);
  }
  if (IsPostObject(request, target)) {
    return HandlePostObject(std::move(request), std::move(respond), std::move(request_id), target,
                            std::move(cors), std::move(consumer));
  }
  if (target.operation == nullptr) {
    return fail(AwsError{"MethodNotAllowed",
                         "The specified method is not allowed against this resource.",
                         405,
                         true,
                         {}});
  }
  const model::Operation* op = target.operation;
  auto auth = authenticator_.Authenticate(request, path, query, /*json_protocol=*/false,
                                          /*s3=*/true);
  if (auto* error = std::get_if<AwsError>(&auth)) return fail(*error);
  if (const auto& seed = std::get<AuthInfo>(auth).streaming) {
    // A body buffered whole is checked here; a streamed one was checked on its way in (and
    // cannot be checked now when that did not happen).
    if (!chunks && !streamed) {
      chunks = std::make_shared<ChunkSignatureVerifier>(*seed);
      chunks->Write(request.body());
    }
    if (!chunks || !chunks->Verified()) {
      return fail(AwsError{"SignatureDoesNotMatch",
                           "The request signature we calculated does not match the signature you "
                           "provided. Check your key and signing method.",
                           403,
                           true,
                           {}});
    }
  }
  RequestContext context = MakeContext(request, request_id, std::move(std::get<AuthInfo>(auth)));
  rest_xml_codec::Labels labels;
  if (!target.bucket.empty()) labels.emplace_back("Bucket", target.bucket);
  if (!target.key.empty()) labels.emplace_back("Key", target.key);
  const bool blob_payload = HasBlobPayload(model, *op);
  if (!consumer && blob_payload) consumer = service.OpenBodyConsumer(*op, FramingOf(request));
  if (consumer && !request.body().empty()) {
    consumer->Write(request.body());
    request.body().clear();
  }
  auto decoded = rest_xml_codec::DecodeRequest(model, *op, labels, query, request,
                                               blob_payload && consumer ? "" : request.body());
  if (auto* error = std::get_if<AwsError>(&decoded)) return fail(*error);
  auto done = [respond, &model, op, request_id, head, cors = std::move(cors)](Outcome outcome) {
    const std::string_view root = S3Routes::ResultRoot(op->name);
    auto tag = [&](HttpResponse& response) {
      response.set("x-amz-request-id", request_id);
      response.set("x-amz-id-2", Base64Encode(request_id));
      AddCorsHeaders(response, cors);
    };
    if (auto* output = std::get_if<boost::json::object>(&outcome)) {
      HttpResponse response = rest_xml_codec::EncodeResponse(model, *op, *output, root);
      tag(response);
      respond(std::move(response));
    } else if (auto* streamed = std::get_if<StreamedOutput>(&outcome)) {
      HttpResponse response = rest_xml_codec::EncodeResponse(model, *op, streamed->output, "");
      if (streamed->status != 0) response.result(streamed->status);
      tag(response);
      respond.Stream(std::move(response), std::move(streamed->body));
    } else if (auto* error = std::get_if<AwsError>(&outcome)) {
      HttpResponse response = rest_xml_codec::EncodeError(*error, request_id, head);
      AddCorsHeaders(response, cors);
      respond(std::move(response));
    } else {
      respond(rest_xml_codec::EncodeError(
          AwsError{
              "InternalError", "pre-encoded JSON output on a rest-xml operation", 500, false, {}},
          request_id, head));
    }
  };
  auto call = std::make_shared<Call>(
      std::move(context), *op, std::move(std::get<boost::json::object>(decoded)), std::move(done));
  call->set_body_consumer(std::move(consumer));
  try {
    service.Invoke(call);
  } catch (const std::exception& e) {
    spdlog::error("bug: {}.{} threw: {}", service.Name(), op->name, e.what());
    call->Fail(AwsError{
        "InternalError", "We encountered an internal error. Please try again.", 500, false, {}});
  }
}

std::shared_ptr<S3PostForm> Router::OpenPostForm(const HttpRequest& head,
                                                 const std::string& bucket) const {
  auto boundary = MultipartFormReader::BoundaryOf(head[bhttp::field::content_type]);
  if (!boundary) return nullptr;
  PostObjectTarget target;
  target.model = &rest_xml_service_->Model();
  target.put_object = target.model->FindOperation("PutObject");
  target.service = rest_xml_service_;
  target.bucket = bucket;
  target.mode = options_.auth_mode;
  target.find_key = [this](std::string_view id) -> std::optional<AccessKey> {
    if (auto it = options_.credentials.find(std::string(id)); it != options_.credentials.end()) {
      return it->second;
    }
    if (options_.credential_lookup) return options_.credential_lookup(id);
    return std::nullopt;
  };
  const Clock& clock = options_.clock ? *options_.clock : SystemClock::Instance();
  target.now_seconds = clock.NowMicros() / 1'000'000;
  return std::make_shared<S3PostForm>(
      *boundary, [target = std::move(target)](const s3post::FormFields& fields) {
        return PreparePostObject(target, fields);
      });
}

void Router::HandlePostObject(HttpRequest&& request, Responder respond, std::string request_id,
                              const S3Target& target, CorsGrant cors,
                              std::shared_ptr<BodyConsumer> consumer) const {
  auto fail = [&](const AwsError& error) {
    HttpResponse response = rest_xml_codec::EncodeError(error, request_id, false);
    AddCorsHeaders(response, cors);
    respond(std::move(response));
  };
  auto form = std::dynamic_pointer_cast<S3PostForm>(consumer);
  if (!form) {  // the body was buffered
    std::string_view type = request[bhttp::field::content_type];
    if (!boost::beast::iequals(type.substr(0, 19), "multipart/form-data")) {
      return fail(AwsError{"PreconditionFailed",
                           "At least one of the pre-conditions you specified did not hold",
                           412,
                           true,
                           {}});
    }
    form = OpenPostForm(request, target.bucket);
    if (!form) {
      return fail(AwsError{"MalformedPOSTRequest",
                           "The body of your POST request is not well-formed multipart/form-data.",
                           400,
                           true,
                           {}});
    }
    form->Write(request.body());
    request.body().clear();
  }
  if (auto error = form->Finish()) return fail(*error);
  PostPrepared& prepared = form->prepared();
  const json::value* key = prepared.input.if_contains("Key");
  std::string object_key = key && key->is_string() ? std::string(key->get_string()) : "";
  RequestContext context = MakeContext(request, request_id, std::move(prepared.auth));
  auto done = [respond, request_id, cors = std::move(cors), form, bucket = target.bucket,
               object_key, host = std::string(request[bhttp::field::host]),
               virtual_host = target.virtual_host](Outcome outcome) {
    HttpResponse response;
    if (auto* output = std::get_if<json::object>(&outcome)) {
      response =
          PostObjectResponse(*output, form->fields(), bucket, object_key, host, virtual_host);
      response.set("x-amz-request-id", request_id);
      response.set("x-amz-id-2", Base64Encode(request_id));
    } else if (auto* error = std::get_if<AwsError>(&outcome)) {
      response = rest_xml_codec::EncodeError(*error, request_id, false);
    } else {
      response = rest_xml_codec::EncodeError(
          AwsError{"InternalError", "unexpected output of PutObject", 500, false, {}}, request_id,
          false);
    }
    AddCorsHeaders(response, cors);
    respond(std::move(response));
  };
  Service& service = *rest_xml_service_;
  const model::Operation* op = service.Model().FindOperation("PutObject");
  auto call =
      std::make_shared<Call>(std::move(context), *op, std::move(prepared.input), std::move(done));
  call->set_body_consumer(std::move(prepared.consumer));
  try {
    service.Invoke(call);
  } catch (const std::exception& e) {
    spdlog::error("bug: {}.PostObject threw: {}", service.Name(), e.what());
    call->Fail(AwsError{
        "InternalError", "We encountered an internal error. Please try again.", 500, false, {}});
  }
}

}  // namespace tidepool::protocol

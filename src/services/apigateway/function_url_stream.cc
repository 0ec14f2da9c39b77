#include "services/apigateway/function_url_stream.h"

#include <boost/json.hpp>

#include <utility>

namespace tidepool::apigateway {
namespace {

namespace json = boost::json;
namespace bhttp = boost::beast::http;
using protocol::http::HttpResponse;

constexpr std::string_view kPreludeType = "application/vnd.awslambda.http-integration-response";
constexpr std::string_view kDelimiter("\0\0\0\0\0\0\0\0", 8);
constexpr size_t kMaxPrelude = 1 << 20;

HttpResponse BadGateway() {
  HttpResponse r(bhttp::status::bad_gateway, 11);
  r.set(bhttp::field::content_type, "application/json");
  r.body() = R"({"Message":"Internal Server Error"})";
  return r;
}

// The head a prelude describes; nullopt when it is not a JSON object.
std::optional<HttpResponse> HeadOf(std::string_view prelude) {
  boost::system::error_code ec;
  json::value v = json::parse(prelude, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return std::nullopt;
  int status = 200;
  if (const json::value* s = o->if_contains("statusCode"); s && s->is_int64()) {
    status = static_cast<int>(s->as_int64());
  }
  if (status < 100 || status > 599) return std::nullopt;
  HttpResponse head(static_cast<bhttp::status>(status), 11);
  if (const json::value* h = o->if_contains("headers"); h && h->is_object()) {
    for (const auto& [name, value] : h->get_object()) {
      if (value.is_string()) head.set(name, std::string_view(value.get_string()));
    }
  }
  if (const json::value* c = o->if_contains("cookies"); c && c->is_array()) {
    for (const json::value& cookie : c->get_array()) {
      if (cookie.is_string()) head.insert(bhttp::field::set_cookie, cookie.get_string());
    }
  }
  return head;
}

}  // namespace

FunctionUrlStream::FunctionUrlStream(protocol::http::Responder respond,
                                     std::function<void(HttpResponse&)> decorate)
    : respond_(std::move(respond)), decorate_(std::move(decorate)) {}

void FunctionUrlStream::StartLocked(HttpResponse head) {
  decorate_(head);
  body_ = std::make_shared<protocol::http::PushBody>();
  respond_.Stream(std::move(head), body_);
}

void FunctionUrlStream::Begin(std::string_view content_type) {
  std::lock_guard lock(mu_);
  if (begun_) return;
  begun_ = true;
  if (content_type == kPreludeType) {
    prelude_ = true;
    return;
  }
  HttpResponse head(bhttp::status::ok, 11);
  head.set(bhttp::field::content_type, content_type);
  StartLocked(std::move(head));
}

void FunctionUrlStream::Write(std::string_view bytes) {
  std::lock_guard lock(mu_);
  if (!begun_ || failed_) return;
  if (body_) {
    body_->Push(bytes);
    return;
  }
  pending_.append(bytes);
  size_t end = pending_.find(kDelimiter);
  if (end == std::string::npos) {
    if (pending_.size() > kMaxPrelude) {
      failed_ = true;
      respond_(BadGateway());
    }
    return;
  }
  auto head = HeadOf(std::string_view(pending_).substr(0, end));
  if (!head) {
    failed_ = true;
    return respond_(BadGateway());
  }
  prelude_ = false;
  StartLocked(std::move(*head));
  std::string_view rest = std::string_view(pending_).substr(end + kDelimiter.size());
  if (!rest.empty()) body_->Push(rest);
  pending_.clear();
}

bool FunctionUrlStream::End() {
  std::lock_guard lock(mu_);
  if (!begun_) return false;
  if (body_) {
    body_->End();
  } else if (!failed_) {
    failed_ = true;
    respond_(BadGateway());  // the response ended inside its prelude
  }
  return true;
}

}  // namespace tidepool::apigateway

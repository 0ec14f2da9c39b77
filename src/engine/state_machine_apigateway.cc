// A state machine's arn:aws:states:::apigateway:invoke Task (source: the Task's parameters ->
// invoke: this process's execute-api endpoint, in-process -> outcome: the Task's result or
// error), as AWS's optimized API Gateway integration calls a deployed API:
//   ApiEndpoint "<api id>.execute-api.<region>.amazonaws.com" (required), Method (required),
//   Stage, Path, QueryParameters and Headers ({name: [values]}), RequestBody (JSON is sent
//   serialized as application/json, a string as it is), AuthType NO_AUTH (IAM_ROLE and
//   RESOURCE_POLICY fail States.Runtime: tidepool does not sign the call), AllowNullValues
//   (unless true, null members of a JSON RequestBody are left out).
// The result is {"Headers": {name: [values]}, "ResponseBody" (JSON when the reply's type is
// JSON, else text), "StatusCode", "StatusText"}; a status outside 2xx fails the Task with
// "ApiGateway.<status>" and the reply's body as the cause.
#include <fmt/format.h>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "core/encoding.h"
#include "engine/state_machine_tasks.h"

namespace tidepool::engine {
namespace json = boost::json;
namespace bhttp = boost::beast::http;
using sfn::asl::TaskResult;

namespace {

TaskResult Fail(std::string error, std::string cause) {
  return {false, nullptr, {std::move(error), std::move(cause)}};
}

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Percent-encodes a query component (RFC 3986 unreserved characters stay).
std::string Encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// A {name: [values]} parameter as (name, value) pairs; false when it is not of that shape.
bool Pairs(const json::value* v, std::vector<std::pair<std::string, std::string>>* out) {
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_object()) return false;
  for (const auto& [name, values] : v->get_object()) {
    if (values.is_string()) {
      out->emplace_back(std::string(name), std::string(values.get_string()));
      continue;
    }
    if (!values.is_array()) return false;
    for (const auto& value : values.get_array()) {
      if (!value.is_string()) return false;
      out->emplace_back(std::string(name), std::string(value.get_string()));
    }
  }
  return true;
}

// `v` without the null members of its objects, at any depth.
json::value WithoutNulls(const json::value& v) {
  if (const json::object* o = v.if_object()) {
    json::object out;
    for (const auto& [k, x] : *o) {
      if (!x.is_null()) out[k] = WithoutNulls(x);
    }
    return out;
  }
  if (const json::array* a = v.if_array()) {
    json::array out;
    for (const auto& x : *a) out.push_back(WithoutNulls(x));
    return out;
  }
  return v;
}

}  // namespace

void StateMachineTasks::RunApiGateway(const sfn::TaskRequest& request,
                                      std::function<void(TaskResult)> done) {
  if (!execute_api_) {
    return done(Fail("States.TaskFailed",
                     "The resource arn:aws:states:::apigateway:invoke cannot be reached: no "
                     "API Gateway is bound"));
  }
  const json::object* p = request.input.if_object();
  if (p == nullptr) return done(Fail("States.Runtime", "apigateway:invoke needs Parameters"));
  const std::string endpoint = Str(*p, "ApiEndpoint");
  const std::string method = Str(*p, "Method");
  if (endpoint.empty() || method.empty()) {
    return done(Fail("States.Runtime",
                     "apigateway:invoke needs the string parameters ApiEndpoint and Method"));
  }
  const std::string auth = Str(*p, "AuthType");
  if (!auth.empty() && auth != "NO_AUTH") {
    return done(Fail("States.Runtime",
                     fmt::format("apigateway:invoke AuthType {} is not supported by tidepool "
                                 "(it does not sign the call); use NO_AUTH",
                                 auth)));
  }
  std::vector<std::pair<std::string, std::string>> query, headers;
  if (!Pairs(p->if_contains("QueryParameters"), &query) ||
      !Pairs(p->if_contains("Headers"), &headers)) {
    return done(Fail("States.Runtime",
                     "apigateway:invoke QueryParameters and Headers are objects of string "
                     "arrays"));
  }
  std::string stage = Str(*p, "Stage");
  std::string path = Str(*p, "Path");
  std::string target = "/" + (stage.empty() ? std::string("$default") : stage);
  if (!path.empty()) target += (path.front() == '/' ? "" : "/") + path;
  for (size_t k = 0; k < query.size(); ++k) {
    target +=
        fmt::format("{}{}={}", k == 0 ? '?' : '&', Encode(query[k].first), Encode(query[k].second));
  }
  protocol::http::HttpRequest http;
  http.version(11);
  http.method_string(method);
  http.target(target);
  http.set(bhttp::field::host, endpoint);
  for (const auto& [name, value] : headers) http.insert(name, value);
  if (const json::value* body = p->if_contains("RequestBody"); body && !body->is_null()) {
    if (body->is_string()) {
      http.body() = std::string(body->get_string());
    } else {
      const json::value* allow = p->if_contains("AllowNullValues");
      const bool keep_nulls = allow && allow->is_bool() && allow->get_bool();
      http.body() = json::serialize(keep_nulls ? *body : WithoutNulls(*body));
      if (http.find(bhttp::field::content_type) == http.end()) {
        http.set(bhttp::field::content_type, "application/json");
      }
    }
  }
  http.prepare_payload();
  protocol::RequestContext context;
  context.account_id = request.account_id;
  context.region = request.region;
  context.request_id = NewUuid();
  context.host = endpoint;
  execute_api_(
      std::move(http), std::move(context),
      protocol::http::Responder::FromFunction([done](protocol::http::HttpResponse&& response) {
        const int status = static_cast<int>(response.result_int());
        std::string text = std::move(response.body());
        if (status < 200 || status > 299) {
          return done(Fail(fmt::format("ApiGateway.{}", status), std::move(text)));
        }
        json::object result_headers;
        for (const auto& field : response) {
          std::string name(field.name_string());
          auto& list = result_headers[name];
          if (!list.is_array()) list = json::array();
          list.as_array().emplace_back(std::string_view(field.value()));
        }
        json::value body = json::string(text);
        std::string_view type = response[bhttp::field::content_type];
        if (type.find("json") != std::string_view::npos) {
          boost::system::error_code ec;
          json::value parsed = json::parse(text, ec);
          if (!ec) body = std::move(parsed);
        }
        done({true,
              json::object{
                  {"Headers", std::move(result_headers)},
                  {"ResponseBody", std::move(body)},
                  {"StatusCode", status},
                  {"StatusText", response.reason().empty()
                                     ? std::string(bhttp::obsolete_reason(response.result()))
                                     : std::string(response.reason())}},
              {}});
      }));
}

}  // namespace tidepool::engine

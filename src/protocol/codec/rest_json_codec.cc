#include "protocol/codec/rest_json_codec.h"

#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/encoding.h"
#include "protocol/codec/json_codec.h"
#include "protocol/codec/json_text.h"
#include "protocol/codec/validate.h"
#include "protocol/http/query_string.h"

namespace tidepool::protocol::rest_json_codec {
namespace {

namespace json = boost::json;
namespace bhttp = boost::beast::http;
using model::Location;
using model::Member;
using model::ServiceModel;
using model::Shape;
using model::ShapeType;

constexpr size_t kMaxDepth = 128;

AwsError Serialization(std::string message) {
  return AwsError{"SerializationException", std::move(message), 400, true, {}};
}

// A header or query-string value converted to its shape's JSON form (service.h conventions).
std::variant<json::value, AwsError> ScalarFromText(const Shape& shape, std::string_view text,
                                                   std::string_view name) {
  switch (shape.type) {
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || p != text.data() + text.size()) {
        return Serialization("Value '" + std::string(text) + "' for " + std::string(name) +
                             " is not an integer");
      }
      return json::value(n);
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble:
    case ShapeType::kTimestamp: {
      std::string s(text);
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(d)) {
        return Serialization("Value '" + s + "' for " + std::string(name) + " is not a number");
      }
      return json::value(d);
    }
    case ShapeType::kBoolean:
      if (text == "true") return json::value(true);
      if (text == "false") return json::value(false);
      return Serialization("Value '" + std::string(text) + "' for " + std::string(name) +
                           " is not a boolean");
    case ShapeType::kBlob: {
      auto decoded = Base64Decode(text);
      if (!decoded) return Serialization("Value for " + std::string(name) + " is not base64");
      return json::value(json::string(*decoded));
    }
    default:
      return json::value(json::string(text));
  }
}

// A member value as header/query text.
std::string ScalarToText(const Shape& shape, const json::value& v) {
  if (v.is_string()) {
    if (shape.type == ShapeType::kBlob) return Base64Encode(v.get_string());
    return std::string(v.get_string());
  }
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    std::string out;
    json_text::AppendDouble(v.get_double(), out, false);
    return out;
  }
  return json::serialize(v);
}

bool IsRawPayload(const Shape& shape) {
  return shape.type == ShapeType::kBlob || shape.type == ShapeType::kString;
}

const Member* FindMember(const ServiceModel& model, const Shape& shape, std::string_view name) {
  for (const Member& m : model.MembersOf(shape)) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::variant<json::object, AwsError> ParseJsonObject(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::object();
  json::parse_options options;
  options.max_depth = kMaxDepth;
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec, json::storage_ptr(), options);
  if (ec || !parsed.is_object()) return Serialization("");
  return std::move(parsed.get_object());
}

}  // namespace

std::variant<json::object, AwsError> DecodeRequest(const ServiceModel& model,
                                                   const model::Operation& op, const Labels& labels,
                                                   std::string_view query,
                                                   const http::HttpRequest& request) {
  if (op.input == model::kNoShape) return json::object();
  const Shape& shape = model.shape(op.input);
  const std::string& body = request.body();

  json::object input;
  const Member* payload = shape.payload.empty() ? nullptr : FindMember(model, shape, shape.payload);
  if (payload != nullptr && IsRawPayload(model.shape(payload->shape))) {
    if (!body.empty()) input[payload->name] = json::string(body);
  } else if (payload != nullptr) {
    auto parsed = ParseJsonObject(body);
    if (auto* e = std::get_if<AwsError>(&parsed)) return std::move(*e);
    json::object doc = std::move(std::get<json::object>(parsed));
    const Shape& pshape = model.shape(payload->shape);
    if (pshape.type == ShapeType::kStructure || pshape.type == ShapeType::kUnion) {
      if (auto e = json_codec::DecodeBodyMembers(model, payload->shape, doc)) return *e;
    }
    if (!body.empty()) input[payload->name] = std::move(doc);
  } else {
    auto parsed = ParseJsonObject(body);
    if (auto* e = std::get_if<AwsError>(&parsed)) return std::move(*e);
    input = std::move(std::get<json::object>(parsed));
    if (auto e = json_codec::DecodeBodyMembers(model, op.input, input)) return *e;
  }

  std::vector<std::pair<std::string, std::string>> params;
  if (!query.empty()) params = http::ParseQueryString(query, true);
  for (const Member& m : model.MembersOf(shape)) {
    const Shape& mshape = model.shape(m.shape);
    const std::string_view name = m.location_name.empty() ? m.name : m.location_name;
    switch (m.location) {
      case Location::kBody:
      case Location::kStatusCode:
        break;
      case Location::kUri:
        for (const auto& [label, value] : labels) {
          if (label != name) continue;
          auto v = ScalarFromText(mshape, value, name);
          if (auto* e = std::get_if<AwsError>(&v)) return std::move(*e);
          input[m.name] = std::move(std::get<json::value>(v));
        }
        break;
      case Location::kQueryString:
        if (mshape.type == ShapeType::kMap) {
          // Every parameter no other member binds.
          json::object map;
          for (const auto& [k, value] : params) {
            bool bound = false;
            for (const Member& other : model.MembersOf(shape)) {
              bound =
                  bound || (other.location == Location::kQueryString && other.location_name == k);
            }
            if (!bound) map[k] = value;
          }
          if (!map.empty()) input[m.name] = std::move(map);
        } else if (mshape.type == ShapeType::kList) {
          json::array list;
          for (const auto& [k, value] : params) {
            if (k != name) continue;
            auto v = ScalarFromText(model.shape(mshape.member), value, name);
            if (auto* e = std::get_if<AwsError>(&v)) return std::move(*e);
            list.push_back(std::move(std::get<json::value>(v)));
          }
          if (!list.empty()) input[m.name] = std::move(list);
        } else {
          for (const auto& [k, value] : params) {
            if (k != name) continue;
            auto v = ScalarFromText(mshape, value, name);
            if (auto* e = std::get_if<AwsError>(&v)) return std::move(*e);
            input[m.name] = std::move(std::get<json::value>(v));
            break;
          }
        }
        break;
      case Location::kHeader: {
        auto it = request.find(name);
        if (it == request.end()) break;
        if (mshape.type == ShapeType::kList) {
          json::array list;
          std::string_view rest = it->value();
          while (!rest.empty()) {
            size_t comma = rest.find(',');
            std::string_view item = rest.substr(0, comma);
            while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
            while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
            list.push_back(json::string(item));
            if (comma == std::string_view::npos) break;
            rest = rest.substr(comma + 1);
          }
          input[m.name] = std::move(list);
          break;
        }
        auto v = ScalarFromText(mshape, it->value(), name);
        if (auto* e = std::get_if<AwsError>(&v)) return std::move(*e);
        input[m.name] = std::move(std::get<json::value>(v));
        break;
      }
      case Location::kHeaders: {
        json::object map;
        for (const auto& field : request) {
          std::string_view fname = field.name_string();
          if (fname.size() >= name.size() &&
              boost::beast::iequals(fname.substr(0, name.size()), name)) {
            map[fname.substr(name.size())] = field.value();
          }
        }
        if (!map.empty()) input[m.name] = std::move(map);
        break;
      }
    }
  }
  if (auto message = validate::ValidateInput(model, op.input, input)) {
    return AwsError{"ValidationException", std::move(*message), 400, true, {}};
  }
  return input;
}

http::HttpResponse EncodeResponse(const ServiceModel& model, const model::Operation& op,
                                  const json::object& output) {
  unsigned status = op.http_status ? op.http_status : 200;
  http::HttpResponse response(static_cast<bhttp::status>(status), 11);
  if (op.output == model::kNoShape) {
    if (status != 204) {
      response.set(bhttp::field::content_type, "application/json");
      response.body() = "{}";
    }
    return response;
  }
  const Shape& shape = model.shape(op.output);
  bool body_members = false;
  for (const Member& m : model.MembersOf(shape)) {
    const std::string_view name = m.location_name.empty() ? m.name : m.location_name;
    const json::value* v = output.if_contains(m.name);
    switch (m.location) {
      case Location::kBody:
        body_members = body_members || m.name != shape.payload;
        break;
      case Location::kStatusCode:
        if (v != nullptr && v->is_int64() && v->get_int64() >= 100 && v->get_int64() < 600) {
          response.result(static_cast<unsigned>(v->get_int64()));
        }
        break;
      case Location::kHeader:
        if (v != nullptr && !v->is_null()) {
          response.set(name, ScalarToText(model.shape(m.shape), *v));
        }
        break;
      case Location::kHeaders:
        if (v != nullptr && v->is_object()) {
          for (const auto& kv : v->get_object()) {
            if (kv.value().is_string()) {
              response.set(std::string(name) + std::string(kv.key()),
                           std::string(kv.value().get_string()));
            }
          }
        }
        break;
      case Location::kUri:
      case Location::kQueryString:
        break;
    }
  }
  const Member* payload = shape.payload.empty() ? nullptr : FindMember(model, shape, shape.payload);
  if (payload != nullptr) {
    const json::value* v = output.if_contains(payload->name);
    const Shape& pshape = model.shape(payload->shape);
    if (IsRawPayload(pshape)) {
      if (v != nullptr && v->is_string()) response.body() = std::string(v->get_string());
      if (response.find(bhttp::field::content_type) == response.end()) {  // else a header member's
        response.set(bhttp::field::content_type,
                     pshape.type == ShapeType::kBlob ? "application/octet-stream" : "text/plain");
      }
    } else if (v != nullptr && v->is_string() && pshape.event_stream) {
      // An event stream the operation encoded already (protocol/codec/event_stream.h).
      response.body() = std::string(v->get_string());
      response.set(bhttp::field::content_type, "application/vnd.amazon.eventstream");
    } else if (v != nullptr && v->is_object()) {
      response.body() = json_codec::EncodeBodyMembers(model, payload->shape, v->get_object());
      response.set(bhttp::field::content_type, "application/json");
    }
    return response;
  }
  if (response.result_int() == 204 && !body_members) return response;
  response.set(bhttp::field::content_type, "application/json");
  response.body() = json_codec::EncodeBodyMembers(model, op.output, output);
  return response;
}

http::HttpResponse EncodeError(const ServiceModel& model, const AwsError& error) {
  http::HttpResponse response(
      static_cast<bhttp::status>(error.http_status > 0 ? error.http_status : 400), 11);
  response.set("x-amzn-ErrorType", error.code);
  response.set(bhttp::field::content_type, "application/json");
  std::string_view message_key = "message";
  if (uint16_t s = model.FindShape(error.code); s != model::kNoShape) {
    if (FindMember(model, model.shape(s), "Message") != nullptr) message_key = "Message";
  }
  std::string out = "{\"Type\":";
  out += error.sender_fault ? "\"User\"" : "\"Service\"";
  out += ",\"";
  out += message_key;
  out += "\":";
  json_text::AppendStringSafe(error.message, out);
  if (!error.extra_json.empty()) (out += ',') += error.extra_json;
  out += '}';
  response.body() = std::move(out);
  return response;
}

}  // namespace tidepool::protocol::rest_json_codec

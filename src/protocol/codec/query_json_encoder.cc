// JSON side of the query codec (query_codec.h): the replies AWS's query services send when a
// request asks for JSON (Accept: application/json).
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include "core/base64.h"
#include "protocol/codec/json_text.h"
#include "protocol/codec/query_codec.h"
#include "protocol/codec/query_dialect.h"

namespace tidepool::protocol::query_codec {
namespace {

namespace json = boost::json;
using model::ShapeType;

class JsonEncoder {
 public:
  explicit JsonEncoder(const QueryDialect& dialect) : dialect_(dialect), model_(dialect.model()) {}

  // Every member of `shape`, in shape order, null when `o` lacks it (AWS lists them all).
  json::object Members(const json::object& o, const model::Shape& shape) const {
    json::object out;
    for (const model::Member& m : model_.MembersOf(shape)) {
      const json::value* v = o.if_contains(m.name);
      out[dialect_.JsonMemberName(m)] = v == nullptr ? json::value() : Value(m.shape, *v);
    }
    return out;
  }

 private:
  // A value of the wrong JSON type (a service bug) is passed through as it is.
  json::value Value(uint16_t index, const json::value& v) const {
    if (v.is_null()) return v;
    const model::Shape& shape = model_.shape(index);
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        return v.is_object() ? json::value(Members(v.get_object(), shape)) : v;
      case ShapeType::kList: {
        if (!v.is_array()) return v;
        json::array out;
        out.reserve(v.get_array().size());
        for (const json::value& e : v.get_array()) out.push_back(Value(shape.member, e));
        return out;
      }
      case ShapeType::kMap: {
        if (!v.is_object()) return v;
        json::object out;
        for (const auto& kv : v.get_object()) {
          if (!kv.value().is_null()) out[kv.key()] = Value(shape.member, kv.value());
        }
        return out;
      }
      case ShapeType::kBlob: {
        if (!v.is_string()) return v;
        std::string encoded;
        AppendBase64(v.get_string(), encoded);
        return json::string(encoded);
      }
      case ShapeType::kInteger:
      case ShapeType::kLong:
        if (v.is_double() && std::isfinite(v.get_double()) && std::fabs(v.get_double()) < 9.2e18) {
          return static_cast<int64_t>(v.get_double());
        }
        return v;
      case ShapeType::kTimestamp:  // epoch seconds, as AWS's JSON protocols send them
      case ShapeType::kBoolean:
      case ShapeType::kFloat:
      case ShapeType::kDouble:
      case ShapeType::kString:
        return v;
    }
    return v;
  }

  const QueryDialect& dialect_;
  const model::ServiceModel& model_;
};

// `v` as JSON text whose strings (keys too) are valid UTF-8 whatever the service stored:
// malformed bytes become U+FFFD (json::serialize would copy them and break the document).
void AppendJson(const json::value& v, std::string& out) {
  if (v.is_string()) return json_text::AppendStringSafe(v.get_string(), out);
  if (v.is_double()) return json_text::AppendDouble(v.get_double(), out, /*fixed=*/false);
  if (const json::array* a = v.if_array()) {
    out += '[';
    for (size_t i = 0; i < a->size(); ++i) {
      if (i > 0) out += ',';
      AppendJson((*a)[i], out);
    }
    out += ']';
    return;
  }
  if (const json::object* o = v.if_object()) {
    out += '{';
    bool first = true;
    for (const auto& kv : *o) {
      if (!first) out += ',';
      first = false;
      json_text::AppendStringSafe(kv.key(), out);
      out += ':';
      AppendJson(kv.value(), out);
    }
    out += '}';
    return;
  }
  out += json::serialize(v);  // null, booleans and integers: no text to check
}

std::string JsonText(const json::object& o) {
  std::string out;
  out.reserve(256);
  AppendJson(o, out);
  return out;
}

json::object Metadata(std::string_view request_id) {
  json::object metadata;
  metadata["RequestId"] = request_id;
  return metadata;
}

}  // namespace

std::string EncodeJsonResponse(const model::ServiceModel& model, const model::Operation& op,
                               const boost::json::object& output, std::string_view request_id) {
  const QueryDialect& dialect = QueryDialect::For(model);
  json::object body;
  if (op.output != model::kNoShape) {
    json::object result = JsonEncoder(dialect).Members(output, model.shape(op.output));
    const std::string wrapper = dialect.ResultWrapper(op);
    if (wrapper.empty()) {
      body = std::move(result);
    } else {
      body[wrapper] = std::move(result);
    }
  }
  body["ResponseMetadata"] = Metadata(request_id);
  json::object root;
  root[std::string(op.name) + "Response"] = std::move(body);
  return JsonText(root);
}

std::string EncodeJsonError(const model::ServiceModel* model, const AwsError& error,
                            std::string_view request_id) {
  const QueryDialect* dialect = model != nullptr ? &QueryDialect::For(*model) : nullptr;
  json::object detail;
  detail["Code"] = error.query_code.empty() ? error.code : error.query_code;
  detail["Message"] =
      dialect != nullptr ? dialect->ErrorMessage(error.message) : std::string_view(error.message);
  detail["Type"] = error.sender_fault ? "Sender" : "Receiver";
  json::object root;
  root["Error"] = std::move(detail);
  root["RequestId"] = request_id;
  return JsonText(root);
}

}  // namespace tidepool::protocol::query_codec

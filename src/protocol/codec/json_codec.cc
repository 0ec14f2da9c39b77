#include "protocol/codec/json_codec.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "protocol/codec/blob_base64.h"
#include "protocol/codec/json_text.h"
#include "protocol/codec/validate.h"

namespace tidepool::protocol::json_codec {
namespace {

namespace json = boost::json;
using model::Member;
using model::ServiceModel;
using model::Shape;
using model::ShapeType;

// Deep enough for DynamoDB's 32 levels of nested attribute values (two JSON levels each) plus
// the request envelope; deeper input is rejected by the parser before any recursion here.
constexpr size_t kMaxDepth = 128;

AwsError Serialization(std::string message) {
  return AwsError{"SerializationException", std::move(message), 400, true, {}};
}

// Coral's names for the Java types it failed to convert to.
std::string_view JavaTypeName(ShapeType t) {
  switch (t) {
    case ShapeType::kInteger:
      return "Integer";
    case ShapeType::kLong:
      return "Long";
    case ShapeType::kFloat:
      return "Float";
    case ShapeType::kDouble:
      return "Double";
    default:
      return "String";
  }
}

// Converts one decoded JSON value in place to the conventions of service.h, or returns the
// SerializationException message. Null list elements and map values are left for validation
// (which reports them as "Member must not be null").
class Decoder {
 public:
  explicit Decoder(const ServiceModel& model) : model_(model) {}

  // Unknown members and nulls are removed: absent optional members are absent keys.
  bool Structure(json::object& o, const Shape& shape) {
    auto members = model_.MembersOf(shape);
    if (model_.protocol == model::Protocol::kRestJson) {
      // rest-json sends a body member with a locationName under that name ("item" for
      // API Gateway's "items"); the input object uses the member name.
      for (const Member& m : members) {
        if (m.location != model::Location::kBody || m.location_name.empty() ||
            m.location_name == m.name) {
          continue;
        }
        if (json::value* v = o.if_contains(m.location_name)) {
          json::value moved = std::move(*v);
          o.erase(m.location_name);
          o[m.name] = std::move(moved);
        }
      }
    }
    for (size_t i = 0; i < o.size();) {
      auto it = o.begin() + static_cast<std::ptrdiff_t>(i);
      const Member* member = nullptr;
      for (const Member& m : members) {
        if (m.name == it->key()) {
          member = &m;
          break;
        }
      }
      // REST protocols: members bound to the URI, query or headers never come from the body.
      if (member == nullptr || it->value().is_null() ||
          member->location != model::Location::kBody) {
        o.erase(it);  // the element now at i (if any) has not been visited yet
        continue;
      }
      if (!Value(it->value(), member->shape)) return false;
      ++i;
    }
    return true;
  }

  std::string& error() { return error_; }

 private:
  bool Fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  // The texts Coral uses for a container where a scalar or another container was expected.
  bool ContainerMismatch(const json::value& v) {
    return Fail(v.is_array() ? "Start of list found where not expected"
                             : "Start of structure or map found where not expected.");
  }

  bool Value(json::value& v, uint16_t index) {
    const Shape& shape = model_.shape(index);
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        if (v.is_object()) return Structure(v.get_object(), shape);
        if (v.is_array()) return ContainerMismatch(v);
        return Fail("Expected null");
      case ShapeType::kList:
        if (v.is_array()) {
          for (json::value& e : v.get_array()) {
            if (!e.is_null() && !Value(e, shape.member)) return false;
          }
          return true;
        }
        if (v.is_object()) return ContainerMismatch(v);
        return Fail("Expected list or null");
      case ShapeType::kMap:
        if (v.is_object()) {
          for (auto& kv : v.get_object()) {
            if (!kv.value().is_null() && !Value(kv.value(), shape.member)) return false;
          }
          return true;
        }
        if (v.is_array()) return ContainerMismatch(v);
        return Fail("Expected map or null");
      case ShapeType::kString:
        if (v.is_string()) return true;
        if (v.is_bool()) return Fail("class java.lang.Boolean can not be converted to an String");
        if (v.is_number()) return FailNumber("an String");
        return ContainerMismatch(v);
      case ShapeType::kBoolean:
        return Boolean(v);
      case ShapeType::kInteger:
      case ShapeType::kLong:
        return Integer(v, shape.type);
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        if (v.is_number()) {
          v = v.to_number<double>();
          // A literal beyond a double's range (1e999) parses as infinity, which no JSON
          // reply could carry back: refused as the out-of-range number it is.
          if (!std::isfinite(v.get_double())) return Fail("Numeric value out of range");
          return true;
        }
        return ScalarMismatch(v, shape.type);
      case ShapeType::kBlob:
        return Blob(v);
      case ShapeType::kTimestamp:
        if (v.is_number()) {
          v = v.to_number<double>();
          if (!std::isfinite(v.get_double())) return Fail("Numeric value out of range");
          return true;
        }
        if (v.is_bool()) {
          return Fail("class java.lang.Boolean can not be converted to milliseconds since epoch");
        }
        if (v.is_string()) {
          return Fail("class java.lang.String can not be converted to milliseconds since epoch");
        }
        return ContainerMismatch(v);
    }
    return true;
  }

  bool FailNumber(std::string_view target) {
    return Fail(
        "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be "
        "converted to " +
        std::string(target));
  }

  bool ScalarMismatch(const json::value& v, ShapeType t) {
    if (v.is_string()) {
      return Fail("class java.lang.String can not be converted to an " +
                  std::string(JavaTypeName(t)));
    }
    if (v.is_bool()) {
      return Fail("class java.lang.Boolean can not be converted to an " +
                  std::string(JavaTypeName(t)));
    }
    return ContainerMismatch(v);
  }

  bool Boolean(json::value& v) {
    if (v.is_bool()) return true;
    if (v.is_number()) return FailNumber("an Boolean");
    if (!v.is_string()) return ContainerMismatch(v);
    std::string upper(v.get_string());
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (upper == "TRUE" || upper == "FALSE") {
      v = upper == "TRUE";
      return true;
    }
    return Fail("'" + upper + "' can not be converted to an Boolean");
  }

  // Numbers are truncated towards negative infinity and clamped to the Java type's range.
  bool Integer(json::value& v, ShapeType t) {
    const int64_t lo = t == ShapeType::kInteger ? std::numeric_limits<int32_t>::min()
                                                : std::numeric_limits<int64_t>::min();
    const int64_t hi = t == ShapeType::kInteger ? std::numeric_limits<int32_t>::max()
                                                : std::numeric_limits<int64_t>::max();
    if (v.is_int64()) {
      int64_t n = v.get_int64();
      if (n < lo || n > hi) v = n < lo ? lo : hi;
      return true;
    }
    if (v.is_uint64()) {
      v = hi;  // parsed as uint64 only above INT64_MAX
      return true;
    }
    if (v.is_double()) {
      double d = std::floor(v.get_double());
      if (!(d >= static_cast<double>(lo))) {
        v = lo;
      } else if (d >= static_cast<double>(hi)) {
        v = hi;
      } else {
        v = static_cast<int64_t>(d);
      }
      return true;
    }
    return ScalarMismatch(v, t);
  }

  bool Blob(json::value& v) {
    if (v.is_string()) {
      json::string& s = v.get_string();
      if (auto err = blob_base64::Decode(s, scratch_)) return Fail(std::move(*err));
      s.assign(scratch_.data(), scratch_.size());
      return true;
    }
    if (v.is_bool()) return Fail("class java.lang.Boolean can not be converted to a Blob");
    if (v.is_number()) return FailNumber("a Blob");
    return ContainerMismatch(v);
  }

  const ServiceModel& model_;
  std::string error_;
  std::string scratch_;
};

// ---- Output ------------------------------------------------------------------------------

using json_text::AppendDouble;
using json_text::AppendInt;

class Encoder {
 public:
  Encoder(const ServiceModel& model, std::string& out) : model_(model), out_(out) {}

  void Structure(const json::object& o, const Shape& shape) {
    out_ += '{';
    bool first = true;
    for (const Member& m : model_.MembersOf(shape)) {
      if (m.location != model::Location::kBody) continue;  // REST: sent in headers/status
      const json::value* v = o.if_contains(m.name);
      if (v == nullptr || v->is_null()) continue;
      if (!first) out_ += ',';
      first = false;
      // rest-json: under the member's locationName when it has one (see Decoder::Structure).
      json_text::AppendString(
          model_.protocol == model::Protocol::kRestJson && !m.location_name.empty()
              ? m.location_name
              : m.name,
          out_);
      out_ += ':';
      Value(*v, m.shape);
    }
    out_ += '}';
  }

 private:
  void Generic(const json::value& v) { out_ += json::serialize(v); }

  void Value(const json::value& v, uint16_t index) {
    const Shape& shape = model_.shape(index);
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        if (!v.is_object()) return Generic(v);
        return Structure(v.get_object(), shape);
      case ShapeType::kList: {
        if (!v.is_array()) return Generic(v);
        out_ += '[';
        bool first = true;
        for (const json::value& e : v.get_array()) {
          if (!first) out_ += ',';
          first = false;
          Value(e, shape.member);
        }
        out_ += ']';
        return;
      }
      case ShapeType::kMap: {
        if (!v.is_object()) return Generic(v);
        out_ += '{';
        bool first = true;
        for (const auto& kv : v.get_object()) {
          if (kv.value().is_null()) continue;
          if (!first) out_ += ',';
          first = false;
          json_text::AppendString(kv.key(), out_);
          out_ += ':';
          Value(kv.value(), shape.member);
        }
        out_ += '}';
        return;
      }
      case ShapeType::kString:
        if (!v.is_string()) return Generic(v);
        return json_text::AppendString(v.get_string(), out_);
      case ShapeType::kBlob:
        if (!v.is_string()) return Generic(v);
        return json_text::AppendBlob(v.get_string(), out_);
      case ShapeType::kTimestamp:
        if (!v.is_number()) return Generic(v);
        if (v.is_int64()) return AppendInt(v.get_int64(), out_);
        return AppendDouble(v.to_number<double>(), out_, true);
      case ShapeType::kInteger:
      case ShapeType::kLong:
        if (v.is_double()) return AppendInt(static_cast<int64_t>(v.get_double()), out_);
        return Generic(v);
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        if (!v.is_number()) return Generic(v);
        if (v.is_int64()) return AppendInt(v.get_int64(), out_);
        return AppendDouble(v.to_number<double>(), out_, false);
      case ShapeType::kBoolean:
        if (!v.is_bool()) return Generic(v);
        out_ += v.get_bool() ? "true" : "false";
        return;
    }
  }

  const ServiceModel& model_;
  std::string& out_;
};

// Kinesis's front end answers an empty request body with a SerializationException and an
// operation without output with an empty body; other JSON services are not known to (they
// keep taking "" as "{}" and answering "{}").
bool StrictEmptyBodies(const model::ServiceModel& model) {
  return model.target_prefix == "Kinesis_20131202";
}

}  // namespace

std::variant<boost::json::object, AwsError> DecodeRequest(const model::ServiceModel& model,
                                                          const model::Operation& op,
                                                          std::string_view body) {
  json::object input;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos) {
    json::parse_options options;
    options.max_depth = kMaxDepth;
    boost::system::error_code ec;
    json::value parsed = json::parse(body, ec, json::storage_ptr(), options);
    if (ec) return Serialization("");
    if (parsed.is_array()) return Serialization("Start of list found where not expected");
    if (!parsed.is_object()) return Serialization("");
    input = std::move(parsed.get_object());
  } else if (!body.empty() || StrictEmptyBodies(model)) {
    return Serialization("");  // whitespace only: not a JSON document
  }
  if (op.input == model::kNoShape) return json::object();

  const Shape& shape = model.shape(op.input);
  Decoder decoder(model);
  if (!decoder.Structure(input, shape)) return Serialization(std::move(decoder.error()));
  if (auto message = validate::ValidateInput(model, op.input, input)) {
    return AwsError{"ValidationException", std::move(*message), 400, true, {}};
  }
  return input;
}

std::variant<boost::json::object, AwsError> DecodeOutput(const model::ServiceModel& model,
                                                         const model::Operation& op,
                                                         std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return Serialization("output is not a JSON object");
  json::object output = std::move(parsed.get_object());
  if (op.output == model::kNoShape) return output;
  Decoder decoder(model);
  if (!decoder.Structure(output, model.shape(op.output))) {
    return Serialization(std::move(decoder.error()));
  }
  return output;
}

std::string EncodeOutput(const model::ServiceModel& model, const model::Operation& op,
                         const boost::json::object& output) {
  if (op.output == model::kNoShape) return StrictEmptyBodies(model) ? "" : "{}";
  std::string out;
  out.reserve(256);
  Encoder(model, out).Structure(output, model.shape(op.output));
  return out;
}

std::string EncodeError(const AwsError& error) {
  std::string out = "{\"__type\":";
  json_text::AppendStringSafe(error.code, out);
  if (!error.message.empty()) {
    // AWS spells it "Message" in SerializationException bodies, "message" elsewhere; the SDKs
    // accept both.
    out += error.code == "SerializationException" ? ",\"Message\":" : ",\"message\":";
    json_text::AppendStringSafe(error.message, out);
  }
  if (!error.extra_json.empty()) (out += ',') += error.extra_json;
  out += '}';
  return out;
}

std::optional<AwsError> DecodeBodyMembers(const model::ServiceModel& model, uint16_t shape,
                                          boost::json::object& o) {
  Decoder decoder(model);
  if (!decoder.Structure(o, model.shape(shape))) return Serialization(std::move(decoder.error()));
  return std::nullopt;
}

std::string EncodeBodyMembers(const model::ServiceModel& model, uint16_t shape,
                              const boost::json::object& o) {
  std::string out;
  Encoder(model, out).Structure(o, model.shape(shape));
  return out;
}

Call::RawInput RawInput(const model::ServiceModel& model, std::string body) {
  return Call::RawInput{std::move(body), &model, &DecodeRequest};
}

CallPtr MakeCall(const Service& service, const model::Operation& op, std::string body,
                 RequestContext context, Call::Completion done) {
  if (service.TakesRawInput(op)) {
    return std::make_shared<Call>(std::move(context), op,
                                  RawInput(service.Model(), std::move(body)), std::move(done));
  }
  auto decoded = DecodeRequest(service.Model(), op, body);
  if (auto* error = std::get_if<AwsError>(&decoded)) {
    done(std::move(*error));
    return nullptr;
  }
  return std::make_shared<Call>(std::move(context), op,
                                std::move(std::get<boost::json::object>(decoded)), std::move(done));
}

}  // namespace tidepool::protocol::json_codec

#include "protocol/codec/cbor_codec.h"

#include <boost/json.hpp>

#include <cmath>

#include "protocol/codec/cbor.h"
#include "protocol/codec/json_codec.h"

namespace tidepool::protocol::cbor_codec {
namespace json = boost::json;
using model::Member;
using model::Shape;
using model::ShapeType;

namespace {

AwsError Serialization(std::string message) {
  return AwsError{"SerializationException", std::move(message), 400, true, {}};
}

size_t CountPresent(const json::object& o) {
  size_t n = 0;
  for (const auto& kv : o) n += !kv.value().is_null();
  return n;
}

// Writes output values along their shapes, as json_codec's Encoder writes JSON.
class Encoder {
 public:
  Encoder(const model::ServiceModel& model, std::string& out) : model_(model), out_(out) {}

  void Structure(const json::object& o, const Shape& shape) {
    size_t n = 0;
    for (const Member& m : model_.MembersOf(shape)) {
      const json::value* v = o.if_contains(m.name);
      n += m.location == model::Location::kBody && v != nullptr && !v->is_null();
    }
    out_.Map(n);
    for (const Member& m : model_.MembersOf(shape)) {
      if (m.location != model::Location::kBody) continue;
      const json::value* v = o.if_contains(m.name);
      if (v == nullptr || v->is_null()) continue;
      out_.Text(m.name);
      Value(*v, m.shape);
    }
  }

  // A value with no shape to follow (a mismatch the JSON encoder would write as it is).
  void Generic(const json::value& v) {
    switch (v.kind()) {
      case json::kind::null:
        return out_.Null();
      case json::kind::bool_:
        return out_.Bool(v.get_bool());
      case json::kind::int64:
        return out_.Int(v.get_int64());
      case json::kind::uint64:
        return out_.Uint(v.get_uint64());
      case json::kind::double_:
        return out_.Double(v.get_double());
      case json::kind::string:
        return out_.Text(v.get_string());
      case json::kind::array:
        out_.Array(v.get_array().size());
        for (const auto& e : v.get_array()) Generic(e);
        return;
      case json::kind::object:
        out_.Map(v.get_object().size());
        for (const auto& kv : v.get_object()) {
          out_.Text(kv.key());
          Generic(kv.value());
        }
        return;
    }
  }

 private:
  void Value(const json::value& v, uint16_t index) {
    const Shape& shape = model_.shape(index);
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        if (!v.is_object()) return Generic(v);
        return Structure(v.get_object(), shape);
      case ShapeType::kList:
        if (!v.is_array()) return Generic(v);
        out_.Array(v.get_array().size());
        for (const json::value& e : v.get_array()) Value(e, shape.member);
        return;
      case ShapeType::kMap:
        if (!v.is_object()) return Generic(v);
        out_.Map(CountPresent(v.get_object()));
        for (const auto& kv : v.get_object()) {
          if (kv.value().is_null()) continue;
          out_.Text(kv.key());
          Value(kv.value(), shape.member);
        }
        return;
      case ShapeType::kBlob:
        if (!v.is_string()) return Generic(v);
        return out_.Bytes(v.get_string());
      case ShapeType::kTimestamp:
        // AWS's CBOR carries epoch milliseconds under tag 1 (the SDKs' UNIX_TIMESTAMP_MILLIS).
        if (!v.is_number()) return Generic(v);
        out_.Tag(1);
        return out_.Int(std::llround(v.to_number<double>() * 1000.0));
      case ShapeType::kInteger:
      case ShapeType::kLong:
        if (v.is_double()) return out_.Int(static_cast<int64_t>(v.get_double()));
        return Generic(v);
      case ShapeType::kFloat:
      case ShapeType::kDouble:
        if (!v.is_number()) return Generic(v);
        if (v.is_int64()) return out_.Int(v.get_int64());
        return out_.Double(v.to_number<double>());
      default:  // strings, booleans
        return Generic(v);
    }
  }

  const model::ServiceModel& model_;
  cbor::Writer out_;
};

// Timestamps arrive in epoch milliseconds (tag 1); the JSON codec takes epoch seconds.
void MillisToSeconds(const model::ServiceModel& model, uint16_t index, json::value& v, int depth) {
  if (index == model::kNoShape || depth > cbor::kMaxDepth) return;
  const Shape& shape = model.shape(index);
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion:
      if (!v.is_object()) return;
      for (const Member& m : model.MembersOf(shape)) {
        if (json::value* member = v.get_object().if_contains(m.name)) {
          MillisToSeconds(model, m.shape, *member, depth + 1);
        }
      }
      return;
    case ShapeType::kList:
      if (!v.is_array()) return;
      for (json::value& e : v.get_array()) MillisToSeconds(model, shape.member, e, depth + 1);
      return;
    case ShapeType::kMap:
      if (!v.is_object()) return;
      for (auto& kv : v.get_object()) MillisToSeconds(model, shape.member, kv.value(), depth + 1);
      return;
    case ShapeType::kTimestamp:
      if (v.is_number()) v = v.to_number<double>() / 1000.0;
      return;
    default:
      return;
  }
}

}  // namespace

std::variant<json::object, AwsError> DecodeRequest(const model::ServiceModel& model,
                                                   const model::Operation& op,
                                                   std::string_view body) {
  std::string error;
  auto value = cbor::Read(body, &error);
  if (!value) return Serialization("");
  if (!value->is_object()) return Serialization("");
  MillisToSeconds(model, op.input, *value, 0);
  // Byte strings arrived as base64 text, timestamps are epoch seconds now: the JSON codec's own
  // input.
  return json_codec::DecodeRequest(model, op, json::serialize(*value));
}

CallPtr MakeCall(const Service& service, const model::Operation& op, std::string_view body,
                 RequestContext context, Call::Completion done) {
  auto decoded = DecodeRequest(service.Model(), op, body);
  if (auto* error = std::get_if<AwsError>(&decoded)) {
    done(std::move(*error));
    return nullptr;
  }
  return std::make_shared<Call>(std::move(context), op, std::move(std::get<json::object>(decoded)),
                                std::move(done));
}

std::string EncodeOutput(const model::ServiceModel& model, const model::Operation& op,
                         const json::object& output) {
  std::string out;
  if (op.output == model::kNoShape) return out;
  Encoder(model, out).Structure(output, model.shape(op.output));
  return out;
}

std::variant<std::string, AwsError> EncodeJsonOutput(const model::ServiceModel& model,
                                                     const model::Operation& op,
                                                     std::string_view json_body) {
  auto decoded = json_codec::DecodeOutput(model, op, json_body);
  if (auto* error = std::get_if<AwsError>(&decoded)) return std::move(*error);
  return EncodeOutput(model, op, std::get<json::object>(decoded));
}

std::string EncodeStructure(const model::ServiceModel& model, uint16_t shape,
                            const json::object& o) {
  std::string out;
  Encoder(model, out).Structure(o, model.shape(shape));
  return out;
}

std::string EncodeError(const AwsError& error) {
  std::string out;
  cbor::Writer w(out);
  w.Map(error.message.empty() ? 1 : 2);
  w.Text("__type");
  w.Text(error.code);
  if (!error.message.empty()) {
    w.Text("message");
    w.Text(error.message);
  }
  return out;
}

}  // namespace tidepool::protocol::cbor_codec

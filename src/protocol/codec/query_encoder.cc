// XML side of the query codec (query_codec.h).
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "core/base64.h"
#include "protocol/codec/query_codec.h"
#include "protocol/codec/query_dialect.h"
#include "protocol/codec/xml_writer.h"

namespace tidepool::protocol::query_codec {
namespace {

namespace json = boost::json;
using model::Member;
using model::ServiceModel;
using model::Shape;
using model::ShapeType;
using xml::XmlWriter;

// Civil date of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

std::string IntText(int64_t n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  return std::string(buf, r.ptr);
}

std::string DoubleText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

// Text of a JSON value whose type does not match its shape (a service bug): written as best
// it can be rather than dropped silently or crashing.
std::string LooseText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_int64()) return IntText(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return DoubleText(v.get_double());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  return {};
}

class Encoder {
 public:
  Encoder(const QueryDialect& dialect, XmlWriter& w)
      : dialect_(dialect), model_(dialect.model()), w_(w) {}

  void Members(const json::object& o, const Shape& shape) {
    for (const Member& m : model_.MembersOf(shape)) {
      const json::value* v = o.if_contains(m.name);
      if (v == nullptr || v->is_null()) continue;
      MemberValue(m, *v);
    }
  }

 private:
  void MemberValue(const Member& m, const json::value& v) {
    const Shape& shape = model_.shape(m.shape);
    bool flat = dialect_.Flattened(m);
    if (shape.type == ShapeType::kList && flat && v.is_array()) {
      std::string_view name = dialect_.FlattenedListName(m);
      for (const json::value& e : v.get_array()) Value(name, shape.member, e);
      return;
    }
    if (shape.type == ShapeType::kMap && flat && v.is_object()) {
      std::string_view name = dialect_.MemberName(m);
      for (const auto& kv : v.get_object()) {
        if (kv.value().is_null()) continue;
        w_.Open(name);
        MapEntry(m.shape, kv.key(), kv.value());
        w_.Close();
      }
      return;
    }
    Value(dialect_.MemberName(m), m.shape, v);
  }

  void MapEntry(uint16_t map_index, std::string_view key, const json::value& value) {
    const Shape& shape = model_.shape(map_index);
    w_.Element(dialect_.MapKeyName(map_index), key);
    Value(dialect_.MapValueName(map_index), shape.member, value);
  }

  void Value(std::string_view name, uint16_t index, const json::value& v) {
    const Shape& shape = model_.shape(index);
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        if (!v.is_object()) return w_.Element(name, LooseText(v));
        w_.Open(name);
        Members(v.get_object(), shape);
        return w_.Close();
      case ShapeType::kList: {
        if (!v.is_array()) return w_.Element(name, LooseText(v));
        w_.Open(name);
        std::string_view element = dialect_.ListElementName(index);
        for (const json::value& e : v.get_array()) Value(element, shape.member, e);
        return w_.Close();
      }
      case ShapeType::kMap:
        if (!v.is_object()) return w_.Element(name, LooseText(v));
        w_.Open(name);
        for (const auto& kv : v.get_object()) {
          if (kv.value().is_null()) continue;
          w_.Open("entry");
          MapEntry(index, kv.key(), kv.value());
          w_.Close();
        }
        return w_.Close();
      case ShapeType::kBlob: {
        if (!v.is_string()) return w_.Element(name, LooseText(v));
        std::string encoded;
        AppendBase64(v.get_string(), encoded);
        return w_.Element(name, encoded);
      }
      case ShapeType::kTimestamp:
        if (!v.is_number()) return w_.Element(name, LooseText(v));
        return w_.Element(name, FormatTimestamp(v.to_number<double>()));
      case ShapeType::kInteger:
      case ShapeType::kLong:
        if (v.is_double() && std::isfinite(v.get_double()) && std::fabs(v.get_double()) < 9.2e18) {
          return w_.Element(name, IntText(static_cast<int64_t>(v.get_double())));
        }
        return w_.Element(name, LooseText(v));
      case ShapeType::kBoolean:
      case ShapeType::kFloat:
      case ShapeType::kDouble:
      case ShapeType::kString:
        return w_.Element(name, LooseText(v));
    }
  }

  const QueryDialect& dialect_;
  const ServiceModel& model_;
  XmlWriter& w_;
};

}  // namespace

std::string FormatTimestamp(double seconds) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > 253402300799.0) seconds = 0;
  double whole = std::floor(seconds);
  auto millis = static_cast<int>(std::lround((seconds - whole) * 1000));
  auto secs = static_cast<int64_t>(whole);
  if (millis == 1000) {
    millis = 0;
    ++secs;
  }
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y = 0;
  unsigned m = 0;
  unsigned d = 0;
  CivilFromDays(days, y, m, d);
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d",
                        static_cast<long long>(y), m, d, static_cast<int>(rem / 3600),
                        static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (millis != 0) {
    std::snprintf(buf, sizeof buf, ".%03d", millis);
    out += buf;
  }
  out += 'Z';
  return out;
}

std::string EncodeResponse(const model::ServiceModel& model, const model::Operation& op,
                           const boost::json::object& output, std::string_view request_id) {
  const QueryDialect& dialect = QueryDialect::For(model);
  std::string out;
  out.reserve(512);
  XmlWriter w(out, dialect.pretty_xml());
  if (!dialect.pretty_xml()) w.Declaration();
  std::string root = std::string(op.name) + "Response";
  w.Open(root, dialect.xml_namespace());
  if (op.output != model::kNoShape) {
    const std::string wrapper = dialect.ResultWrapper(op);
    Encoder encoder(dialect, w);
    if (!wrapper.empty()) w.Open(wrapper);
    encoder.Members(output, model.shape(op.output));
    if (!wrapper.empty()) w.Close();
  }
  w.Open("ResponseMetadata");
  w.Element("RequestId", request_id);
  w.Close();
  w.Close();
  w.Finish();
  return out;
}

std::string EncodeError(const model::ServiceModel* model, const AwsError& error,
                        std::string_view request_id) {
  const QueryDialect* dialect = model != nullptr ? &QueryDialect::For(*model) : nullptr;
  bool pretty = dialect != nullptr && dialect->pretty_xml();
  std::string out;
  out.reserve(256 + error.message.size());
  XmlWriter w(out, pretty);
  if (!pretty) w.Declaration();
  w.Open("ErrorResponse", dialect != nullptr ? dialect->xml_namespace() : std::string_view());
  w.Open("Error");
  w.Element("Type", error.sender_fault ? "Sender" : "Receiver");
  w.Element("Code", error.query_code.empty() ? error.code : error.query_code);
  w.Element("Message", dialect != nullptr ? dialect->ErrorMessage(error.message)
                                          : std::string_view(error.message));
  if (dialect != nullptr && dialect->error_detail()) w.Empty("Detail");
  w.Close();
  w.Element("RequestId", request_id);
  w.Close();
  w.Finish();
  return out;
}

}  // namespace tidepool::protocol::query_codec

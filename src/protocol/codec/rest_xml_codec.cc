#include "protocol/codec/rest_xml_codec.h"

#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "core/encoding.h"
#include "protocol/codec/json_text.h"
#include "protocol/codec/query_codec.h"
#include "protocol/codec/xml_writer.h"
#include "protocol/http/query_string.h"

namespace tidepool::protocol::rest_xml_codec {
namespace {

namespace json = boost::json;
namespace bhttp = boost::beast::http;
using model::Location;
using model::Member;
using model::ServiceModel;
using model::Shape;
using model::ShapeType;

enum class TextKind { kHeader, kQuery, kXml };

AwsError InvalidArgument(std::string message) {
  return AwsError{"InvalidArgument", std::move(message), 400, true, {}};
}

AwsError MalformedXml() {
  return AwsError{"MalformedXML",
                  "The XML you provided was not well-formed or did not validate against our "
                  "published schema",
                  400,
                  true,
                  {}};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Header, query or XML text converted to its shape's JSON form (service.h conventions).
std::optional<json::value> ScalarFromText(const Shape& shape, std::string_view text,
                                          TextKind kind) {
  switch (shape.type) {
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      text = Trim(text);
      int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
      return json::value(n);
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      std::string s(Trim(text));
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
      return json::value(d);
    }
    case ShapeType::kTimestamp: {
      text = Trim(text);
      std::optional<double> t = kind == TextKind::kHeader ? ParseHttpDate(text) : std::nullopt;
      if (!t) t = ParseIso8601(text);
      if (!t) return std::nullopt;
      return json::value(*t);
    }
    case ShapeType::kBoolean:
      text = Trim(text);
      if (text == "true" || text == "TRUE" || text == "True") return json::value(true);
      if (text == "false" || text == "FALSE" || text == "False") return json::value(false);
      return std::nullopt;
    case ShapeType::kBlob: {
      if (kind != TextKind::kXml) return json::value(json::string(text));
      auto decoded = Base64Decode(Trim(text));
      if (!decoded) return std::nullopt;
      return json::value(json::string(*decoded));
    }
    default:
      return json::value(json::string(text));
  }
}

// A member value as header or query text.
std::string ScalarToText(const Shape& shape, const json::value& v, TextKind kind) {
  if (v.is_string()) {
    if (shape.type == ShapeType::kBlob && kind == TextKind::kXml) {
      return Base64Encode(v.get_string());
    }
    return std::string(v.get_string());
  }
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    if (shape.type == ShapeType::kTimestamp) {
      return kind == TextKind::kHeader ? FormatHttpDate(v.get_double())
                                       : query_codec::FormatTimestamp(v.get_double());
    }
    if (shape.type == ShapeType::kInteger || shape.type == ShapeType::kLong) {
      return std::to_string(static_cast<int64_t>(v.get_double()));
    }
    std::string out;
    json_text::AppendDouble(v.get_double(), out, false);
    return out;
  }
  return {};
}

const Member* FindMember(const ServiceModel& model, const Shape& shape, std::string_view name) {
  for (const Member& m : model.MembersOf(shape)) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string_view ElementName(const Member& m) {
  return m.location_name.empty() ? m.name : m.location_name;
}

// The element name of a list's items: the list shape's member locationName, else "member".
std::string_view ItemName(const Shape& list) {
  return list.location_name.empty() ? std::string_view("member") : list.location_name;
}

// A flattened list's items are repeated elements named as the member (or its locationName).
bool Flattened(const Member& m, const Shape& shape) { return m.xml_flattened || shape.flattened; }

class XmlEncoder {
 public:
  XmlEncoder(const ServiceModel& model, xml::XmlWriter& w) : model_(model), w_(w) {}

  void Members(const json::object& value, const Shape& shape) {
    for (const Member& m : model_.MembersOf(shape)) {
      if (m.location != Location::kBody || m.xml_attribute) continue;
      const json::value* v = value.if_contains(m.name);
      if (v == nullptr || v->is_null()) continue;
      const Shape& mshape = model_.shape(m.shape);
      if (mshape.type == ShapeType::kList && Flattened(m, mshape)) {
        if (!v->is_array()) continue;
        for (const json::value& item : v->get_array()) {
          Value(ElementName(m), model_.shape(mshape.member), item);
        }
        continue;
      }
      Value(ElementName(m), mshape, *v);
    }
  }

  void Value(std::string_view name, const Shape& shape, const json::value& v) {
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion:
        if (!v.is_object()) return;
        w_.Open(name);
        Members(v.get_object(), shape);
        return w_.Close();
      case ShapeType::kList: {
        if (!v.is_array()) return;
        w_.Open(name);
        for (const json::value& item : v.get_array()) {
          Value(ItemName(shape), model_.shape(shape.member), item);
        }
        return w_.Close();
      }
      case ShapeType::kMap: {
        if (!v.is_object()) return;
        w_.Open(name);
        for (const auto& kv : v.get_object()) {
          w_.Open("entry");
          w_.Element(shape.map_key_name.empty() ? "key" : shape.map_key_name, kv.key());
          Value(shape.map_value_name.empty() ? "value" : shape.map_value_name,
                model_.shape(shape.member), kv.value());
          w_.Close();
        }
        return w_.Close();
      }
      default:
        return w_.Element(name, ScalarToText(shape, v, TextKind::kXml));
    }
  }

 private:
  const ServiceModel& model_;
  xml::XmlWriter& w_;
};

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

}  // namespace

std::string FormatHttpDate(double seconds) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > 253402300799.0) seconds = 0;
  auto secs = static_cast<int64_t>(std::floor(seconds));
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, y, m, d);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02d:%02d:%02d GMT",
                        kDays[((days % 7) + 7) % 7], d, kMonths[m - 1], static_cast<long long>(y),
                        static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                        static_cast<int>(rem % 60));
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<double> ParseHttpDate(std::string_view text) {
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  auto num = [&](size_t at, size_t len) -> int {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  int day = num(5, 2), year = num(12, 4), hh = num(17, 2), mm = num(20, 2), ss = num(23, 2);
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i) {
    if (text.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  if (day < 1 || day > 31 || year < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
      ss > 60 || month == 0 || text[7] != ' ' || text[11] != ' ' || text[16] != ' ' ||
      text[19] != ':' || text[22] != ':') {
    return std::nullopt;
  }
  return static_cast<double>(DaysFromCivil(year, month, static_cast<unsigned>(day)) * 86400 +
                             hh * 3600 + mm * 60 + ss);
}

std::optional<double> ParseIso8601(std::string_view text) {
  // 2015-10-21T07:28:00[.fff]Z (or +00:00), or a date-only 2015-10-21.
  auto num = [&](size_t at, size_t len) -> int {
    if (at + len > text.size()) return -1;
    int v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  double result = static_cast<double>(
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400);
  if (text.size() == 10) return result;
  if (text.size() < 19 || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  int hh = num(11, 2), mm = num(14, 2), ss = num(17, 2);
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60) return std::nullopt;
  result += hh * 3600 + mm * 60 + ss;
  size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    double scale = 0.1;
    ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      result += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
  }
  std::string_view zone = text.substr(at);
  if (zone != "Z" && zone != "z" && zone != "+00:00" && !zone.empty()) return std::nullopt;
  return result;
}

std::variant<json::value, AwsError> DecodeXmlValue(const ServiceModel& model, uint16_t shape_index,
                                                   const xml::XmlElement& element) {
  const Shape& shape = model.shape(shape_index);
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion: {
      json::object out;
      for (const Member& m : model.MembersOf(shape)) {
        if (m.location != Location::kBody || m.xml_attribute) continue;
        const Shape& mshape = model.shape(m.shape);
        const std::string_view name = ElementName(m);
        if (mshape.type == ShapeType::kList && Flattened(m, mshape)) {
          json::array items;
          for (const xml::XmlElement& child : element.children) {
            if (child.name != name) continue;
            auto v = DecodeXmlValue(model, mshape.member, child);
            if (auto* e = std::get_if<AwsError>(&v)) return std::move(*e);
            items.push_back(std::move(std::get<json::value>(v)));
          }
          if (!items.empty()) out[m.name] = std::move(items);
          continue;
        }
        const xml::XmlElement* child = element.Child(name);
        if (child == nullptr) continue;
        auto v = DecodeXmlValue(model, m.shape, *child);
        if (auto* e = std::get_if<AwsError>(&v)) return std::move(*e);
        out[m.name] = std::move(std::get<json::value>(v));
      }
      return json::value(std::move(out));
    }
    case ShapeType::kList: {
      json::array items;
      const std::string_view item_name = ItemName(shape);
      for (const xml::XmlElement& child : element.children) {
        if (child.name != item_name) continue;
        auto v = DecodeXmlValue(model, shape.member, child);
        if (auto* e = std::get_if<AwsError>(&v)) return std::move(*e);
        items.push_back(std::move(std::get<json::value>(v)));
      }
      return json::value(std::move(items));
    }
    case ShapeType::kMap: {
      json::object map;
      const std::string_view key_name = shape.map_key_name.empty() ? "key" : shape.map_key_name;
      const std::string_view value_name =
          shape.map_value_name.empty() ? "value" : shape.map_value_name;
      for (const xml::XmlElement& entry : element.children) {
        const xml::XmlElement* k = entry.Child(key_name);
        const xml::XmlElement* v = entry.Child(value_name);
        if (k == nullptr || v == nullptr) continue;
        auto decoded = DecodeXmlValue(model, shape.member, *v);
        if (auto* e = std::get_if<AwsError>(&decoded)) return std::move(*e);
        map[k->text] = std::move(std::get<json::value>(decoded));
      }
      return json::value(std::move(map));
    }
    default: {
      auto v = ScalarFromText(shape, element.text, TextKind::kXml);
      if (!v) return MalformedXml();
      return std::move(*v);
    }
  }
}

std::variant<json::object, AwsError> DecodeRequest(const ServiceModel& model,
                                                   const model::Operation& op, const Labels& labels,
                                                   std::string_view query,
                                                   const http::HttpRequest& request,
                                                   std::string_view body) {
  if (op.input == model::kNoShape) return json::object();
  const Shape& shape = model.shape(op.input);
  json::object input;
  const Member* payload = shape.payload.empty() ? nullptr : FindMember(model, shape, shape.payload);
  if (payload != nullptr) {
    const Shape& pshape = model.shape(payload->shape);
    if (pshape.type == ShapeType::kBlob || pshape.type == ShapeType::kString) {
      if (!body.empty()) input[payload->name] = json::string(body);
    } else if (Trim(body).empty()) {
      // No document: the member stays absent (the operation decides whether it is required).
    } else {
      auto doc = xml::ParseXml(body);
      if (!doc.ok()) return MalformedXml();
      auto v = DecodeXmlValue(model, payload->shape, *doc);
      if (auto* e = std::get_if<AwsError>(&v)) return std::move(*e);
      input[payload->name] = std::move(std::get<json::value>(v));
    }
  }

  std::vector<std::pair<std::string, std::string>> params;
  if (!query.empty()) params = http::ParseQueryString(query, true);
  for (const Member& m : model.MembersOf(shape)) {
    const Shape& mshape = model.shape(m.shape);
    const std::string_view name = ElementName(m);
    switch (m.location) {
      case Location::kBody:
      case Location::kStatusCode:
        break;
      case Location::kUri:
        for (const auto& [label, value] : labels) {
          if (label != name) continue;
          auto v = ScalarFromText(mshape, value, TextKind::kQuery);
          if (!v) return InvalidArgument("Invalid value for " + std::string(name));
          input[m.name] = std::move(*v);
        }
        break;
      case Location::kQueryString:
        for (const auto& [k, value] : params) {
          if (k != name) continue;
          auto v = ScalarFromText(mshape, value, TextKind::kQuery);
          if (!v) return InvalidArgument("Invalid value for " + std::string(name));
          input[m.name] = std::move(*v);
          break;
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
            list.push_back(json::string(Trim(rest.substr(0, comma))));
            if (comma == std::string_view::npos) break;
            rest = rest.substr(comma + 1);
          }
          input[m.name] = std::move(list);
          break;
        }
        auto v = ScalarFromText(mshape, it->value(), TextKind::kHeader);
        if (!v) return InvalidArgument("Invalid value for header " + std::string(name));
        input[m.name] = std::move(*v);
        break;
      }
      case Location::kHeaders: {
        json::object map;
        for (const auto& field : request) {
          std::string_view fname = field.name_string();
          if (fname.size() > name.size() &&
              boost::beast::iequals(fname.substr(0, name.size()), name)) {
            std::string key(fname.substr(name.size()));
            for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            map[key] = field.value();
          }
        }
        if (!map.empty()) input[m.name] = std::move(map);
        break;
      }
    }
  }
  return input;
}

std::string EncodeXmlDocument(const ServiceModel& model, uint16_t shape, const json::object& value,
                              std::string_view root) {
  std::string out;
  out.reserve(256);
  xml::XmlWriter w(out, false);
  w.Declaration();
  w.Open(root, model.xml_namespace);
  XmlEncoder(model, w).Members(value, model.shape(shape));
  w.Close();
  w.Finish();
  return out;
}

http::HttpResponse EncodeResponse(const ServiceModel& model, const model::Operation& op,
                                  const json::object& output, std::string_view root) {
  unsigned status = op.http_status ? op.http_status : 200;
  http::HttpResponse response(static_cast<bhttp::status>(status), 11);
  if (op.output == model::kNoShape) return response;
  const Shape& shape = model.shape(op.output);
  bool body_members = false;
  for (const Member& m : model.MembersOf(shape)) {
    const std::string_view name = ElementName(m);
    const json::value* v = output.if_contains(m.name);
    switch (m.location) {
      case Location::kBody:
        body_members = body_members || (m.name != shape.payload && v != nullptr);
        break;
      case Location::kStatusCode:
        if (v != nullptr && v->is_int64() && v->get_int64() >= 100 && v->get_int64() < 600) {
          response.result(static_cast<unsigned>(v->get_int64()));
        }
        break;
      case Location::kHeader:
        if (v != nullptr && !v->is_null()) {
          response.set(name, ScalarToText(model.shape(m.shape), *v, TextKind::kHeader));
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
    if (pshape.type == ShapeType::kBlob || pshape.type == ShapeType::kString) {
      if (v != nullptr && v->is_string()) response.body() = std::string(v->get_string());
    } else if (v != nullptr && v->is_object()) {
      std::string_view element =
          payload->location_name.empty()
              ? (pshape.location_name.empty() ? pshape.name : pshape.location_name)
              : payload->location_name;
      response.body() = EncodeXmlDocument(model, payload->shape, v->get_object(), element);
      response.set(bhttp::field::content_type, "application/xml");
    }
    return response;
  }
  if (!body_members && root.empty()) return response;
  response.set(bhttp::field::content_type, "application/xml");
  // A root element that is the output's one member (GetBucketLocation's LocationConstraint).
  if (const Member* only = FindMember(model, shape, root);
      only != nullptr && model.MembersOf(shape).size() == 1) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
    out.append(root).append(" xmlns=\"").append(model.xml_namespace).append("\">");
    if (const json::value* v = output.if_contains(only->name)) {
      xml::XmlWriter::AppendEscaped(ScalarToText(model.shape(only->shape), *v, TextKind::kXml),
                                    out);
    }
    out.append("</").append(root).append(">");
    response.body() = std::move(out);
    return response;
  }
  response.body() = EncodeXmlDocument(model, op.output, output, root.empty() ? shape.name : root);
  return response;
}

http::HttpResponse EncodeError(const AwsError& error, std::string_view request_id, bool head) {
  http::HttpResponse response(
      static_cast<bhttp::status>(error.http_status > 0 ? error.http_status : 400), 11);
  response.set("x-amz-request-id", request_id);
  response.set("x-amz-id-2", Base64Encode(request_id));
  if (!error.extra_json.empty()) {
    boost::system::error_code ec;
    boost::json::value headers = boost::json::parse("{" + error.extra_json + "}", ec);
    if (!ec && headers.is_object()) {
      for (const auto& [name, value] : headers.get_object()) {
        if (value.is_string()) response.set(std::string_view(name), value.get_string());
      }
    }
  }
  if (head || error.http_status == 304) return response;
  std::string out;
  xml::XmlWriter w(out, false);
  w.Declaration();
  w.Open("Error");
  w.Element("Code", error.code);
  w.Element("Message", error.message);
  w.Element("RequestId", request_id);
  w.Element("HostId", Base64Encode(request_id));
  w.Close();
  w.Finish();
  response.set(bhttp::field::content_type, "application/xml");
  response.body() = std::move(out);
  return response;
}

}  // namespace tidepool::protocol::rest_xml_codec

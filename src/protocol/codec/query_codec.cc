// Decoding side of the query codec (query_codec.h); the XML side is query_encoder.cc.
#include "protocol/codec/query_codec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "protocol/codec/blob_base64.h"
#include "protocol/codec/query_dialect.h"
#include "protocol/codec/validate.h"

namespace tidepool::protocol::query_codec {
namespace {

namespace json = boost::json;
using model::Member;
using model::ServiceModel;
using model::Shape;
using model::ShapeType;

std::string Join(std::string_view prefix, std::string_view name) {
  std::string key;
  key.reserve(prefix.size() + 1 + name.size());
  if (!prefix.empty()) {
    key.append(prefix);
    key += '.';
  }
  key.append(name);
  return key;
}

// Why a value failed to convert, for the dialect to phrase.
struct ConversionFailure {
  std::string key;    // wire key, e.g. "MaxNumberOfMessages"
  std::string value;  // as received
  ShapeType type;
  std::string detail;      // blobs: blob_base64's text; scalars given as a structure: set
  bool structure = false;  // a scalar key that only has sub-keys ("Endpoint.Arn=...")
};

bool ParseInt(std::string_view s, ShapeType type, int64_t& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  if (type == ShapeType::kInteger) {
    return out >= std::numeric_limits<int32_t>::min() && out <= std::numeric_limits<int32_t>::max();
  }
  return true;
}

bool ParseDouble(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(out);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Walks the sorted parameters along the input shape. Keys of a container share its prefix, so
// every lookup is a binary search in the map; recursion follows the model, and each level
// consumes at least two bytes of a bounded key, so depth is bounded by the key length limit.
class Decoder {
 public:
  Decoder(const QueryDialect& dialect, const form::FormParams& params)
      : dialect_(dialect), model_(dialect.model()), params_(params) {}

  // Returns false on a conversion failure (then failure() says why).
  bool Structure(const std::string& prefix, const Shape& shape, json::object& out) {
    for (const Member& m : model_.MembersOf(shape)) {
      const Shape& ms = model_.shape(m.shape);
      bool flat =
          (ms.type == ShapeType::kList || ms.type == ShapeType::kMap) && dialect_.Flattened(m);
      std::string key =
          Join(prefix, flat && ms.type == ShapeType::kList ? dialect_.FlattenedListName(m)
                                                           : dialect_.MemberName(m));
      if (!Present(key)) {
        if (m.required && missing_.empty()) missing_ = key;
        continue;
      }
      json::value v;
      bool set = false;
      if (!Value(key, m.shape, flat, v, set)) return false;
      if (set) {
        out[m.name] = std::move(v);
      } else if (m.required && missing_.empty()) {
        missing_ = key;
      }
    }
    return true;
  }

  const ConversionFailure& failure() const { return failure_; }
  // The wire key of the first required member that was absent, "" when none.
  const std::string& missing() const { return missing_; }

 private:
  const std::string* ValueAt(const std::string& key) const {
    auto it = params_.find(key);
    return it == params_.end() ? nullptr : &it->second;
  }

  // Whether `key` has a value or sub-keys ("key.x").
  bool Present(const std::string& key) const {
    auto it = params_.lower_bound(key);
    if (it == params_.end()) return false;
    if (it->first == key) return true;
    return HasChildren(key);
  }

  bool HasChildren(const std::string& key) const {
    std::string dotted = key + '.';
    auto it = params_.lower_bound(dotted);
    return it != params_.end() && it->first.compare(0, dotted.size(), dotted) == 0;
  }

  // The positive integer segments right below `prefix` ("prefix.3.x" -> 3), ascending.
  std::vector<uint32_t> Indices(const std::string& prefix) const {
    std::vector<uint32_t> out;
    std::string dotted = prefix + '.';
    for (auto it = params_.lower_bound(dotted);
         it != params_.end() && it->first.compare(0, dotted.size(), dotted) == 0; ++it) {
      std::string_view rest = std::string_view(it->first).substr(dotted.size());
      rest = rest.substr(0, rest.find('.'));
      uint32_t n = 0;
      if (rest.empty() || rest.front() == '0') continue;
      auto r = std::from_chars(rest.data(), rest.data() + rest.size(), n);
      if (r.ec != std::errc() || r.ptr != rest.data() + rest.size()) continue;
      if (out.empty() || out.back() != n) out.push_back(n);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // Decodes the value at `key` (present). `set` is false when nothing usable was found (a
  // container under the wrong sub-keys): the member then counts as absent.
  bool Value(const std::string& key, uint16_t index, bool flattened, json::value& out, bool& set) {
    const Shape& shape = model_.shape(index);
    set = true;
    switch (shape.type) {
      case ShapeType::kStructure:
      case ShapeType::kUnion: {
        json::object o;
        if (!Structure(key, shape, o)) return false;
        out = std::move(o);
        return true;
      }
      case ShapeType::kList:
        return List(key, index, flattened, out, set);
      case ShapeType::kMap:
        return Map(key, index, flattened, out, set);
      default:
        return Scalar(key, shape, out);
    }
  }

  bool List(const std::string& key, uint16_t index, bool flattened, json::value& out, bool& set) {
    const Shape& shape = model_.shape(index);
    std::string elements = flattened ? key : Join(key, dialect_.ListElementName(index));
    std::vector<uint32_t> indices = Indices(elements);
    json::array a;
    if (indices.empty()) {
      const std::string* v = ValueAt(key);
      const Shape& element = model_.shape(shape.member);
      bool scalar_element = element.type != ShapeType::kStructure &&
                            element.type != ShapeType::kUnion && element.type != ShapeType::kList &&
                            element.type != ShapeType::kMap;
      if (v != nullptr && v->empty()) {
        out = std::move(a);  // botocore sends "Name=" for an empty list
      } else if (v != nullptr && flattened && scalar_element) {
        json::value e;  // "AttributeName=All": a one-element flattened list
        if (!Scalar(key, element, e)) return false;
        a.push_back(std::move(e));
        out = std::move(a);
      } else {
        set = false;
      }
      return true;
    }
    a.reserve(indices.size());
    for (uint32_t i : indices) {
      std::string element_key = Join(elements, std::to_string(i));
      json::value e;
      bool element_set = false;
      if (!Value(element_key, shape.member, false, e, element_set)) return false;
      if (element_set) a.push_back(std::move(e));
    }
    out = std::move(a);
    return true;
  }

  bool Map(const std::string& key, uint16_t index, bool flattened, json::value& out, bool& set) {
    const Shape& shape = model_.shape(index);
    std::string entries = flattened ? key : Join(key, "entry");
    std::vector<uint32_t> indices = Indices(entries);
    json::object o;
    if (indices.empty()) {
      const std::string* v = ValueAt(key);
      if (v != nullptr && v->empty()) {
        out = std::move(o);
      } else {
        set = false;
      }
      return true;
    }
    for (uint32_t i : indices) {
      std::string entry = Join(entries, std::to_string(i));
      const std::string* k = ValueAt(Join(entry, dialect_.MapKeyName(index)));
      std::string value_key = Join(entry, dialect_.MapValueName(index));
      if (k == nullptr || !Present(value_key)) continue;  // incomplete entries are ignored
      json::value v;
      bool value_set = false;
      if (!Value(value_key, shape.member, false, v, value_set)) return false;
      if (value_set) o[*k] = std::move(v);
    }
    out = std::move(o);
    return true;
  }

  bool Fail(const std::string& key, std::string_view value, ShapeType type,
            std::string detail = {}) {
    failure_ = ConversionFailure{key, std::string(value), type, std::move(detail)};
    return false;
  }

  bool Scalar(const std::string& key, const Shape& shape, json::value& out) {
    const std::string* v = ValueAt(key);
    if (v == nullptr) {
      Fail(key, "", shape.type);
      failure_.structure = true;
      return false;
    }
    switch (shape.type) {
      case ShapeType::kString:
        out = json::string(*v);
        return true;
      case ShapeType::kInteger:
      case ShapeType::kLong: {
        int64_t n = 0;
        if (!ParseInt(*v, shape.type, n)) return Fail(key, *v, shape.type);
        out = n;
        return true;
      }
      case ShapeType::kFloat:
      case ShapeType::kDouble: {
        double d = 0;
        if (!ParseDouble(*v, d)) return Fail(key, *v, shape.type);
        out = d;
        return true;
      }
      case ShapeType::kBoolean:
        if (EqualsIgnoreCase(*v, "true")) {
          out = true;
        } else if (EqualsIgnoreCase(*v, "false")) {
          out = false;
        } else {
          return Fail(key, *v, shape.type);
        }
        return true;
      case ShapeType::kBlob: {
        std::string bytes;
        if (auto err = blob_base64::Decode(*v, bytes)) {
          return Fail(key, *v, shape.type, std::move(*err));
        }
        out = json::string(bytes);
        return true;
      }
      case ShapeType::kTimestamp: {
        double seconds = 0;
        if (!ParseTimestamp(*v, seconds)) return Fail(key, *v, shape.type);
        out = seconds;
        return true;
      }
      default:
        return Fail(key, *v, shape.type);
    }
  }

  const QueryDialect& dialect_;
  const ServiceModel& model_;
  const form::FormParams& params_;
  ConversionFailure failure_;
  std::string missing_;
};

std::string_view JavaTypeName(ShapeType t) {
  switch (t) {
    case ShapeType::kInteger:
      return "an Integer";
    case ShapeType::kLong:
      return "an Long";
    case ShapeType::kFloat:
      return "an Float";
    case ShapeType::kDouble:
      return "an Double";
    case ShapeType::kBoolean:
      return "an Boolean";
    case ShapeType::kTimestamp:
      return "a Date";
    default:
      return "an String";
  }
}

std::string_view SqsReason(ShapeType t) {
  switch (t) {
    case ShapeType::kInteger:
    case ShapeType::kLong:
      return "Must be an integer.";
    case ShapeType::kFloat:
    case ShapeType::kDouble:
      return "Must be a number.";
    case ShapeType::kBoolean:
      return "Must be a boolean.";
    case ShapeType::kBlob:
      return "Must be base64 encoded.";
    case ShapeType::kTimestamp:
      return "Must be a date.";
    default:
      return "Must be a single value.";
  }
}

AwsError ConversionError(const QueryDialect& dialect, const ConversionFailure& f) {
  if (dialect.legacy_sqs()) {
    return AwsError{"InvalidParameterValue",
                    "Value " + f.value + " for parameter " + f.key +
                        " is invalid. Reason: " + std::string(SqsReason(f.type)),
                    400, true, "InvalidParameterValue"};
  }
  std::string message;
  if (f.structure) {
    message = "Start of list found where not expected";
  } else if (!f.detail.empty()) {
    message = f.detail;
  } else {
    std::string shown = f.value;
    if (f.type == ShapeType::kBoolean) {
      for (char& c : shown) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
    }
    message = "'" + shown + "' can not be converted to " + std::string(JavaTypeName(f.type));
  }
  return AwsError{"MalformedInput", std::move(message), 400, true, {}};
}

// SQS checks enum values itself (InvalidAttributeName "Unknown Attribute X."), so the model's
// enums must not reject them first. These two walk a decoded value along its shape.
bool HasUnknownEnum(const ServiceModel& model, uint16_t index, const json::value& v);

bool UnknownEnumValue(const ServiceModel& model, const Shape& shape, std::string_view s) {
  if (shape.enum_count == 0) return false;
  for (std::string_view e : model.EnumOf(shape)) {
    if (e == s) return false;
  }
  return true;
}

bool HasUnknownEnum(const ServiceModel& model, uint16_t index, const json::value& v) {
  const Shape& shape = model.shape(index);
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion:
      if (!v.is_object()) return false;
      for (const Member& m : model.MembersOf(shape)) {
        const json::value* mv = v.get_object().if_contains(m.name);
        if (mv != nullptr && HasUnknownEnum(model, m.shape, *mv)) return true;
      }
      return false;
    case ShapeType::kList:
      if (!v.is_array()) return false;
      for (const json::value& e : v.get_array()) {
        if (HasUnknownEnum(model, shape.member, e)) return true;
      }
      return false;
    case ShapeType::kMap:
      if (!v.is_object()) return false;
      for (const auto& kv : v.get_object()) {
        if (UnknownEnumValue(model, model.shape(shape.key), kv.key())) return true;
        if (HasUnknownEnum(model, shape.member, kv.value())) return true;
      }
      return false;
    case ShapeType::kString:
      return v.is_string() && UnknownEnumValue(model, shape, v.get_string());
    default:
      return false;
  }
}

// Replaces unknown enum values by the enum's first value and drops map entries with unknown
// enum keys, so that validation checks everything else.
void NeutraliseEnums(const ServiceModel& model, uint16_t index, json::value& v) {
  const Shape& shape = model.shape(index);
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion:
      if (!v.is_object()) return;
      for (const Member& m : model.MembersOf(shape)) {
        if (json::value* mv = v.get_object().if_contains(m.name)) {
          NeutraliseEnums(model, m.shape, *mv);
        }
      }
      return;
    case ShapeType::kList:
      if (!v.is_array()) return;
      for (json::value& e : v.get_array()) NeutraliseEnums(model, shape.member, e);
      return;
    case ShapeType::kMap: {
      if (!v.is_object()) return;
      json::object& o = v.get_object();
      const Shape& key_shape = model.shape(shape.key);
      for (auto it = o.begin(); it != o.end();) {
        if (UnknownEnumValue(model, key_shape, it->key())) {
          it = o.erase(it);
        } else {
          NeutraliseEnums(model, shape.member, it->value());
          ++it;
        }
      }
      return;
    }
    case ShapeType::kString:
      if (v.is_string() && UnknownEnumValue(model, shape, v.get_string())) {
        v = json::string(model.EnumOf(shape).front());
      }
      return;
    default:
      return;
  }
}

int DigitsValue(std::string_view s, size_t pos, size_t n, bool& ok) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') {
      ok = false;
      return 0;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

bool ParseTimestamp(std::string_view s, double& seconds) {
  if (ParseDouble(s, seconds)) return true;
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]
  bool ok = true;
  int year = DigitsValue(s, 0, 4, ok);
  int month = DigitsValue(s, 5, 2, ok);
  int day = DigitsValue(s, 8, 2, ok);
  int hour = DigitsValue(s, 11, 2, ok);
  int minute = DigitsValue(s, 14, 2, ok);
  int second = DigitsValue(s, 17, 2, ok);
  if (!ok || s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return false;
  }
  size_t i = 19;
  double fraction = 0;
  if (i < s.size() && s[i] == '.') {
    double scale = 0.1;
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      fraction += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    int oh = DigitsValue(s, i + 1, 2, ok);
    size_t mpos = i + 3 < s.size() && s[i + 3] == ':' ? i + 4 : i + 3;
    int om = DigitsValue(s, mpos, 2, ok);
    if (!ok || oh > 23 || om > 59) return false;
    offset = sign * (oh * 3600 + om * 60);
    i = mpos + 2;
  }
  if (i != s.size()) return false;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  seconds =
      static_cast<double>(days * 86400 + hour * 3600 + minute * 60 + second - offset) + fraction;
  return true;
}

std::variant<boost::json::object, AwsError> DecodeRequest(const model::ServiceModel& model,
                                                          const model::Operation& op,
                                                          const form::FormParams& params) {
  if (op.input == model::kNoShape) return json::object();
  const QueryDialect& dialect = QueryDialect::For(model);
  Decoder decoder(dialect, params);
  json::object input;
  if (!decoder.Structure("", model.shape(op.input), input)) {
    return ConversionError(dialect, decoder.failure());
  }
  if (dialect.legacy_sqs()) {
    if (!decoder.missing().empty()) {
      return AwsError{"MissingParameter",
                      "The request must contain the parameter " + decoder.missing() + ".", 400,
                      true, "MissingParameter"};
    }
    std::optional<std::string> message;
    json::value whole(std::move(input));
    if (HasUnknownEnum(model, op.input, whole)) {
      json::value copy = whole;
      NeutraliseEnums(model, op.input, copy);
      message = validate::ValidateInput(model, op.input, copy.get_object());
    } else {
      message = validate::ValidateInput(model, op.input, whole.get_object());
    }
    if (message) {
      return AwsError{"InvalidParameterValue", std::move(*message), 400, true,
                      "InvalidParameterValue"};
    }
    return std::move(whole.get_object());
  }
  if (auto message = validate::ValidateInput(model, op.input, input)) {
    return AwsError{"ValidationError", std::move(*message), 400, true, {}};
  }
  return input;
}

}  // namespace tidepool::protocol::query_codec

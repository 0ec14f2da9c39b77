// Values of the JSONata evaluator: JSON plus `undefined`, sequences (arrays with the flags the
// language gives them) and functions. Arrays and objects are shared (std::shared_ptr) and
// treated as immutable once built, except by the transform operator, which mutates a clone.
// Not thread-safe; one evaluation owns its values.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tidepool::sfn::jsonata {

struct ArrayData;
struct ObjectData;
struct Function;

class Value {
 public:
  enum class Type : uint8_t {
    kUndefined,
    kNull,
    kBool,
    kNumber,
    kString,
    kArray,
    kObject,
    kFunction
  };

  Value() = default;
  static Value Null() { return Value(Type::kNull); }
  static Value Bool(bool b) {
    Value v(Type::kBool);
    v.bool_ = b;
    return v;
  }
  static Value Number(double n) {
    Value v(Type::kNumber);
    v.number_ = n;
    return v;
  }
  static Value String(std::string s) {
    Value v(Type::kString);
    v.string_ = std::make_shared<const std::string>(std::move(s));
    return v;
  }
  static Value Array(std::shared_ptr<ArrayData> a) {
    Value v(Type::kArray);
    v.array_ = std::move(a);
    return v;
  }
  static Value Object(std::shared_ptr<ObjectData> o) {
    Value v(Type::kObject);
    v.object_ = std::move(o);
    return v;
  }
  static Value Func(std::shared_ptr<Function> f) {
    Value v(Type::kFunction);
    v.function_ = std::move(f);
    return v;
  }
  // A new empty sequence (flag sequence set), optionally holding one value.
  static Value Sequence();
  static Value Sequence(Value first);
  static Value NewArray();

  Type type() const { return type_; }
  bool undefined() const { return type_ == Type::kUndefined; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_function() const { return type_ == Type::kFunction; }

  bool boolean() const { return bool_; }
  double number() const { return number_; }
  const std::string& str() const { return *string_; }
  ArrayData& array() const { return *array_; }
  ObjectData& object() const { return *object_; }
  Function& function() const { return *function_; }
  const std::shared_ptr<ArrayData>& array_ptr() const { return array_; }
  const std::shared_ptr<ObjectData>& object_ptr() const { return object_; }
  const std::shared_ptr<Function>& function_ptr() const { return function_; }

  bool IsSequence() const;

 private:
  explicit Value(Type t) : type_(t) {}
  Type type_ = Type::kUndefined;
  bool bool_ = false;
  double number_ = 0;
  std::shared_ptr<const std::string> string_;
  std::shared_ptr<ArrayData> array_;
  std::shared_ptr<ObjectData> object_;
  std::shared_ptr<Function> function_;
};

struct ArrayData {
  std::vector<Value> items;
  bool sequence = false;
  bool keep_singleton = false;
  bool outer_wrapper = false;
  bool cons = false;
  bool tuple_stream = false;
  size_t size() const { return items.size(); }
};

// An object with insertion-ordered keys.
struct ObjectData {
  std::vector<std::pair<std::string, Value>> entries;
  std::unordered_map<std::string, size_t> index;

  const Value* Find(std::string_view key) const;
  void Set(const std::string& key, Value v);
  void Erase(const std::string& key);
  size_t size() const { return entries.size(); }
};

inline bool Value::IsSequence() const { return is_array() && array_->sequence; }

// Conversions. FromJson never yields undefined; ToJson drops undefined and functions inside
// objects, writes null for them inside arrays and for non-finite numbers.
Value FromJson(const boost::json::value& j);
boost::json::value ToJson(const Value& v);

// A number as JavaScript's Number.prototype.toString writes it.
std::string NumberToString(double d);
// JSON text of a value, numbers rounded to 15 significant digits as $string does; `indent`
// spaces per level when > 0.
std::string Stringify(const Value& v, int indent);

bool DeepEqual(const Value& a, const Value& b);
Value DeepClone(const Value& v);
// A shallow copy of an array value, so flags can be set without touching shared data.
Value CopyArray(const Value& v);

// UTF-8 helpers: code points of a string and back.
// `d` truncated toward zero and clamped to ±2^53 (NaN gives 0): the one way a JSONata number
// becomes an index, count or width, since casting an out-of-range double is undefined.
int64_t SaturatingInt(double d);

std::vector<uint32_t> CodePoints(std::string_view s);
std::string FromCodePoints(const std::vector<uint32_t>& cps, size_t begin, size_t end);
void AppendUtf8(std::string* out, uint32_t cp);

}  // namespace tidepool::sfn::jsonata

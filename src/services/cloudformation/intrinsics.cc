#include "services/cloudformation/intrinsics.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "core/encoding.h"

namespace tidepool::cloudformation {

namespace json = boost::json;

namespace {

constexpr std::string_view kFunctions[] = {
    "Ref",        "Fn::GetAtt",       "Fn::Sub",         "Fn::Join",
    "Fn::Select", "Fn::Split",        "Fn::If",          "Fn::FindInMap",
    "Fn::Base64", "Fn::GetAZs",       "Fn::ImportValue", "Fn::Cidr",
    "Fn::Equals", "Fn::And",          "Fn::Or",          "Fn::Not",
    "Fn::Length", "Fn::ToJsonString", "Fn::Transform",   "Fn::ForEach"};

// The function a one-member object calls, or empty when it is plain data.
std::string_view FunctionOf(const json::object& o, bool in_condition) {
  if (o.size() != 1) return {};
  std::string_view key = o.begin()->key();
  if (in_condition && key == "Condition") return key;
  for (std::string_view f : kFunctions) {
    if (key == f) return f;
  }
  return {};
}

bool ValidSubVariable(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '_' || c == '.' || c == ':';
  });
}

Result<std::vector<std::string>> Cidr(const std::string& block, int64_t count, int64_t bits) {
  unsigned a = 0, b = 0, c = 0, d = 0, prefix = 0;
  char tail = 0;
  if (std::sscanf(block.c_str(), "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &prefix, &tail) != 5 ||
      a > 255 || b > 255 || c > 255 || d > 255 || prefix > 32)
    return TemplateError("Fn::Cidr: " + block + " is not an IPv4 CIDR block (IPv6 is not built)");
  if (count < 1 || count > 256 || bits < 0 || bits > 32 - static_cast<int64_t>(prefix))
    return TemplateError("Fn::Cidr: invalid count or cidrBits for " + block);
  const uint64_t size = uint64_t{1} << bits;
  const uint64_t base = (uint64_t{a} << 24 | b << 16 | c << 8 | d) &
                        (prefix == 0 ? 0 : (~uint64_t{0} << (32 - prefix)) & 0xffffffffu);
  if (static_cast<uint64_t>(count) * size > (uint64_t{1} << (32 - prefix)))
    return TemplateError("Fn::Cidr: " + block + " cannot hold " + std::to_string(count) +
                         " blocks of " + std::to_string(bits) + " bits");
  std::vector<std::string> out;
  for (int64_t i = 0; i < count; ++i) {
    uint64_t ip = base + static_cast<uint64_t>(i) * size;
    out.push_back(std::to_string(ip >> 24 & 255) + "." + std::to_string(ip >> 16 & 255) + "." +
                  std::to_string(ip >> 8 & 255) + "." + std::to_string(ip & 255) + "/" +
                  std::to_string(32 - bits));
  }
  return out;
}

std::optional<int64_t> IntOf(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64());
  if (v.is_string()) {
    const std::string s(v.get_string());
    if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), ::isdigit))
      return std::nullopt;
    return std::stoll(s);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ScalarText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_number()) return json::serialize(v);
  return std::nullopt;
}

Evaluator::Evaluator(const Template& t, const ParameterValues& parameters, StackContext context)
    : template_(t), parameters_(parameters), context_(std::move(context)) {
  for (const auto& [name, _] : t.conditions) {
    auto v = ConditionValue(std::string(name));
    if (!v.ok()) {
      conditions_status_ = v.status();
      return;
    }
  }
}

bool Evaluator::Condition(const std::string& name) const {
  auto it = condition_values_.find(name);
  return it != condition_values_.end() && it->second;
}

Result<bool> Evaluator::ConditionValue(const std::string& name) const {
  if (auto it = condition_values_.find(name); it != condition_values_.end()) return it->second;
  const json::value* def = template_.conditions.if_contains(name);
  if (def == nullptr)
    return TemplateFormatError("Unresolved condition dependencies [" + name +
                               "] in the Conditions block of the template");
  if (!evaluating_.insert(name).second)
    return TemplateFormatError("Circular condition dependency: " + name);
  auto v = Eval(*def, true);
  evaluating_.erase(name);
  if (!v.ok()) return v.status();
  if (!v->has_value() || !(*v)->is_bool())
    return TemplateFormatError(
        "Conditions can only be boolean operations on parameters and "
        "other conditions");
  const bool b = (*v)->get_bool();
  condition_values_[name] = b;
  return b;
}

Result<bool> Evaluator::BoolOf(const json::value& v) const {
  TP_ASSIGN_OR_RETURN(MaybeValue r, Eval(v, true));
  if (!r.has_value() || !r->is_bool())
    return TemplateFormatError(
        "Conditions can only be boolean operations on parameters and "
        "other conditions");
  return r->get_bool();
}

Result<MaybeValue> Evaluator::Evaluate(const json::value& v) const { return Eval(v, false); }

Result<json::object> Evaluator::Properties(const Resource& r) const {
  if (!r.properties.is_object()) return json::object{};
  TP_ASSIGN_OR_RETURN(MaybeValue v, Eval(r.properties, false));
  if (!v.has_value() || !v->is_object()) return json::object{};
  return std::move(v->get_object());
}

Result<MaybeValue> Evaluator::Eval(const json::value& v, bool in_condition) const {
  if (v.is_object()) {
    const json::object& o = v.get_object();
    if (std::string_view fn = FunctionOf(o, in_condition); !fn.empty()) {
      return Call(fn, o.begin()->value(), in_condition);
    }
    json::object out;
    for (const auto& [key, member] : o) {
      TP_ASSIGN_OR_RETURN(MaybeValue m, Eval(member, in_condition));
      if (m.has_value()) out[key] = std::move(*m);
    }
    return MaybeValue(std::move(out));
  }
  if (v.is_array()) {
    json::array out;
    for (const auto& e : v.get_array()) {
      TP_ASSIGN_OR_RETURN(MaybeValue m, Eval(e, in_condition));
      if (m.has_value()) out.push_back(std::move(*m));
    }
    return MaybeValue(std::move(out));
  }
  return MaybeValue(v);
}

Result<std::string> Evaluator::StringArg(const json::value& v, std::string_view fn,
                                         bool in_condition) const {
  TP_ASSIGN_OR_RETURN(MaybeValue r, Eval(v, in_condition));
  if (r.has_value()) {
    if (auto text = ScalarText(*r); text.has_value()) return *text;
  }
  return TemplateError("every " + std::string(fn) + " object requires a string parameter");
}

Result<json::array> Evaluator::ListArg(const json::value& v, std::string_view fn,
                                       bool in_condition) const {
  TP_ASSIGN_OR_RETURN(MaybeValue r, Eval(v, in_condition));
  if (!r.has_value() || !r->is_array())
    return TemplateError("every " + std::string(fn) + " object requires a list parameter");
  return std::move(r->get_array());
}

Result<MaybeValue> Evaluator::RefOf(const std::string& name, bool in_condition) const {
  if (name == "AWS::NoValue") return MaybeValue();
  if (name == "AWS::AccountId") return MaybeValue(json::value(context_.account_id));
  if (name == "AWS::Region") return MaybeValue(json::value(context_.region));
  if (name == "AWS::StackName") return MaybeValue(json::value(context_.stack_name));
  if (name == "AWS::StackId") return MaybeValue(json::value(context_.stack_id));
  if (name == "AWS::Partition") return MaybeValue(json::value(context_.partition));
  if (name == "AWS::URLSuffix") return MaybeValue(json::value(context_.url_suffix));
  if (name == "AWS::NotificationARNs") {
    json::array arns;
    for (const auto& a : context_.notification_arns) arns.emplace_back(a);
    return MaybeValue(std::move(arns));
  }
  if (const json::value* p = parameters_.values.if_contains(name)) return MaybeValue(*p);
  if (template_.FindResource(name) != nullptr && !in_condition && resolver_ != nullptr) {
    TP_ASSIGN_OR_RETURN(json::value r, resolver_->Ref(name));
    return MaybeValue(std::move(r));
  }
  if (in_condition)
    return TemplateFormatError("Unresolved dependencies [" + name +
                               "]. Cannot reference resources in the Conditions block of the "
                               "template");
  return TemplateFormatError("Unresolved resource dependencies [" + name +
                             "] in the Resources block of the template");
}

Result<MaybeValue> Evaluator::GetAtt(const json::value& arg, bool in_condition) const {
  std::string resource, attribute;
  if (arg.is_string()) {
    std::string_view s = arg.get_string();
    size_t dot = s.find('.');
    if (dot == std::string_view::npos)
      return TemplateError("every Fn::GetAtt object requires two non-empty parameters");
    resource = std::string(s.substr(0, dot));
    attribute = std::string(s.substr(dot + 1));
  } else if (arg.is_array() && arg.get_array().size() == 2 && arg.get_array()[0].is_string()) {
    resource = std::string(arg.get_array()[0].get_string());
    TP_ASSIGN_OR_RETURN(attribute, StringArg(arg.get_array()[1], "Fn::GetAtt", in_condition));
  } else {
    return TemplateError("every Fn::GetAtt object requires two non-empty parameters");
  }
  if (resource.empty() || attribute.empty())
    return TemplateError("every Fn::GetAtt object requires two non-empty parameters");
  if (template_.FindResource(resource) == nullptr || in_condition)
    return TemplateError("instance of Fn::GetAtt references undefined resource " + resource);
  if (resolver_ == nullptr)
    return TemplateError("instance of Fn::GetAtt references " + resource +
                         ", which is not created yet");
  TP_ASSIGN_OR_RETURN(json::value r, resolver_->GetAtt(resource, attribute));
  return MaybeValue(std::move(r));
}

Result<MaybeValue> Evaluator::Sub(const json::value& arg, bool in_condition) const {
  std::string text;
  json::object vars;
  if (arg.is_string()) {
    text = std::string(arg.get_string());
  } else if (arg.is_array() && arg.get_array().size() == 2 && arg.get_array()[0].is_string() &&
             arg.get_array()[1].is_object()) {
    text = std::string(arg.get_array()[0].get_string());
    for (const auto& [k, v] : arg.get_array()[1].get_object()) {
      TP_ASSIGN_OR_RETURN(std::string s, StringArg(v, "Fn::Sub", in_condition));
      vars[k] = s;
    }
  } else {
    return TemplateError(
        "One or more Fn::Sub intrinsic functions don't specify expected "
        "arguments. Specify a string as first argument, and an optional second "
        "argument to specify a mapping of values to replace in the string");
  }
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("${", i);
    if (open == std::string::npos) {
      out.append(text, i, std::string::npos);
      break;
    }
    out.append(text, i, open - i);
    size_t close = text.find('}', open + 2);
    if (close == std::string::npos) {  // no closing brace: the rest is literal
      out.append(text, open, std::string::npos);
      break;
    }
    std::string name = text.substr(open + 2, close - open - 2);
    i = close + 1;
    if (!name.empty() && name[0] == '!') {  // ${!Literal} writes ${Literal}
      out += "${" + name.substr(1) + "}";
      continue;
    }
    if (!ValidSubVariable(name))
      return TemplateError(
          "variable names in Fn::Sub syntax must contain only alphanumeric "
          "characters, underscores, periods, and colons");
    if (const json::value* v = vars.if_contains(name)) {
      out += v->get_string();
      continue;
    }
    MaybeValue value;
    size_t dot = name.find('.');
    if (dot != std::string::npos && !name.starts_with("AWS::")) {
      TP_ASSIGN_OR_RETURN(value, GetAtt(json::value(name), in_condition));
    } else {
      TP_ASSIGN_OR_RETURN(value, RefOf(name, in_condition));
    }
    std::optional<std::string> s = value.has_value() ? ScalarText(*value) : std::nullopt;
    if (!s.has_value())
      return TemplateError("variable " + name +
                           " in Fn::Sub expression does not resolve to a "
                           "string");
    out += *s;
  }
  return MaybeValue(json::value(out));
}

Result<MaybeValue> Evaluator::FindInMap(const json::value& arg, bool in_condition) const {
  if (!arg.is_array() || arg.get_array().size() < 3 || arg.get_array().size() > 4)
    return TemplateError(
        "every Fn::FindInMap object requires three parameters, the map name, "
        "map key and the attribute for return value");
  const json::array& a = arg.get_array();
  TP_ASSIGN_OR_RETURN(std::string map, StringArg(a[0], "Fn::FindInMap", in_condition));
  TP_ASSIGN_OR_RETURN(std::string top, StringArg(a[1], "Fn::FindInMap", in_condition));
  TP_ASSIGN_OR_RETURN(std::string second, StringArg(a[2], "Fn::FindInMap", in_condition));
  const json::value* m = template_.mappings.if_contains(map);
  const json::value* t =
      m != nullptr && m->is_object() ? m->get_object().if_contains(top) : nullptr;
  const json::value* v =
      t != nullptr && t->is_object() ? t->get_object().if_contains(second) : nullptr;
  if (v != nullptr) return MaybeValue(*v);
  if (a.size() == 4 && template_.HasTransform("AWS::LanguageExtensions") && a[3].is_object()) {
    if (const json::value* d = a[3].get_object().if_contains("DefaultValue"))
      return Eval(*d, in_condition);
  }
  return TemplateError("Unable to get mapping for " + map + "::" + top + "::" + second);
}

Result<MaybeValue> Evaluator::Call(std::string_view fn, const json::value& arg,
                                   bool in_condition) const {
  if (fn == "Ref") {
    if (!arg.is_string()) return TemplateError("every Ref object requires a string parameter");
    return RefOf(std::string(arg.get_string()), in_condition);
  }
  if (fn == "Condition") {
    if (!arg.is_string()) return TemplateError("every Condition object requires a string");
    TP_ASSIGN_OR_RETURN(bool b, ConditionValue(std::string(arg.get_string())));
    return MaybeValue(json::value(b));
  }
  if (fn == "Fn::GetAtt") return GetAtt(arg, in_condition);
  if (fn == "Fn::Sub") return Sub(arg, in_condition);
  if (fn == "Fn::FindInMap") return FindInMap(arg, in_condition);
  if (fn == "Fn::If") {
    if (!arg.is_array() || arg.get_array().size() != 3 || !arg.get_array()[0].is_string())
      return TemplateError("Fn::If requires a list argument with three elements");
    const std::string name(arg.get_array()[0].get_string());
    TP_ASSIGN_OR_RETURN(bool b, ConditionValue(name));
    return Eval(arg.get_array()[b ? 1 : 2], in_condition);
  }
  if (fn == "Fn::Equals") {
    if (!arg.is_array() || arg.get_array().size() != 2)
      return TemplateError("Fn::Equals requires a list argument with two elements");
    TP_ASSIGN_OR_RETURN(MaybeValue a, Eval(arg.get_array()[0], in_condition));
    TP_ASSIGN_OR_RETURN(MaybeValue b, Eval(arg.get_array()[1], in_condition));
    bool equal = a.has_value() == b.has_value();
    if (equal && a.has_value()) {
      auto ta = ScalarText(*a), tb = ScalarText(*b);
      equal = ta.has_value() && tb.has_value() ? *ta == *tb : *a == *b;
    }
    return MaybeValue(json::value(equal));
  }
  if (fn == "Fn::And" || fn == "Fn::Or") {
    if (!arg.is_array() || arg.get_array().size() < 2 || arg.get_array().size() > 10)
      return TemplateError(std::string(fn) + " requires a list of 2 to 10 conditions");
    bool result = fn == "Fn::And";
    for (const auto& c : arg.get_array()) {
      TP_ASSIGN_OR_RETURN(bool b, BoolOf(c));
      result = fn == "Fn::And" ? result && b : result || b;
    }
    return MaybeValue(json::value(result));
  }
  if (fn == "Fn::Not") {
    if (!arg.is_array() || arg.get_array().size() != 1)
      return TemplateError("Fn::Not requires a list argument with one element");
    TP_ASSIGN_OR_RETURN(bool b, BoolOf(arg.get_array()[0]));
    return MaybeValue(json::value(!b));
  }
  if (fn == "Fn::Join") {
    if (!arg.is_array() || arg.get_array().size() != 2 || !arg.get_array()[0].is_string())
      return TemplateError(
          "every Fn::Join object requires two parameters, (1) a string "
          "delimiter and (2) a list of strings to be joined or a function that "
          "returns a list of strings (such as Fn::GetAZs) to be joined.");
    const std::string delimiter(arg.get_array()[0].get_string());
    TP_ASSIGN_OR_RETURN(json::array parts, ListArg(arg.get_array()[1], fn, in_condition));
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
      auto text = ScalarText(parts[i]);
      if (!text.has_value())
        return TemplateError("every Fn::Join object requires a list of strings");
      if (i > 0) out += delimiter;
      out += *text;
    }
    return MaybeValue(json::value(out));
  }
  if (fn == "Fn::Select") {
    if (!arg.is_array() || arg.get_array().size() != 2)
      return TemplateError(
          "Fn::Select requires a list argument with two elements: an integer "
          "index and a list");
    TP_ASSIGN_OR_RETURN(MaybeValue index, Eval(arg.get_array()[0], in_condition));
    std::optional<int64_t> i = index.has_value() ? IntOf(*index) : std::nullopt;
    if (!i.has_value())
      return TemplateError(
          "Fn::Select requires a list argument with two elements: an integer "
          "index and a list");
    TP_ASSIGN_OR_RETURN(json::array list, ListArg(arg.get_array()[1], fn, in_condition));
    if (*i < 0 || static_cast<size_t>(*i) >= list.size())
      return TemplateError("Fn::Select cannot select nonexistent value at index " +
                           std::to_string(*i));
    return MaybeValue(std::move(list[static_cast<size_t>(*i)]));
  }
  if (fn == "Fn::Split") {
    if (!arg.is_array() || arg.get_array().size() != 2 || !arg.get_array()[0].is_string() ||
        arg.get_array()[0].get_string().empty())
      return TemplateError(
          "every Fn::Split object requires two parameters, (1) a string "
          "delimiter and (2) a string to be split or a function that returns a "
          "string to be split.");
    const std::string delimiter(arg.get_array()[0].get_string());
    TP_ASSIGN_OR_RETURN(std::string s, StringArg(arg.get_array()[1], fn, in_condition));
    json::array out;
    size_t start = 0;
    for (;;) {
      size_t at = s.find(delimiter, start);
      out.emplace_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
      if (at == std::string::npos) break;
      start = at + delimiter.size();
    }
    return MaybeValue(std::move(out));
  }
  if (fn == "Fn::Base64") {
    TP_ASSIGN_OR_RETURN(std::string s, StringArg(arg, fn, in_condition));
    return MaybeValue(json::value(Base64Encode(s)));
  }
  if (fn == "Fn::GetAZs") {
    TP_ASSIGN_OR_RETURN(std::string region, StringArg(arg, fn, in_condition));
    if (region.empty()) region = context_.region;
    return MaybeValue(json::array{json::value(region + "a"), json::value(region + "b"),
                                  json::value(region + "c")});
  }
  if (fn == "Fn::ImportValue") {
    TP_ASSIGN_OR_RETURN(std::string name, StringArg(arg, fn, in_condition));
    if (resolver_ == nullptr || in_condition)
      return TemplateError("Fn::ImportValue is not allowed here");
    TP_ASSIGN_OR_RETURN(json::value v, resolver_->ImportValue(name));
    return MaybeValue(std::move(v));
  }
  if (fn == "Fn::Cidr") {
    if (!arg.is_array() || arg.get_array().size() != 3)
      return TemplateError("Fn::Cidr requires three parameters: ipBlock, count and cidrBits");
    TP_ASSIGN_OR_RETURN(std::string block, StringArg(arg.get_array()[0], fn, in_condition));
    TP_ASSIGN_OR_RETURN(MaybeValue count, Eval(arg.get_array()[1], in_condition));
    TP_ASSIGN_OR_RETURN(MaybeValue bits, Eval(arg.get_array()[2], in_condition));
    auto n = count.has_value() ? IntOf(*count) : std::nullopt;
    auto b = bits.has_value() ? IntOf(*bits) : std::nullopt;
    if (!n || !b) return TemplateError("Fn::Cidr: count and cidrBits must be integers");
    TP_ASSIGN_OR_RETURN(std::vector<std::string> blocks, Cidr(block, *n, *b));
    json::array out;
    for (auto& s : blocks) out.emplace_back(s);
    return MaybeValue(std::move(out));
  }
  const bool extensions = template_.HasTransform("AWS::LanguageExtensions");
  if (fn == "Fn::Length" && extensions) {
    TP_ASSIGN_OR_RETURN(json::array list, ListArg(arg, fn, in_condition));
    return MaybeValue(json::value(static_cast<int64_t>(list.size())));
  }
  if (fn == "Fn::ToJsonString" && extensions) {
    TP_ASSIGN_OR_RETURN(MaybeValue v, Eval(arg, in_condition));
    if (!v.has_value() || (!v->is_object() && !v->is_array()))
      return TemplateError("Fn::ToJsonString requires an object or a list");
    return MaybeValue(json::value(json::serialize(*v)));
  }
  if (fn == "Fn::Transform")
    return TemplateError("Fn::Transform calls a macro; tidepool runs no macros");
  if (fn == "Fn::ForEach") return TemplateError("Fn::ForEach is not built in tidepool");
  return TemplateError(std::string(fn) + " needs the AWS::LanguageExtensions transform");
}

}  // namespace tidepool::cloudformation

#include "services/stepfunctions/asl/payload.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/stepfunctions/asl/intrinsics.h"
#include "services/stepfunctions/asl/json_path.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

std::optional<json::value> SelectPath(std::string_view path, const json::value& input,
                                      const json::value& context, const json::object* variables) {
  if (auto var = SplitVariablePath(path)) {
    const json::value* v = variables ? variables->if_contains(var->first) : nullptr;
    if (v == nullptr) return std::nullopt;
    auto p = JsonPath::Parse(var->second);
    if (!p.ok()) return std::nullopt;
    return p->Evaluate(*v);
  }
  bool ctx = path.starts_with("$$");
  auto p = JsonPath::Parse(ctx ? path.substr(1) : path);
  if (!p.ok()) return std::nullopt;
  return p->Evaluate(ctx ? context : input);
}

std::optional<json::value> ApplyInputOutputPath(const PathField& f, std::string_view field,
                                                const json::value& value,
                                                const json::value& context, StatesError* error) {
  switch (f.kind) {
    case PathField::Kind::kDefault:
      return value;
    case PathField::Kind::kNull:
      return json::value(json::object());
    case PathField::Kind::kPath:
      break;
  }
  auto v = SelectPath(f.path, value, context);
  if (!v) {
    *error = {std::string(errors::kRuntime),
              fmt::format("Invalid path '{}' : No results for path: $['{}']", f.path,
                          f.path.size() > 2 ? f.path.substr(2) : f.path)};
    (void)field;
    return std::nullopt;
  }
  return v;
}

std::optional<json::value> ApplyTemplate(const json::value& tmpl, const json::value& input,
                                         const json::value& context, StatesError* error,
                                         const json::object* variables) {
  if (const auto* o = tmpl.if_object()) {
    json::object out;
    for (const auto& kv : *o) {
      std::string_view k = kv.key();
      if (k.size() > 2 && k.ends_with(".$") && kv.value().is_string()) {
        std::string_view expr = kv.value().get_string();
        std::optional<json::value> v;
        if (IsIntrinsic(expr)) {
          v = EvaluateIntrinsic(expr, input, context, error);
          if (!v) return std::nullopt;
        } else {
          v = SelectPath(expr, input, context, variables);
          if (!v) {
            *error = {std::string(errors::kRuntime),
                      fmt::format("The JSONPath '{}' specified for the field '{}' could not be "
                                  "found in the input '{}'",
                                  expr, k, json::serialize(input))};
            return std::nullopt;
          }
        }
        out[k.substr(0, k.size() - 2)] = std::move(*v);
      } else {
        auto v = ApplyTemplate(kv.value(), input, context, error, variables);
        if (!v) return std::nullopt;
        out[k] = std::move(*v);
      }
    }
    return json::value(std::move(out));
  }
  if (const auto* a = tmpl.if_array()) {
    json::array out;
    for (const auto& e : *a) {
      auto v = ApplyTemplate(e, input, context, error, variables);
      if (!v) return std::nullopt;
      out.push_back(std::move(*v));
    }
    return json::value(std::move(out));
  }
  return tmpl;
}

std::optional<json::value> ApplyResultPath(const PathField& f, const json::value& raw_input,
                                           json::value result, StatesError* error) {
  switch (f.kind) {
    case PathField::Kind::kDefault:
      return result;
    case PathField::Kind::kNull:
      return raw_input;
    case PathField::Kind::kPath:
      break;
  }
  auto p = JsonPath::Parse(f.path);
  json::value out = raw_input;
  if (p.ok() && p->Assign(out, std::move(result))) return out;
  *error = {std::string(errors::kResultPathMatchFailure),
            fmt::format("Unable to apply ReferencePath {} to input {}", f.path,
                        json::serialize(raw_input))};
  return std::nullopt;
}

}  // namespace tidepool::sfn::asl

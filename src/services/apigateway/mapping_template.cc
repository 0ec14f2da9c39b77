#include "services/apigateway/mapping_template.h"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>

#include "protocol/codec/json_text.h"
#include "services/apigateway/vtl/json_path.h"
#include "services/apigateway/vtl/template.h"

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

json::object PairsObject(const std::vector<std::pair<std::string, std::string>>& pairs) {
  json::object o;
  for (const auto& [k, v] : pairs) o[k] = v;
  return o;
}

// `v` as JSON text, numbers in their shortest form (249.99, not 2.4999E2).
void AppendJson(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::double_:
      protocol::json_text::AppendDouble(v.get_double(), out, false);
      return;
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        protocol::json_text::AppendStringSafe(kv.key(), out);
        out.push_back(':');
        AppendJson(kv.value(), out);
      }
      out.push_back('}');
      return;
    }
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        AppendJson(item, out);
      }
      out.push_back(']');
      return;
    }
    default:
      out += json::serialize(v);
  }
}

class MappingEnvironment final : public vtl::Environment {
 public:
  explicit MappingEnvironment(const MappingInput& input) : input_(input) {
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    body_ = json::parse(input.body, ec, {}, options);
    body_is_json_ = !ec;
  }

  std::optional<json::value> Variable(std::string_view name) const override {
    if (name == "context") return json::value(input_.context);
    if (name == "stageVariables") return json::value(input_.stage_variables);
    if (name == "input") return json::value(json::object());
    return std::nullopt;
  }

  std::optional<Result<json::value>> Call(std::string_view object, std::string_view method,
                                          const std::vector<json::value>& args) const override {
    if (object != "input") return std::nullopt;
    if (method == "body") return Result<json::value>(json::value(json::string(input_.body)));
    if (method == "json" || method == "path") {
      if (args.size() != 1 || !args[0].is_string()) {
        return Result<json::value>(
            Status::InvalidArgument("$input." + std::string(method) + " takes a JSONPath"));
      }
      if (!body_is_json_) {
        if (method == "json" && args[0].get_string() == "$") {
          return Result<json::value>(json::value(json::string("{}")));
        }
        return Result<json::value>(json::value(nullptr));
      }
      auto selected = vtl::SelectJsonPath(body_, args[0].get_string());
      if (!selected.ok()) return Result<json::value>(selected.status());
      if (method == "path") return Result<json::value>(selected->value_or(nullptr));
      std::string text;
      if (selected->has_value()) {
        AppendJson(**selected, text);
      } else {
        text = "null";
      }
      return Result<json::value>(json::value(json::string(text)));
    }
    if (method == "params") {
      if (args.empty()) {
        return Result<json::value>(
            json::value(json::object{{"path", PairsObject(input_.path_parameters)},
                                     {"querystring", PairsObject(input_.query)},
                                     {"header", PairsObject(input_.headers)}}));
      }
      std::string name = args[0].is_string() ? std::string(args[0].get_string()) : "";
      for (const auto* list : {&input_.path_parameters, &input_.query}) {
        for (const auto& [k, v] : *list) {
          if (k == name) return Result<json::value>(json::value(json::string(v)));
        }
      }
      for (const auto& [k, v] : input_.headers) {
        if (boost::beast::iequals(k, name)) {
          return Result<json::value>(json::value(json::string(v)));
        }
      }
      return Result<json::value>(json::value(json::string("")));
    }
    return std::nullopt;
  }

 private:
  const MappingInput& input_;
  json::value body_;
  bool body_is_json_ = false;
};

}  // namespace

Result<std::string> RenderMappingTemplate(std::string_view text, const MappingInput& input) {
  auto parsed = vtl::Template::Parse(text);
  if (!parsed.ok()) return parsed.status();
  MappingEnvironment env(input);
  return parsed->Render(env);
}

Status CheckMappingTemplate(std::string_view text) {
  auto parsed = vtl::Template::Parse(text);
  return parsed.ok() ? Status::Ok() : parsed.status();
}

}  // namespace tidepool::apigateway

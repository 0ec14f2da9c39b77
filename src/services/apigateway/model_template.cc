#include "services/apigateway/model_template.h"

#include <boost/json.hpp>

#include <map>
#include <string_view>

#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;

namespace {

constexpr int kMaxDepth = 16;
constexpr size_t kMaxTemplateBytes = 1 << 20;  // references that fan out stop here

bool IsIdentifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string JsonKey(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  return out + "\"";
}

// The VTL reference to member `name` of `ref`.
std::string Member(const std::string& ref, std::string_view name) {
  if (IsIdentifier(name)) return ref + "." + std::string(name);
  std::string quoted;
  for (char c : name) {
    if (c == '\'')
      quoted += "''";  // VTL's escape of a quote in a single-quoted string
    else if (static_cast<unsigned char>(c) >= 0x20)
      quoted.push_back(c);
  }
  return ref + ".get('" + quoted + "')";
}

class TemplateWriter {
 public:
  explicit TemplateWriter(const json::object& models) : models_(models) {}

  // Appends the template text of a value of `schema` (in document `doc`) read from `ref`.
  void Value(const json::value& schema, const json::value& doc, const std::string& ref, int indent,
             int depth) {
    const json::value* resolved = &schema;
    const json::value* resolved_doc = &doc;
    for (int hops = 0; hops < kMaxDepth; ++hops) {
      const json::object* o = resolved->if_object();
      const json::value* r = o ? o->if_contains("$ref") : nullptr;
      if (r == nullptr || !r->is_string()) break;
      if (!Follow(std::string(r->get_string()), &resolved, &resolved_doc)) {
        out_ += "\"" + ref + "\"";
        return;
      }
    }
    const json::object* o = resolved->if_object();
    if (o == nullptr || depth > kMaxDepth || out_.size() > kMaxTemplateBytes) {
      out_ += "\"" + ref + "\"";
      return;
    }
    std::string type = TypeOf(*o);
    if (type == "object") return Object(*o, *resolved_doc, ref, indent, depth);
    if (type == "array") return Array(*o, *resolved_doc, ref, indent, depth);
    if (type == "number" || type == "integer" || type == "boolean") {
      out_ += ref;
      return;
    }
    out_ += "\"" + ref + "\"";
  }

  std::string Take() { return std::move(out_); }

 private:
  static std::string TypeOf(const json::object& schema) {
    const json::value* t = schema.if_contains("type");
    if (t != nullptr && t->is_string()) return std::string(t->get_string());
    if (t != nullptr && t->is_array()) {
      for (const json::value& v : t->get_array()) {
        if (v.is_string() && v.get_string() != "null") return std::string(v.get_string());
      }
    }
    if (schema.contains("properties")) return "object";
    if (schema.contains("items")) return "array";
    return "";
  }

  void Object(const json::object& schema, const json::value& doc, const std::string& ref,
              int indent, int depth) {
    const json::object* props = FindObject(schema, "properties");
    out_ += "{\n";
    if (props != nullptr) {
      size_t i = 0;
      for (const auto& kv : *props) {
        out_ += std::string(indent + 2, ' ') + JsonKey(kv.key()) + " : ";
        Value(kv.value(), doc, Member(ref, kv.key()), indent + 2, depth + 1);
        out_ += ++i < props->size() ? ",\n" : "\n";
      }
    }
    out_ += std::string(indent, ' ') + "}";
  }

  void Array(const json::object& schema, const json::value& doc, const std::string& ref, int indent,
             int depth) {
    std::string elem = "$elem" + (depth == 0 ? std::string() : std::to_string(depth + 1));
    out_ += "[\n#foreach(" + elem + " in " + ref + ")\n" + std::string(indent + 2, ' ');
    const json::value* items = schema.if_contains("items");
    if (items != nullptr) {
      Value(*items, doc, elem, indent + 2, depth + 1);
    } else {
      out_ += "\"" + elem + "\"";
    }
    out_ += "#if($foreach.hasNext),#end\n#end\n" + std::string(indent, ' ') + "]";
  }

  // Resolves `ref` to a schema (and the document its own references are relative to).
  bool Follow(const std::string& ref, const json::value** schema, const json::value** doc) {
    constexpr std::string_view kDefinitions = "#/definitions/";
    if (ref.starts_with(kDefinitions)) {
      const json::object* d = (*doc)->if_object();
      const json::object* defs = d ? FindObject(*d, "definitions") : nullptr;
      const json::value* target =
          defs ? defs->if_contains(ref.substr(kDefinitions.size())) : nullptr;
      if (target == nullptr) return false;
      *schema = target;
      return true;
    }
    std::string name = ref.substr(ref.rfind('/') == std::string::npos ? 0 : ref.rfind('/') + 1);
    auto cached = parsed_.find(name);
    if (cached == parsed_.end()) {
      const json::object* model = FindObject(models_, name);
      if (model == nullptr) return false;
      boost::system::error_code ec;
      json::parse_options options;
      options.max_depth = 64;
      json::value parsed = json::parse(StringField(*model, "schema"), ec, {}, options);
      if (ec) return false;
      cached = parsed_.emplace(name, std::move(parsed)).first;
    }
    *schema = &cached->second;
    *doc = &cached->second;
    return true;
  }

  const json::object& models_;
  std::map<std::string, json::value> parsed_;  // referenced models' schemas, stable addresses
  std::string out_;
};

}  // namespace

std::string GenerateModelTemplate(const json::value& schema, const json::object& models) {
  TemplateWriter writer(models);
  std::string head = "#set($inputRoot = $input.path('$'))\n";
  writer.Value(schema, schema, "$inputRoot", 0, 0);
  return head + writer.Take();
}

}  // namespace tidepool::apigateway

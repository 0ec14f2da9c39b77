#include "protocol/codec/yaml_reader.h"

#include <yaml.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <string>
#include <vector>

#include "protocol/codec/yaml_scalar.h"

namespace tidepool::protocol::yaml {
namespace json = boost::json;
namespace {

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

struct Mark {
  size_t line = 0;  // 0-based, as libyaml reports them
  size_t column = 0;
};

Status ErrorAt(const Mark& mark, std::string_view what) {
  return Status::InvalidArgument("YAML: " + std::string(what) + " at line " +
                                 std::to_string(mark.line + 1) + ", column " +
                                 std::to_string(mark.column + 1));
}

std::string Text(const yaml_char_t* s) {
  return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s));
}

// A sequence or mapping being read.
struct Frame {
  bool mapping = false;
  json::value value;
  std::string tag;
  std::string anchor;
  Mark mark;
  size_t weight = 1;
  bool has_key = false;
  bool merge_key = false;  // the pending key is the `<<` merge key
  std::string key;
  Mark key_mark;
  std::vector<std::string> merged;  // keys that came from `<<` (explicit keys replace them)
};

// A value of a standard tag's scalar, or a Status when the text does not fit the tag.
Result<json::value> CoreTagged(std::string_view tag, const std::string& text, const Mark& mark) {
  if (tag == "str" || tag == "binary" || tag == "timestamp") return json::value(text);
  json::value plain = ResolvePlainScalar(text);
  const bool fits = (tag == "null" && plain.is_null()) || (tag == "bool" && plain.is_bool()) ||
                    (tag == "int" && (plain.is_int64() || plain.is_uint64())) ||
                    (tag == "float" && plain.is_number());
  if (!fits) return ErrorAt(mark, "'" + text + "' is not a valid !!" + std::string(tag));
  if (tag == "float") return json::value(plain.to_number<double>());
  return plain;
}

class Reader {
 public:
  explicit Reader(const YamlOptions& options) : options_(options) {}

  Result<json::value> Run(std::string_view text) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return Status::Internal("YAML: out of memory");
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    Status status;
    bool done = false;
    while (status.ok() && !done) {
      yaml_event_t event;
      if (!yaml_parser_parse(&parser, &event)) {
        Mark mark{parser.problem_mark.line, parser.problem_mark.column};
        std::string problem = parser.problem != nullptr ? parser.problem : "syntax error";
        if (parser.context != nullptr) problem = std::string(parser.context) + ": " + problem;
        status = ErrorAt(mark, problem);
        break;
      }
      done = event.type == YAML_STREAM_END_EVENT;
      status = OnEvent(event);
      yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    if (!status.ok()) return status;
    return std::move(root_);
  }

 private:
  Status OnEvent(const yaml_event_t& event) {
    Mark mark{event.start_mark.line, event.start_mark.column};
    switch (event.type) {
      case YAML_DOCUMENT_START_EVENT:
        if (++documents_ > 1) return ErrorAt(mark, "expected a single document");
        return Status::Ok();
      case YAML_ALIAS_EVENT:
        return OnAlias(Text(event.data.alias.anchor), mark);
      case YAML_SCALAR_EVENT:
        return OnScalar(event, mark);
      case YAML_SEQUENCE_START_EVENT:
        return Open(false, Text(event.data.sequence_start.tag),
                    Text(event.data.sequence_start.anchor), mark);
      case YAML_MAPPING_START_EVENT:
        return Open(true, Text(event.data.mapping_start.tag), Text(event.data.mapping_start.anchor),
                    mark);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        return Close();
      default:
        return Status::Ok();
    }
  }

  Status Open(bool mapping, std::string tag, std::string anchor, const Mark& mark) {
    if (!stack_.empty() && stack_.back().mapping && !stack_.back().has_key) {
      return ErrorAt(mark, "complex mapping keys are not supported");
    }
    if (stack_.size() >= options_.max_depth) return ErrorAt(mark, "nesting too deep");
    Frame frame;
    frame.mapping = mapping;
    frame.value = mapping ? json::value(json::object()) : json::value(json::array());
    frame.tag = std::move(tag);
    frame.anchor = std::move(anchor);
    frame.mark = mark;
    stack_.push_back(std::move(frame));
    return Spend(1, mark);
  }

  Status Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    return Complete(std::move(frame.value), frame.weight, frame.tag, frame.anchor, frame.mark);
  }

  Status OnScalar(const yaml_event_t& event, const Mark& mark) {
    const auto& s = event.data.scalar;
    std::string text(reinterpret_cast<const char*>(s.value), s.length);
    std::string tag = Text(s.tag);
    std::string anchor = Text(s.anchor);
    TP_RETURN_IF_ERROR(Spend(1 + text.size(), mark));
    if (!stack_.empty() && stack_.back().mapping && !stack_.back().has_key) {
      Frame& map = stack_.back();
      map.has_key = true;
      map.merge_key = text == "<<" && s.style == YAML_PLAIN_SCALAR_STYLE && tag.empty();
      map.key = text;
      map.key_mark = mark;
      map.weight += 1 + text.size();
      if (!anchor.empty()) anchors_[anchor] = {json::value(text), 1 + text.size()};
      return Status::Ok();
    }
    json::value value;
    if (tag.empty() || tag == "!") {
      const bool plain = tag.empty() && s.style == YAML_PLAIN_SCALAR_STYLE;
      value = plain ? ResolvePlainScalar(text) : json::value(text);
      tag.clear();
    } else if (tag.starts_with(kCoreTagPrefix)) {
      auto typed = CoreTagged(std::string_view(tag).substr(kCoreTagPrefix.size()), text, mark);
      if (!typed.ok()) return typed.status();
      value = std::move(*typed);
      tag.clear();
    } else {
      value = json::value(text);  // a locally tagged scalar is the handler's text
    }
    return Complete(std::move(value), 1 + text.size(), tag, anchor, mark);
  }

  Status OnAlias(const std::string& anchor, const Mark& mark) {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return ErrorAt(mark, "unknown anchor '" + anchor + "'");
    const auto& [value, weight] = it->second;
    TP_RETURN_IF_ERROR(Spend(weight, mark));
    if (!stack_.empty() && stack_.back().mapping && !stack_.back().has_key) {
      if (!value.is_string()) return ErrorAt(mark, "complex mapping keys are not supported");
      stack_.back().has_key = true;
      stack_.back().merge_key = false;
      stack_.back().key = std::string(value.get_string());
      stack_.back().key_mark = mark;
      return Status::Ok();
    }
    return Attach(json::value(value), weight, mark);
  }

  // A node is complete: apply its tag, remember its anchor, attach it to its parent.
  Status Complete(json::value value, size_t weight, const std::string& tag,
                  const std::string& anchor, const Mark& mark) {
    if (!tag.empty() && !tag.starts_with(kCoreTagPrefix)) {
      if (!options_.on_tag) return ErrorAt(mark, "tag " + tag + " is not supported");
      auto replaced = options_.on_tag(tag, std::move(value));
      if (!replaced.ok()) return ErrorAt(mark, replaced.status().message());
      value = std::move(*replaced);
    }
    if (!anchor.empty()) anchors_[anchor] = {value, weight};
    return Attach(std::move(value), weight, mark);
  }

  Status Attach(json::value value, size_t weight, const Mark& mark) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return Status::Ok();
    }
    Frame& parent = stack_.back();
    parent.weight += weight;
    if (!parent.mapping) {
      parent.value.get_array().push_back(std::move(value));
      return Status::Ok();
    }
    parent.has_key = false;
    json::object& object = parent.value.get_object();
    if (parent.merge_key) return Merge(parent, value, mark);
    const bool was_merged = std::erase(parent.merged, parent.key) > 0;
    if (object.contains(parent.key) && !was_merged) {
      return ErrorAt(parent.key_mark, "duplicate mapping key '" + parent.key + "'");
    }
    object[parent.key] = std::move(value);
    return Status::Ok();
  }

  // `<<: mapping` or `<<: [mappings]`: members not yet present are added.
  static Status Merge(Frame& parent, const json::value& value, const Mark& mark) {
    std::vector<const json::object*> sources;
    if (value.is_object()) sources.push_back(&value.get_object());
    if (value.is_array()) {
      for (const json::value& v : value.get_array()) {
        if (!v.is_object()) return ErrorAt(mark, "a merge key takes mappings only");
        sources.push_back(&v.get_object());
      }
    }
    if (sources.empty()) return ErrorAt(mark, "a merge key takes mappings only");
    json::object& object = parent.value.get_object();
    for (const json::object* source : sources) {
      for (const auto& member : *source) {
        if (object.contains(member.key())) continue;
        object[member.key()] = member.value();
        parent.merged.emplace_back(member.key());
      }
    }
    return Status::Ok();
  }

  Status Spend(size_t weight, const Mark& mark) {
    spent_ += weight;
    if (spent_ > options_.max_expansion) return ErrorAt(mark, "document too large once expanded");
    return Status::Ok();
  }

  const YamlOptions& options_;
  std::vector<Frame> stack_;
  std::map<std::string, std::pair<json::value, size_t>> anchors_;  // anchor → value, weight
  json::value root_;
  size_t spent_ = 0;
  int documents_ = 0;
};

}  // namespace

Result<json::value> ParseYaml(std::string_view text, const YamlOptions& options) {
  Reader reader(options);
  return reader.Run(text);
}

Result<json::value> CloudFormationShortForm(std::string_view tag, json::value node) {
  static constexpr std::array<std::string_view, 22> kFunctions = {
      "Base64", "Cidr",     "FindInMap",        "GetAZs",  "ImportValue", "Join",   "Select",
      "Split",  "Sub",      "Transform",        "And",     "Equals",      "If",     "Not",
      "Or",     "Contains", "EachMemberEquals", "ValueOf", "RefAll",      "Length", "ToJsonString",
      "ForEach"};
  if (!tag.starts_with('!')) return Status::InvalidArgument("unknown tag " + std::string(tag));
  std::string_view name = tag.substr(1);
  if (name == "Ref" || name == "Condition") {
    return json::value(json::object{{name, std::move(node)}});
  }
  if (name == "GetAtt") {
    if (node.is_string()) {
      std::string_view text = node.get_string();
      size_t dot = text.find('.');
      if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) {
        return Status::InvalidArgument("!GetAtt takes 'Resource.Attribute'");
      }
      node = json::array{text.substr(0, dot), text.substr(dot + 1)};
    }
    return json::value(json::object{{"Fn::GetAtt", std::move(node)}});
  }
  if (std::find(kFunctions.begin(), kFunctions.end(), name) == kFunctions.end()) {
    return Status::InvalidArgument("unknown tag " + std::string(tag));
  }
  return json::value(json::object{{"Fn::" + std::string(name), std::move(node)}});
}

}  // namespace tidepool::protocol::yaml

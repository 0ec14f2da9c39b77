#include "services/apigateway/patch.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "services/apigateway/apigateway_errors.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::model::ServiceModel;
using protocol::model::Shape;
using protocol::model::ShapeType;

namespace {

constexpr int kMaxPatchDepth = 16;

Status InvalidPath(const PatchOperation& op) {
  return BadRequest("Invalid patch path '" + op.path + "' specified for op '" + op.op + "'");
}

// `text` as a value of `shape`'s type.
Result<json::value> Convert(const Shape& shape, std::string_view text, const PatchOperation& op) {
  switch (shape.type) {
    case ShapeType::kBoolean:
      if (text == "true") return json::value(true);
      if (text == "false") return json::value(false);
      return BadRequest("Invalid value '" + std::string(text) + "' for boolean at path '" +
                        op.path + "'");
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || p != text.data() + text.size()) {
        return BadRequest("Invalid value '" + std::string(text) + "' for integer at path '" +
                          op.path + "'");
      }
      return json::value(n);
    }
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      std::string s(text);
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(d)) {
        return BadRequest("Invalid value '" + s + "' for number at path '" + op.path + "'");
      }
      return json::value(d);
    }
    case ShapeType::kString:
      return json::value(json::string(text));
    default:
      return InvalidPath(op);
  }
}

const protocol::model::Member* FindMember(const ServiceModel& model, const Shape& shape,
                                          std::string_view name) {
  for (const auto& m : model.MembersOf(shape)) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

// Removes `item` from a list of strings; whether it was there.
bool EraseString(json::array& list, std::string_view item) {
  for (auto it = list.begin(); it != list.end(); ++it) {
    if (it->is_string() && it->get_string() == item) {
      list.erase(it);
      return true;
    }
  }
  return false;
}

// Where a path leads: the container object and key holding the leaf, with the leaf's shape.
// A path into a list of strings stops at the list (`list_item` holds the element named).
struct Location {
  json::object* parent = nullptr;
  std::string key;
  uint16_t shape = protocol::model::kNoShape;
  bool list_item = false;
  std::string item;
};

Result<Location> Walk(const ServiceModel& model, uint16_t shape_index, json::object& target,
                      const std::vector<std::string>& segments, const PatchOperation& op,
                      std::initializer_list<std::string_view> read_only, bool create) {
  if (segments.empty() || segments.size() > kMaxPatchDepth) return InvalidPath(op);
  json::object* current = &target;
  uint16_t current_shape = shape_index;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Shape& shape = model.shape(current_shape);
    const std::string& seg = segments[i];
    uint16_t next_shape = protocol::model::kNoShape;
    if (shape.type == ShapeType::kStructure) {
      const auto* member = FindMember(model, shape, seg);
      if (member == nullptr) return InvalidPath(op);
      if (i == 0) {
        for (std::string_view ro : read_only) {
          if (ro == seg) return InvalidPath(op);
        }
      }
      next_shape = member->shape;
    } else if (shape.type == ShapeType::kMap) {
      next_shape = shape.member;
    } else {
      return InvalidPath(op);
    }
    const Shape& next = model.shape(next_shape);
    bool last = i + 1 == segments.size();
    if (last) return Location{current, seg, next_shape, false, {}};
    if (next.type == ShapeType::kList && i + 2 == segments.size() &&
        model.shape(next.member).type == ShapeType::kString) {
      return Location{current, seg, next_shape, true, segments[i + 1]};
    }
    if (next.type != ShapeType::kStructure && next.type != ShapeType::kMap) return InvalidPath(op);
    json::value* child = current->if_contains(seg);
    if (child == nullptr || !child->is_object()) {
      if (!create) return BadRequest("Invalid patch path '" + op.path + "': no such entry");
      child = &((*current)[seg] = json::object());
    }
    current = &child->get_object();
    current_shape = next_shape;
  }
  return InvalidPath(op);
}

Status ApplyOne(const ServiceModel& model, uint16_t shape, const PatchOperation& op,
                json::object& target, std::initializer_list<std::string_view> read_only) {
  std::vector<std::string> segments;
  if (Status s = SplitPointer(op.path, &segments); !s.ok()) return s;
  if (op.op == "move" || op.op == "copy") {
    std::vector<std::string> from;
    if (Status s = SplitPointer(op.from, &from); !s.ok()) return s;
    auto source = Walk(model, shape, target, from, op, read_only, false);
    if (!source.ok()) return source.status();
    json::value* v = source->parent->if_contains(source->key);
    if (v == nullptr || source->list_item) return InvalidPath(op);
    json::value moved = *v;
    if (op.op == "move") source->parent->erase(source->key);
    auto dest = Walk(model, shape, target, segments, op, read_only, true);
    if (!dest.ok()) return dest.status();
    if (dest->list_item) return InvalidPath(op);
    (*dest->parent)[dest->key] = std::move(moved);
    return Status::Ok();
  }
  bool adding = op.op == "add" || op.op == "replace";
  if (!adding && op.op != "remove" && op.op != "test") {
    return BadRequest("Invalid patch operation '" + op.op + "'");
  }
  auto loc = Walk(model, shape, target, segments, op, read_only, adding);
  if (!loc.ok()) return loc.status();
  const Shape& leaf = model.shape(loc->shape);
  if (op.op == "test") return Status::Ok();
  if (leaf.type == ShapeType::kList) {
    // A list of strings: one element, named by the path's last segment or by the value.
    if (model.shape(leaf.member).type != ShapeType::kString) return InvalidPath(op);
    std::string item = loc->list_item ? loc->item : op.value;
    json::value& slot = (*loc->parent)[loc->key];
    if (!slot.is_array()) slot = json::array();
    json::array& list = slot.get_array();
    if (op.op == "remove") {
      if (!EraseString(list, item)) {
        return BadRequest("Invalid patch path '" + op.path + "': '" + item + "' is not present");
      }
      if (list.empty()) loc->parent->erase(loc->key);
      return Status::Ok();
    }
    if (op.op == "replace" && !loc->list_item) {
      list.clear();
      if (!item.empty()) list.emplace_back(json::string(item));
      return Status::Ok();
    }
    if (item.empty()) return BadRequest("Invalid patch: no value to add at '" + op.path + "'");
    EraseString(list, item);
    list.emplace_back(json::string(item));
    return Status::Ok();
  }
  if (op.op == "remove") {
    if (loc->parent->erase(loc->key) == 0 &&
        model.shape(loc->shape).type != ShapeType::kStructure) {
      return BadRequest("Invalid patch path '" + op.path + "': no such entry");
    }
    return Status::Ok();
  }
  if (leaf.type == ShapeType::kStructure || leaf.type == ShapeType::kMap) {
    return InvalidPath(op);
  }
  if (!op.has_value && leaf.type != ShapeType::kString) {
    return BadRequest("Invalid patch: a value is required at '" + op.path + "'");
  }
  auto value = Convert(leaf, op.value, op);
  if (!value.ok()) return value.status();
  (*loc->parent)[loc->key] = std::move(*value);
  return Status::Ok();
}

}  // namespace

std::vector<PatchOperation> PatchOperationsOf(const json::object& input) {
  std::vector<PatchOperation> ops;
  const json::value* list = input.if_contains("patchOperations");
  if (list == nullptr || !list->is_array()) return ops;
  for (const json::value& v : list->get_array()) {
    const json::object* o = v.if_object();
    if (o == nullptr) continue;
    PatchOperation op;
    auto text = [&](std::string_view key, std::string* out) {
      const json::value* f = o->if_contains(key);
      if (f != nullptr && f->is_string()) {
        *out = std::string(f->get_string());
        return true;
      }
      return false;
    };
    text("op", &op.op);
    text("path", &op.path);
    op.has_value = text("value", &op.value);
    text("from", &op.from);
    ops.push_back(std::move(op));
  }
  return ops;
}

Status SplitPointer(std::string_view path, std::vector<std::string>* segments) {
  segments->clear();
  if (path.empty() || path[0] != '/') {
    return BadRequest("Invalid patch path '" + std::string(path) + "'");
  }
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    std::string_view raw = path.substr(0, slash);
    std::string seg;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '1' || raw[i + 1] == '0')) {
        seg.push_back(raw[i + 1] == '1' ? '/' : '~');
        ++i;
      } else {
        seg.push_back(raw[i]);
      }
    }
    segments->push_back(std::move(seg));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return Status::Ok();
}

Status ApplyPatch(const ServiceModel& model, uint16_t shape, const std::vector<PatchOperation>& ops,
                  json::object& target, std::initializer_list<std::string_view> read_only) {
  if (shape == protocol::model::kNoShape) return BadRequest("nothing to patch");
  for (const PatchOperation& op : ops) {
    if (Status s = ApplyOne(model, shape, op, target, read_only); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace tidepool::apigateway

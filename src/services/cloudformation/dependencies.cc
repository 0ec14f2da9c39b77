#include "services/cloudformation/dependencies.h"

#include <functional>

namespace tidepool::cloudformation {

namespace json = boost::json;

namespace {

bool IsPseudo(const std::string& name) { return name.starts_with("AWS::"); }

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

void SubReferences(std::string_view text, std::set<std::string>* names) {
  size_t i = 0;
  while ((i = text.find("${", i)) != std::string_view::npos) {
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) return;
    std::string_view name = text.substr(i + 2, close - i - 2);
    i = close + 1;
    if (name.empty() || name[0] == '!') continue;
    if (!name.starts_with("AWS::")) name = name.substr(0, name.find('.'));
    names->emplace(name);
  }
}

}  // namespace

void CollectReferences(const json::value& value, std::set<std::string>* names) {
  if (value.is_array()) {
    for (const auto& e : value.get_array()) CollectReferences(e, names);
    return;
  }
  if (!value.is_object()) return;
  const json::object& o = value.get_object();
  if (o.size() == 1) {
    const std::string_view key = o.begin()->key();
    const json::value& arg = o.begin()->value();
    if (key == "Ref" && arg.is_string()) {
      names->emplace(arg.get_string());
      return;
    }
    if (key == "Fn::GetAtt") {
      if (arg.is_string()) {
        std::string_view s = arg.get_string();
        names->emplace(s.substr(0, s.find('.')));
        return;
      }
      if (arg.is_array() && !arg.get_array().empty() && arg.get_array()[0].is_string()) {
        names->emplace(arg.get_array()[0].get_string());
        for (size_t i = 1; i < arg.get_array().size(); ++i)
          CollectReferences(arg.get_array()[i], names);
        return;
      }
    }
    if (key == "Fn::Sub") {
      if (arg.is_string()) return SubReferences(arg.get_string(), names);
      if (arg.is_array() && arg.get_array().size() == 2 && arg.get_array()[0].is_string()) {
        std::set<std::string> in_text;
        SubReferences(arg.get_array()[0].get_string(), &in_text);
        const json::value& vars = arg.get_array()[1];
        for (const auto& n : in_text) {
          if (!vars.is_object() || !vars.get_object().contains(n)) names->insert(n);
        }
        CollectReferences(vars, names);
        return;
      }
    }
  }
  for (const auto& [_, member] : o) CollectReferences(member, names);
}

Result<DependencyGraph> ResolveDependenciesOf(const Template& t,
                                              const std::set<std::string>& active) {
  std::set<std::string> resources;
  for (const auto& r : t.resources) resources.insert(r.logical_id);
  auto known = [&](const std::string& n) {
    return IsPseudo(n) || t.parameters.contains(n) || resources.count(n) != 0;
  };
  std::set<std::string> unknown_conditions;
  DependencyGraph g;
  std::set<std::string> unresolved;
  for (const auto& r : t.resources) {
    if (!r.condition.empty() && !t.conditions.contains(r.condition))
      unknown_conditions.insert(r.condition);
    std::set<std::string> refs;
    CollectReferences(r.properties, &refs);
    CollectReferences(r.metadata, &refs);
    for (const auto& d : r.depends_on) {
      if (resources.count(d) == 0) unresolved.insert(d);
      refs.insert(d);
    }
    for (const auto& n : refs) {
      if (!known(n)) unresolved.insert(n);
    }
    if (active.count(r.logical_id) == 0) continue;
    auto& needs = g.needs[r.logical_id];
    for (const auto& n : refs) {
      // A reference to a resource that is not created fails when it is evaluated (or not at
      // all, inside the Fn::If branch not taken); it orders nothing.
      if (resources.count(n) != 0 && active.count(n) != 0 && n != r.logical_id) needs.insert(n);
      if (n == r.logical_id)
        return Status::InvalidArgument("Circular dependency between resources: [" + n + "]");
    }
  }
  if (!unresolved.empty())
    return TemplateFormatError("Unresolved resource dependencies [" + Join(unresolved) +
                               "] in the Resources block of the template");
  std::set<std::string> unresolved_outputs;
  for (const auto& o : t.outputs) {
    if (!o.condition.empty() && !t.conditions.contains(o.condition))
      unknown_conditions.insert(o.condition);
    std::set<std::string> refs;
    CollectReferences(o.value, &refs);
    CollectReferences(o.export_name, &refs);
    for (const auto& n : refs) {
      if (!known(n)) unresolved_outputs.insert(n);
    }
  }
  if (!unresolved_outputs.empty())
    return TemplateFormatError("Unresolved resource dependencies [" + Join(unresolved_outputs) +
                               "] in the Outputs block of the template");
  if (!unknown_conditions.empty())
    return TemplateFormatError("Unresolved condition dependencies [" + Join(unknown_conditions) +
                               "] in the Resources block of the template");
  // Depth-first topological sort in template order; a grey node met again is a cycle.
  enum class Mark { kNone, kGrey, kBlack };
  std::map<std::string, Mark> mark;
  std::vector<std::string> stack;
  Status cycle;
  std::function<bool(const std::string&)> visit = [&](const std::string& id) {
    Mark& m = mark[id];
    if (m == Mark::kBlack) return true;
    if (m == Mark::kGrey) {
      std::set<std::string> members;
      for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        members.insert(*it);
        if (*it == id) break;
      }
      cycle =
          Status::InvalidArgument("Circular dependency between resources: [" + Join(members) + "]");
      return false;
    }
    m = Mark::kGrey;
    stack.push_back(id);
    for (const auto& n : g.needs[id]) {
      if (!visit(n)) return false;
    }
    stack.pop_back();
    mark[id] = Mark::kBlack;
    g.order.push_back(id);
    return true;
  };
  for (const auto& r : t.resources) {
    if (active.count(r.logical_id) != 0 && !visit(r.logical_id)) return cycle;
  }
  return g;
}

}  // namespace tidepool::cloudformation

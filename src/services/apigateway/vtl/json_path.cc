#include "services/apigateway/vtl/json_path.h"

#include <boost/json.hpp>

#include <cctype>
#include <vector>

namespace tidepool::apigateway::vtl {
namespace json = boost::json;

namespace {

constexpr size_t kMaxSteps = 64;

struct Step {
  enum class Kind { kName, kIndex, kAll };
  Kind kind;
  std::string name;
  int64_t index = 0;
};

Result<std::vector<Step>> ParseSteps(std::string_view path) {
  auto bad = [&] {
    return Status::InvalidArgument("Invalid JSONPath expression: " + std::string(path));
  };
  std::vector<Step> steps;
  if (path.empty() || path[0] != '$') return bad();
  size_t i = 1;
  while (i < path.size()) {
    if (steps.size() > kMaxSteps) return bad();
    if (path[i] == '.') {
      ++i;
      if (i < path.size() && path[i] == '*') {
        steps.push_back({Step::Kind::kAll, "", 0});
        ++i;
        continue;
      }
      size_t start = i;
      while (i < path.size() && path[i] != '.' && path[i] != '[') ++i;
      if (i == start) return bad();
      steps.push_back({Step::Kind::kName, std::string(path.substr(start, i - start)), 0});
    } else if (path[i] == '[') {
      ++i;
      if (i < path.size() && (path[i] == '\'' || path[i] == '"')) {
        char quote = path[i++];
        size_t close = path.find(quote, i);
        if (close == std::string_view::npos || close + 1 >= path.size() || path[close + 1] != ']') {
          return bad();
        }
        steps.push_back({Step::Kind::kName, std::string(path.substr(i, close - i)), 0});
        i = close + 2;
      } else if (i < path.size() && path[i] == '*') {
        if (i + 1 >= path.size() || path[i + 1] != ']') return bad();
        steps.push_back({Step::Kind::kAll, "", 0});
        i += 2;
      } else {
        size_t start = i;
        while (i < path.size() && std::isdigit(static_cast<unsigned char>(path[i]))) ++i;
        if (i == start || i - start > 9 || i >= path.size() || path[i] != ']') return bad();
        steps.push_back(
            {Step::Kind::kIndex, "", std::stoll(std::string(path.substr(start, i - start)))});
        ++i;
      }
    } else {
      return bad();
    }
  }
  return steps;
}

}  // namespace

Result<std::optional<json::value>> SelectJsonPath(const json::value& root, std::string_view path) {
  auto steps = ParseSteps(path);
  if (!steps.ok()) return steps.status();
  // Each step maps the current selection; after a wildcard the selection is a list.
  std::vector<const json::value*> current{&root};
  bool list = false;
  for (const Step& step : *steps) {
    std::vector<const json::value*> next;
    for (const json::value* v : current) {
      if (step.kind == Step::Kind::kName) {
        const json::object* o = v->if_object();
        if (const json::value* m = o ? o->if_contains(step.name) : nullptr) next.push_back(m);
      } else if (step.kind == Step::Kind::kIndex) {
        const json::array* a = v->if_array();
        if (a && step.index < static_cast<int64_t>(a->size())) next.push_back(&(*a)[step.index]);
      } else if (const json::array* a = v->if_array()) {
        for (const json::value& item : *a) next.push_back(&item);
      } else if (const json::object* o = v->if_object()) {
        for (const auto& kv : *o) next.push_back(&kv.value());
      }
    }
    list = list || step.kind == Step::Kind::kAll;
    current = std::move(next);
  }
  if (list) {
    json::array out;
    for (const json::value* v : current) out.push_back(*v);
    return std::optional<json::value>(json::value(std::move(out)));
  }
  if (current.empty()) return std::optional<json::value>();
  return std::optional<json::value>(*current[0]);
}

}  // namespace tidepool::apigateway::vtl

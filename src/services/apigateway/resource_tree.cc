#include "services/apigateway/resource_tree.h"

#include "protocol/http/query_string.h"

namespace tidepool::apigateway {

struct ResourceTree::Node {
  std::string resource_id;  // empty: no resource ends here
  std::string resource_path;
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::string param_name;
  std::unique_ptr<Node> param;
  std::string greedy_name;
  std::unique_ptr<Node> greedy;  // a leaf
};

ResourceTree::ResourceTree() : root_(std::make_unique<Node>()) {}
ResourceTree::~ResourceTree() = default;
ResourceTree::ResourceTree(ResourceTree&&) noexcept = default;
ResourceTree& ResourceTree::operator=(ResourceTree&&) noexcept = default;

std::vector<std::string> ResourceTree::SplitRequestPath(std::string_view path) {
  std::vector<std::string> segments;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view seg = path.substr(0, slash);
    if (!seg.empty()) segments.push_back(protocol::http::PercentDecode(seg, false));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

Status ResourceTree::Add(std::string_view resource_path, std::string resource_id) {
  if (resource_path.empty() || resource_path[0] != '/') {
    return Status::InvalidArgument("a resource path starts with '/'");
  }
  Node* node = root_.get();
  std::string_view rest = resource_path.substr(1);
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    bool last = slash == std::string_view::npos;
    if (seg.empty())
      return Status::InvalidArgument("empty segment in " + std::string(resource_path));
    bool braced = seg.front() == '{' && seg.back() == '}' && seg.size() > 2;
    if (!braced &&
        (seg.find('{') != std::string_view::npos || seg.find('}') != std::string_view::npos)) {
      return Status::InvalidArgument("unbalanced braces in " + std::string(resource_path));
    }
    if (braced && seg[seg.size() - 2] == '+') {
      if (!last || seg.size() < 4) {
        return Status::InvalidArgument("a greedy parameter must be the last segment");
      }
      if (!node->greedy) node->greedy = std::make_unique<Node>();
      node->greedy_name = std::string(seg.substr(1, seg.size() - 3));
      node = node->greedy.get();
    } else if (braced) {
      if (!node->param) node->param = std::make_unique<Node>();
      node->param_name = std::string(seg.substr(1, seg.size() - 2));
      node = node->param.get();
    } else {
      auto it = node->literals.find(seg);
      if (it == node->literals.end()) {
        it = node->literals.emplace(std::string(seg), std::make_unique<Node>()).first;
      }
      node = it->second.get();
    }
    if (last) break;
    rest.remove_prefix(slash + 1);
  }
  node->resource_id = std::move(resource_id);
  node->resource_path = std::string(resource_path);
  return Status::Ok();
}

bool ResourceTree::FindFrom(const Node& node, const std::vector<std::string>& segments, size_t at,
                            Match* match) const {
  if (at == segments.size()) {
    if (node.resource_id.empty()) return false;
    match->resource_id = node.resource_id;
    match->resource_path = node.resource_path;
    return true;
  }
  const std::string& seg = segments[at];
  if (auto it = node.literals.find(seg); it != node.literals.end()) {
    if (FindFrom(*it->second, segments, at + 1, match)) return true;
  }
  if (node.param) {
    match->path_parameters.emplace_back(node.param_name, seg);
    if (FindFrom(*node.param, segments, at + 1, match)) return true;
    match->path_parameters.pop_back();
  }
  if (node.greedy && !node.greedy->resource_id.empty()) {
    std::string joined;
    for (size_t i = at; i < segments.size(); ++i) {
      if (i > at) joined.push_back('/');
      joined += segments[i];
    }
    match->path_parameters.emplace_back(node.greedy_name, std::move(joined));
    match->resource_id = node.greedy->resource_id;
    match->resource_path = node.greedy->resource_path;
    return true;
  }
  return false;
}

std::optional<ResourceTree::Match> ResourceTree::Find(std::string_view request_path) const {
  std::vector<std::string> segments = SplitRequestPath(request_path);
  Match match;
  if (!FindFrom(*root_, segments, 0, &match)) return std::nullopt;
  return match;
}

}  // namespace tidepool::apigateway

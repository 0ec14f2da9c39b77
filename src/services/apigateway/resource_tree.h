// ResourceTree: the resources of one deployment, matched against a request path the way API
// Gateway routes a REST API request.
//
// A resource path is "/" or "/seg/seg...", each segment a literal, a parameter "{name}" (one
// whole segment) or, as the last segment only, a greedy parameter "{name+}" (one or more
// segments). A request path is split on '/', empty segments dropped (so "/pets/" is "/pets"),
// each segment percent-decoded. At each level a literal beats a parameter, which beats a greedy
// parameter; when the preferred branch leads nowhere the next is tried.
//
// Thread-safety: build with Add, then Find is const and safe from any number of threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tidepool::apigateway {

class ResourceTree {
 public:
  struct Match {
    std::string resource_id;
    std::string resource_path;  // the template, e.g. "/pets/{id}"
    std::vector<std::pair<std::string, std::string>> path_parameters;  // decoded values
  };

  ResourceTree();
  ~ResourceTree();
  ResourceTree(ResourceTree&&) noexcept;
  ResourceTree& operator=(ResourceTree&&) noexcept;

  // InvalidArgument for a path that is not a resource path (a greedy segment not last, an
  // empty segment, an unbalanced brace).
  Status Add(std::string_view resource_path, std::string resource_id);
  std::optional<Match> Find(std::string_view request_path) const;

  // The segments of a request path, decoded (empty segments dropped). Exposed for tests.
  static std::vector<std::string> SplitRequestPath(std::string_view path);

 private:
  struct Node;
  bool FindFrom(const Node& node, const std::vector<std::string>& segments, size_t at,
                Match* match) const;

  std::unique_ptr<Node> root_;
};

}  // namespace tidepool::apigateway

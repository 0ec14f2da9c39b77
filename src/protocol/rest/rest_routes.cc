#include "protocol/rest/rest_routes.h"

#include <tuple>

#include "protocol/http/query_string.h"

namespace tidepool::protocol {
namespace bhttp = boost::beast::http;

namespace {

// Splits "/a/b/c" into {"a","b","c"}; "/" gives no segments. A trailing slash adds no segment.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size() && path[i] == '/') ++i;
  while (i < path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace

Status RestRouteTable::AddService(Service& service) {
  for (const Route& r : routes_) {
    if (r.service == &service) {
      return Status::AlreadyExists(std::string(service.Name()) + " is already routed");
    }
  }
  const model::ServiceModel& model = service.Model();
  std::vector<Route> added;
  for (const model::Operation& op : model.operations) {
    Route route{};
    route.method = bhttp::string_to_verb(op.http_method);
    if (route.method == bhttp::verb::unknown) {
      return Status::InvalidArgument("operation " + std::string(op.name) + " has method " +
                                     std::string(op.http_method));
    }
    route.service = &service;
    route.operation = &op;
    std::string_view uri = op.request_uri;
    std::string_view query;
    if (size_t q = uri.find('?'); q != std::string_view::npos) {
      query = uri.substr(q + 1);
      uri = uri.substr(0, q);
    }
    for (std::string_view seg : SplitPath(uri)) {
      Segment s;
      if (seg.size() >= 2 && seg.front() == '{' && seg.back() == '}') {
        s.label = true;
        seg = seg.substr(1, seg.size() - 2);
        if (!seg.empty() && seg.back() == '+') {
          s.greedy = true;
          seg.remove_suffix(1);
        }
        if (seg.empty()) {
          return Status::InvalidArgument("empty label in " + std::string(op.request_uri));
        }
        route.greedy = route.greedy || s.greedy;
      } else if (seg.find('{') != std::string_view::npos) {
        return Status::InvalidArgument("partial-segment label in " + std::string(op.request_uri));
      } else {
        ++route.literal_count;
      }
      s.text = std::string(seg);
      route.segments.push_back(std::move(s));
    }
    for (auto& [k, v] : http::ParseQueryString(query, false)) {
      QueryRequirement req;
      req.key = k;
      req.has_value = query.find(k + "=") != std::string_view::npos;
      req.value = v;
      route.query.push_back(std::move(req));
    }
    added.push_back(std::move(route));
  }
  for (Route& r : added) routes_.push_back(std::move(r));
  return Status::Ok();
}

bool RestRouteTable::MatchPath(const Route& route, const std::vector<std::string_view>& segments,
                               std::vector<std::pair<std::string, std::string>>* labels) {
  size_t i = 0;
  for (size_t t = 0; t < route.segments.size(); ++t) {
    const Segment& s = route.segments[t];
    if (s.greedy) {
      // The rest of the path, leaving one segment for each template segment after this one.
      size_t after = route.segments.size() - t - 1;
      if (segments.size() < i + 1 + after) return false;
      size_t end = segments.size() - after;
      std::string value;
      for (size_t j = i; j < end; ++j) {
        if (j > i) value += '/';
        value += http::PercentDecode(segments[j], false);
      }
      if (value.empty()) return false;
      labels->emplace_back(s.text, std::move(value));
      i = end;
      continue;
    }
    if (i >= segments.size()) return false;
    if (s.label) {
      if (segments[i].empty()) return false;
      labels->emplace_back(s.text, http::PercentDecode(segments[i], false));
    } else if (segments[i] != s.text) {
      return false;
    }
    ++i;
  }
  return i == segments.size();
}

RestMatch RestRouteTable::Match(bhttp::verb method, std::string_view path, std::string_view query,
                                std::string_view signing_service) const {
  std::vector<std::string_view> segments = SplitPath(path);
  std::vector<std::pair<std::string, std::string>> params;
  bool params_parsed = false;
  const Route* best = nullptr;
  bool best_signed = false;
  std::vector<std::pair<std::string, std::string>> best_labels, labels;
  for (const Route& route : routes_) {
    if (route.method != method) continue;
    if (!route.greedy && route.segments.size() != segments.size()) continue;
    if (!route.query.empty()) {
      if (!params_parsed) {
        params = http::ParseQueryString(query, true);
        params_parsed = true;
      }
      bool ok = true;
      for (const QueryRequirement& req : route.query) {
        bool found = false;
        for (const auto& [k, v] : params) {
          if (k == req.key && (!req.has_value || v == req.value)) found = true;
        }
        ok = ok && found;
      }
      if (!ok) continue;
    }
    labels.clear();
    if (!MatchPath(route, segments, &labels)) continue;
    bool is_signed =
        !signing_service.empty() && route.service->Model().signing_name == signing_service;
    if (best != nullptr) {
      // Most specific first; between equally specific routes of two services, the one the
      // request was signed for.
      auto rank = [](const Route& r) {
        return std::tuple(r.literal_count, r.query.size(), !r.greedy);
      };
      if (rank(route) < rank(*best)) continue;
      if (rank(route) == rank(*best) && (best_signed || !is_signed)) continue;
    }
    best = &route;
    best_signed = is_signed;
    best_labels = std::move(labels);
    labels = {};
  }
  if (best == nullptr) return {};
  return RestMatch{best->service, best->operation, std::move(best_labels)};
}

}  // namespace tidepool::protocol

// The REST route table: maps an HTTP method and request target to the (service, operation)
// whose model's `http.requestUri` template matches, for the rest-json and rest-xml protocols.
//
// A template is a path of literal segments and labels, with an optional query part:
//   /2015-03-31/functions/{FunctionName}/invocations   ({Label}: one whole segment)
//   /{Bucket}/{Key+}                                   ({Label+}: greedy, the rest of the path)
//   /2018-10-31/layers?find=LayerVersion               (the query must hold find=LayerVersion)
//   /{Bucket}?versioning                               (the query must hold the key versioning)
// Matching: the method must be equal; each literal segment equal; a label takes one non-empty
// segment, percent-decoded; a greedy label the non-empty rest, each segment decoded and joined
// with '/'. Among matches the most specific wins: more literal segments, then more query
// requirements, then no greedy label. Routes of different services that tie are told apart by
// the SigV4 credential scope's service name (the model's signing name).
//
// Thread-safety: Add before use; Match is const and safe from any number of threads.
#pragma once

#include <boost/beast/http/verb.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "protocol/service.h"

namespace tidepool::protocol {

struct RestMatch {
  Service* service = nullptr;
  const model::Operation* operation = nullptr;
  // Label name -> decoded value, in template order.
  std::vector<std::pair<std::string, std::string>> labels;
};

class RestRouteTable {
 public:
  // Adds every operation of `service`'s model (not owned). InvalidArgument for a template that
  // does not parse; AlreadyExists when the same service registers twice.
  Status AddService(Service& service);

  // The best route for a request, or a match with service == nullptr. `path` and `query` are
  // still percent-encoded; `signing_service` is the credential scope's service (may be empty).
  RestMatch Match(boost::beast::http::verb method, std::string_view path, std::string_view query,
                  std::string_view signing_service) const;

  bool empty() const { return routes_.empty(); }

 private:
  struct Segment {
    std::string text;  // literal text, or the label name
    bool label = false;
    bool greedy = false;
  };
  struct QueryRequirement {
    std::string key;
    std::string value;  // empty with has_value false: the key must only be present
    bool has_value = false;
  };
  struct Route {
    boost::beast::http::verb method;
    std::vector<Segment> segments;
    std::vector<QueryRequirement> query;
    Service* service;
    const model::Operation* operation;
    int literal_count;
    bool greedy;
  };

  // Whether `route` matches the split path; fills `labels` when it does.
  static bool MatchPath(const Route& route, const std::vector<std::string_view>& segments,
                        std::vector<std::pair<std::string, std::string>>* labels);

  std::vector<Route> routes_;
};

}  // namespace tidepool::protocol

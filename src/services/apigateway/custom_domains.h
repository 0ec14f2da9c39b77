// CustomDomains: API Gateway custom domain names. One resource seen through both management
// APIs, as on AWS: `apigateway` DomainName with BasePathMappings and `apigatewayv2` DomainName
// with ApiMappings. A request whose Host is a registered name (any port) is served by the API
// and stage its mapping names (the router asks IsCustomDomain; gateway.cc calls Resolve).
//
// DomainNameRecord (keyspace 'n', by the name in lower case):
//   {"account", "region",
//    "domain": DomainName (the `apigateway` output shape, as GetDomainName returns it),
//    "mappings": [{"id", "key" (the base path, "" for none), "apiId", "stage" ("" for none)}]}
//
// Thread-safety: as OwnedRecords.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "protocol/service.h"
#include "services/apigateway/owned_records.h"
#include "storage/commit_queue.h"
#include "storage/store.h"

namespace tidepool::apigateway {

class CustomDomains {
 public:
  explicit CustomDomains(storage::CommitQueue& commits) : records_(commits, 'n') {}

  // Loads every DomainNameRecord; undecodable ones are logged and skipped.
  Status Recover(storage::Store& store) { return records_.Recover(store); }

  // Where a request to a custom domain goes: the API, its stage ("" when the mapping names
  // none: the first segment of `path` is then the stage) and the path after the base path
  // ("/" at least, still percent-encoded).
  struct Target {
    std::string api_id;
    std::string stage;
    std::string path;
  };
  // Whether `host` (a Host header value, a port allowed, any case) is a registered name. Cheap
  // while none is registered: the router asks it for every request.
  bool IsCustomDomain(std::string_view host) const;
  // The target of a request to `host` with path `path`; nullopt when `host` is not a
  // registered name or no mapping matches.
  std::optional<Target> Resolve(std::string_view host, std::string_view path) const;
  // The mapping of `mappings` (as stored) that `path` takes: the longest base path whose
  // segments start the path's, else the empty base path.
  static std::optional<Target> ResolveMapping(const boost::json::array& mappings,
                                              std::string_view path);

  // The name as records are keyed: lower case, without a trailing dot (nor a port, for Host).
  static std::string Normalize(std::string_view name);

  // OwnedRecords' Change, Read and List of the record of domain `name` (normalized). A new
  // record starts as {"account","region"}; a name that exists is a ConflictException.
  void Change(protocol::CallPtr call, std::string_view name, bool create,
              std::string_view not_found, const OwnedRecords::Edit& edit);
  void Read(protocol::CallPtr call, std::string_view name, std::string_view not_found,
            const OwnedRecords::Edit& read);
  std::vector<boost::json::object> List(const protocol::Call& call) const {
    return records_.List(call);
  }

 private:
  OwnedRecords records_;
};

}  // namespace tidepool::apigateway

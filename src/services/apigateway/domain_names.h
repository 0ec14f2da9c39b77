// The shapes of custom domain names (custom_domains.h holds the records): checks of names and
// base paths, the fields AWS fills in (regional and distribution domain names, hosted zones),
// and the `apigatewayv2` view of a record whose "domain" is the `apigateway` DomainName shape.
//
// Thread-safety: pure functions of their arguments (ids come from NewGatewayId).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::apigateway {

// A domain name tidepool can serve: 1-512 characters of [a-zA-Z0-9.-] in labels; wildcard
// names ("*.example.com") are refused (a request names one host, and nothing here matches
// wildcards).
Status CheckDomainName(std::string_view name);
// A base path: "" (none), or segments of [a-zA-Z0-9-._~] separated by single '/'.
Status CheckBasePath(std::string_view key);

// Checks a DomainName (the `apigateway` shape) and fills in what AWS derives from its endpoint
// type: EDGE needs certificateArn (or an uploaded certificate: `uploaded`) and gets
// distributionDomainName "d<13>.cloudfront.net"; REGIONAL needs regionalCertificateArn and gets
// regionalDomainName "d-<10>.execute-api.<region>.amazonaws.com"; each with its hosted zone.
// PRIVATE endpoints, mutual TLS and routing modes other than BASE_PATH_MAPPING_ONLY are refused.
// Names already given are kept (an update keeps its domain name).
Status CompleteDomainName(boost::json::object& domain, std::string_view region, bool uploaded);

// The stored mappings of a DomainNameRecord (created empty when missing or not an array).
boost::json::array& MappingsOf(boost::json::object& record);
// The mapping whose string member `member` is `value`, or nullptr.
boost::json::object* FindMapping(boost::json::array& mappings, std::string_view member,
                                 std::string_view value);
// Removes that mapping; false when there is none.
bool EraseMapping(boost::json::array& mappings, std::string_view member, std::string_view value);

// The `apigatewayv2` DomainName of a record's `apigateway` DomainName.
boost::json::object HttpDomainView(const boost::json::object& domain);
// Applies an `apigatewayv2` Create/UpdateDomainName input's DomainNameConfigurations (at most
// one; EndpointType REGIONAL by default), MutualTlsAuthentication, RoutingMode and Tags to
// `domain`, the `apigateway` shape.
Status ApplyHttpDomainInput(const boost::json::object& input, boost::json::object& domain);
// An `apigatewayv2` ApiMapping of a stored mapping.
boost::json::object ApiMappingView(const boost::json::object& mapping);

}  // namespace tidepool::apigateway

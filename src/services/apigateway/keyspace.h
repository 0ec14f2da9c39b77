// The API Gateway keyspace in the shared store. Every key starts with the 11 bytes
// "apigateway\0".
//
//   key   := "apigateway\0" kind
//   kind  := 'a' api_id:string                    -> RestApiRecord (json, rest_api.h): the API's
//                                                    settings, resources with their methods,
//                                                    integrations and responses, stages, models,
//                                                    authorizers, validators, gateway responses
//          | 'd' api_id:string deployment_id:string -> DeploymentRecord (json): the deployment
//                                                    and the snapshot of the resources it serves
//          | 'k' key_id:string                    -> ApiKeyRecord (json, usage.h): an API key
//          | 'p' plan_id:string                   -> UsagePlanRecord (json, usage.h): a usage
//                                                    plan and the ids of its keys
//          | 'h' api_id:string                    -> HttpApiRecord (json, http_api_service.h):
//                                                    an HTTP API (apigatewayv2) with its routes,
//                                                    integrations, authorizers, stages and
//                                                    deployments
//          | 'u' plan_id:string key_id:string     -> UsageRecord (json, records.h): the requests
//                                                    a key made under a usage plan (quota
//                                                    period and count, counts by day)
//          | 'c' account:string region:string     -> AccountRecord (json, records.h): the
//                                                    account's API Gateway settings
//          | 'n' domain_name:string               -> DomainNameRecord (json, custom_domains.h):
//                                                    a custom domain name and its mappings
//          | 'l' vpc_link_id:string               -> VpcLinkRecord (json, vpc_links.h): a REST
//                                                    API VPC link
//          | 'v' vpc_link_id:string               -> HttpVpcLinkRecord (json, vpc_links.h): an
//                                                    HTTP API (apigatewayv2) VPC link
//          | 'x' certificate_id:string            -> ClientCertificateRecord (json,
//                                                    client_certificate_ops.cc): a client
//                                                    certificate and its private key
//
// (string as in storage/key_codec.h.) Ids are unique across accounts and regions (as on AWS);
// each record carries its account and region. An API's record and its deployments are deleted
// in one batch.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/record_kind.h"

namespace tidepool::apigateway::keyspace {

std::string ApiPrefix();
std::string ApiKey(std::string_view api_id);
std::string DeploymentPrefix(std::string_view api_id);  // every deployment of one API
std::string DeploymentKey(std::string_view api_id, std::string_view deployment_id);
std::string KeyPrefix();
std::string KeyKey(std::string_view key_id);
std::string PlanPrefix();
std::string PlanKey(std::string_view plan_id);
std::string HttpApiPrefix();
std::string HttpApiKey(std::string_view api_id);
std::string UsagePrefix();
std::string UsageKey(std::string_view plan_id, std::string_view key_id);
std::string AccountPrefix();
std::string AccountKey(std::string_view account, std::string_view region);
// Kinds whose key is one string (OwnedRecords' tables: 'n', 'l', 'v', 'x').
std::string RecordPrefix(char kind);
std::string RecordKey(char kind, std::string_view id);

// The id a key of kind 'a', 'k', 'p', 'h', 'n', 'l', 'v' or 'x' names (nullopt for another form);
// for 'd' the API's and the deployment's ids, for 'u' the plan's and the key's, for 'c' the account
// and region.
std::optional<std::string> ParseIdKey(char kind, std::string_view key);
std::optional<std::pair<std::string, std::string>> ParseDeploymentKey(std::string_view key);
std::optional<std::pair<std::string, std::string>> ParseUsageKey(std::string_view key);
std::optional<std::pair<std::string, std::string>> ParseAccountKey(std::string_view key);

// Every kind of record this keyspace stores, one per `kind` of the grammar above.
std::vector<storage::RecordKind> RecordKinds();

}  // namespace tidepool::apigateway::keyspace

// The query-protocol front door (SNS; SQS for older SDKs and CLIs): the router hands it every
// authenticated request that carries Action=..., and it picks the service and operation,
// decodes the form parameters (query_codec), runs the service's Call and writes the reply or
// error with x-amzn-RequestId: XML, or JSON when the request asks for it (an Accept header whose
// first JSON or XML media range is application/json, or ContentType=JSON), as AWS answers.
//
// Which service: the SigV4 credential scope's service name (Authorization header, or
// X-Amz-Credential of a presigned URL) matched against the models' signing names; else the
// Version parameter matched against the models' API versions; else the first registered
// service whose model has the Action. A missing Version is accepted. For SQS, a request to
// the queue's own URL (POST /<account>/<queue> without a QueueUrl parameter) gets that URL as
// its QueueUrl, as AWS does.
//
// Wiring (main):
//   QueryDispatcher query;
//   query.AddService(sns);  query.AddService(sqs);
//   router.SetQueryProtocolHandler(query.AsHandler());
//
// Thread-safety: AddService happens before serving and is not synchronised; Handle is safe
// from any number of threads concurrently.
#pragma once

#include <string_view>
#include <vector>

#include "core/status.h"
#include "protocol/http/responder.h"
#include "protocol/router.h"
#include "protocol/service.h"

namespace tidepool::protocol {

class QueryDispatcher {
 public:
  QueryDispatcher() = default;
  QueryDispatcher(const QueryDispatcher&) = delete;
  QueryDispatcher& operator=(const QueryDispatcher&) = delete;

  // Registers a service (not owned; must outlive the dispatcher). InvalidArgument when its
  // model does not speak the query protocol (see QueryDialect::speaks_query), AlreadyExists
  // when a service with the same signing name is registered.
  Status AddService(Service& service);

  // Answers `request` through `respond`, exactly once.
  void Handle(http::HttpRequest&& request, RequestContext context, http::Responder respond) const;

  // A handler for Router::SetQueryProtocolHandler. The dispatcher must outlive the router.
  Router::ProtocolHandler AsHandler() const;

  const std::vector<Service*>& services() const { return services_; }

 private:
  // The service for a request (see the header comment); nullptr when none has `action`.
  Service* PickService(std::string_view scope_service, std::string_view version,
                       std::string_view action) const;

  std::vector<Service*> services_;
};

}  // namespace tidepool::protocol

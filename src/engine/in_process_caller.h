// The ServiceCaller the CloudFormation deployment engine gives its resource providers
// (services/cloudformation/provider.h): calls this process's own services in their decoded
// form (engine::InvokeDecoded), as account/region of the stack, and blocks the calling thread
// until the service answers.
//
// Thread-safety: AddService before the first Call; Call from any thread that is not an io
// thread nor the commit queue's (it blocks until the service completes, which may need them,
// at most 15 minutes: then the call fails with InternalFailure).
#pragma once

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/service.h"
#include "services/cloudformation/provider.h"

namespace tidepool::engine {

class InProcessCaller final : public cloudformation::ServiceCaller {
 public:
  InProcessCaller(std::string account, std::string region)
      : account_(std::move(account)), region_(std::move(region)) {}

  // `name` is the SDKs' endpoint prefix ("sqs", "states", "apigatewayv2"). Not owned.
  void AddService(std::string name, protocol::Service* service) { services_[name] = service; }

  // The Host the calls present (queue URLs are made of it): this server's address.
  void SetHost(std::string host) { host_ = std::move(host); }

  // A caller for another account and region, with the same services and host.
  InProcessCaller For(std::string account, std::string region) const {
    InProcessCaller other(std::move(account), std::move(region));
    other.services_ = services_;
    other.host_ = host_;
    return other;
  }

  std::variant<boost::json::object, cloudformation::ServiceError> Call(
      std::string_view service, std::string_view operation, boost::json::object input) override;

 private:
  std::string account_;
  std::string region_;
  std::string host_ = "localhost";
  std::map<std::string, protocol::Service*, std::less<>> services_;
};

}  // namespace tidepool::engine

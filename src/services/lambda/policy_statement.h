// Pieces of the resource-policy statements Lambda writes (policy_ops.cc, layer_ops.cc).
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace tidepool::lambda {

// The Principal element AWS writes for the principal a caller gave: "*" as is, an account id
// as {"AWS": "arn:aws:iam::<id>:root"}, an ARN as {"AWS": arn}, anything else (a service
// principal) as {"Service": principal}.
boost::json::value PrincipalElement(const std::string& principal);

}  // namespace tidepool::lambda

// Test support for the serverless providers' unit tests.
#pragma once

#include <boost/json/parse.hpp>

#include <string>
#include <string_view>

#include "services/cloudformation/provider.h"

namespace tidepool::cloudformation::serverless {

// A request for the resource "Fn" of type `type` in stack "st", with `properties` (JSON text).
inline ResourceRequest Request(std::string type, std::string_view properties) {
  ResourceRequest r;
  r.logical_id = "Fn";
  r.type = std::move(type);
  r.stack_name = "st";
  r.account_id = "000000000000";
  r.region = "us-east-1";
  r.properties = boost::json::parse(properties).as_object();
  return r;
}

}  // namespace tidepool::cloudformation::serverless

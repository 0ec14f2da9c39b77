// The Runtime API's replies, shared by the sandbox's files (sandbox.cc, sandbox_runtime_api.cc).
#pragma once

#include <boost/json/serialize.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "protocol/http/responder.h"

namespace tidepool::functions::runtime_api {

inline constexpr std::string_view kPrefix = "/2018-06-01/runtime/";
inline constexpr size_t kMaxResponse = 6 * 1024 * 1024;            // a buffered response
inline constexpr size_t kMaxStreamedResponse = 200 * 1024 * 1024;  // a streamed one

inline protocol::http::HttpResponse Reply(unsigned status, std::string body) {
  protocol::http::HttpResponse response(static_cast<boost::beast::http::status>(status), 11);
  response.set(boost::beast::http::field::content_type, "application/json");
  response.body() = std::move(body);
  return response;
}

inline std::string ErrorJson(std::string_view type, std::string_view message) {
  return boost::json::serialize(
      boost::json::object{{"errorType", type}, {"errorMessage", message}});
}

}  // namespace tidepool::functions::runtime_api

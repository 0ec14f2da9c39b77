// CheckCountry: the state machine's first task, a provided.al2023 function built with
// sdk/lambda_runtime.h (the executable is named `bootstrap`).
//
// Input: an order {"id": "12345", "country_code": "GB", "attempt": 0} (the execution's input).
// Output: the same order, unchanged, when country_code is "GB".
// Errors: errorType "ErrInvalidCountryCode", errorMessage "Invalid country code: <code>" for any
// other code; "PANIC" throws an unexpected error instead (errorType "Unhandled"), standing in
// for the original Go function's panic; an input that is not an object with a string
// country_code fails with errorType "ErrInvalidOrder".
#include <boost/json/src.hpp>  // header-only Boost.JSON: the bootstrap needs no shared library
#include <stdexcept>
#include <string>

#include "lambda_runtime.h"

namespace json = boost::json;
namespace rt = tidepool::lambda_runtime;

namespace {

rt::Response CheckCountry(const rt::Request& req) {
  boost::system::error_code ec;
  json::value order = json::parse(req.payload, ec);
  const json::string* code = nullptr;
  if (!ec && order.is_object()) {
    if (const json::value* v = order.as_object().if_contains("country_code")) {
      code = v->if_string();
    }
  }
  if (code == nullptr) {
    throw rt::HandlerError("ErrInvalidOrder", "not an order with a country_code: " + req.payload);
  }
  if (*code == "PANIC") throw std::runtime_error("panic: country code PANIC");
  if (*code != "GB") {
    throw rt::HandlerError("ErrInvalidCountryCode",
                           "Invalid country code: " + std::string(code->c_str()));
  }
  return rt::Response::Success(json::serialize(order));
}

}  // namespace

int main() { return rt::Run(CheckCountry); }

// Errors of the JSONata evaluator, by the codes of the reference implementation ("S0201",
// "T2001", "D3001"...). Parsing and evaluation throw JsonataError internally; the public API
// (jsonata.h) catches it and returns a Status.
#pragma once

#include <string>

#include "services/stepfunctions/jsonata/value.h"

namespace tidepool::sfn::jsonata {

struct JsonataError {
  std::string code;
  int position = -1;
  std::string token;
  std::string message;
  Value value;
};

[[noreturn]] inline void ThrowError(std::string code, int position = -1, std::string token = "",
                                    std::string message = "") {
  throw JsonataError{std::move(code), position, std::move(token), std::move(message), Value()};
}

// A readable message for a code, with the token and value filled in where the reference
// implementation's message uses them.
std::string ErrorMessage(const JsonataError& e);

}  // namespace tidepool::sfn::jsonata

// libFuzzer target: the JSONata parser and evaluator. Any input must compile or be refused
// with an S0xxx error, and a compiled expression must evaluate (with a small time limit)
// to a value or an error, never crash or overflow the stack.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/stepfunctions/jsonata/jsonata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  tidepool::sfn::jsonata::JsonataError error;
  auto expr = tidepool::sfn::jsonata::Expression::Compile(text, &error);
  if (!expr) return 0;
  static const boost::json::value input =
      boost::json::parse(R"({"a":1,"b":[1,2,{"c":"x"}],"d":{"e":[{"f":2},{"f":3}]},"s":"hello"})");
  tidepool::sfn::jsonata::EvaluateOptions options;
  options.time_limit_millis = 50;
  options.allow_eval = false;
  (void)expr->Evaluate(&input, options);
  return 0;
}

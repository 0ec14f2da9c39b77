// Function signatures ("<s-n?:s>"): which arguments a function takes, how the context value
// stands in for a missing first argument ("-"), and how a single value is promoted to an array
// ("a"). Validate() throws T0410/T0411/T0412 as the reference implementation does.
// Immutable after Parse(): thread-safe.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "services/stepfunctions/jsonata/value.h"

namespace tidepool::sfn::jsonata {

class Signature {
 public:
  // `position` is where the signature starts in the expression (for errors).
  static std::shared_ptr<Signature> Parse(std::string_view text, int position = 0);

  std::vector<Value> Validate(const std::vector<Value>& args, const Value& context) const;
  int param_count() const { return static_cast<int>(params_.size()); }

 private:
  struct Param {
    char type = 'x';
    std::string regex;
    bool context = false;
    std::string subtype;  // of an array: "n", "s", ...
  };
  std::vector<Param> params_;
  std::regex regex_;
};

}  // namespace tidepool::sfn::jsonata

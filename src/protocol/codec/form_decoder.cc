#include "protocol/codec/form_decoder.h"

#include "protocol/http/query_string.h"

namespace tidepool::protocol::form {

Status AddEncoded(std::string_view encoded, FormParams& params, const FormLimits& limits) {
  Status status = Status::Ok();
  auto fail = [&status](std::string message) {
    status = Status::InvalidArgument(std::move(message));
    return false;
  };
  http::ForEachQueryItem(encoded, [&](std::string_view raw_key, std::string_view raw_value) {
    // A decoded key is never longer than its encoding: check before allocating.
    if (raw_key.size() > 3 * limits.max_key_length) return fail("Parameter name is too long.");
    std::string key = http::PercentDecode(raw_key, true);
    if (key.size() > limits.max_key_length) return fail("Parameter name is too long.");
    std::string value = http::PercentDecode(raw_value, true);
    auto it = params.find(key);
    if (it != params.end()) {
      it->second = std::move(value);
      return true;
    }
    if (params.size() >= limits.max_params) return fail("Too many parameters in the request.");
    params.emplace(std::move(key), std::move(value));
    return true;
  });
  return status;
}

Result<FormParams> Parse(std::string_view encoded, const FormLimits& limits) {
  FormParams params;
  Status s = AddEncoded(encoded, params, limits);
  if (!s.ok()) return s;
  return params;
}

}  // namespace tidepool::protocol::form

#include "protocol/codec/form_decoder.h"

#include "protocol/http/query_string.h"

namespace tidepool::protocol::form {

Status AddEncoded(std::string_view encoded, FormParams& params, const FormLimits& limits) {
  size_t start = 0;
  while (start < encoded.size()) {
    size_t amp = encoded.find('&', start);
    if (amp == std::string_view::npos) amp = encoded.size();
    std::string_view item = encoded.substr(start, amp - start);
    start = amp + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string_view raw_key = item.substr(0, eq);
    // A decoded key is never longer than its encoding: check before allocating.
    if (raw_key.size() > 3 * limits.max_key_length) {
      return Status::InvalidArgument("Parameter name is too long.");
    }
    std::string key = http::PercentDecode(raw_key, true);
    if (key.size() > limits.max_key_length) {
      return Status::InvalidArgument("Parameter name is too long.");
    }
    std::string value = eq == std::string_view::npos
                            ? std::string()
                            : http::PercentDecode(item.substr(eq + 1), true);
    auto it = params.find(key);
    if (it != params.end()) {
      it->second = std::move(value);
      continue;
    }
    if (params.size() >= limits.max_params) {
      return Status::InvalidArgument("Too many parameters in the request.");
    }
    params.emplace(std::move(key), std::move(value));
  }
  return Status::Ok();
}

Result<FormParams> Parse(std::string_view encoded, const FormLimits& limits) {
  FormParams params;
  Status s = AddEncoded(encoded, params, limits);
  if (!s.ok()) return s;
  return params;
}

}  // namespace tidepool::protocol::form

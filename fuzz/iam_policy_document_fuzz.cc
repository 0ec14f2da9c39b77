// libFuzzer target: IAM's policy document validator (services/iam/policy_document.h) in both
// kinds (identity and trust), and the stored-record decoders of the IAM keyspace
// (entity_codec.h), which recovery runs on whatever the store holds. Neither may crash; a
// document either validates or gets a MalformedPolicyDocument status, and its URL encoding
// decodes back to it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/iam/entity_codec.h"
#include "services/iam/iam_errors.h"
#include "services/iam/policy_document.h"

using tidepool::iam::PolicyKind;

namespace {

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(
          static_cast<char>(std::strtol(std::string(s.substr(i + 1, 2)).c_str(), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (PolicyKind kind : {PolicyKind::kIdentity, PolicyKind::kTrust}) {
    tidepool::Status st = tidepool::iam::ValidatePolicyDocument(input, kind);
    if (!st.ok() &&
        (st.code() != tidepool::StatusCode::kServiceError ||
         st.detail() != static_cast<uint16_t>(tidepool::iam::IamError::kMalformedPolicyDocument))) {
      std::abort();
    }
  }
  if (PercentDecode(tidepool::iam::EncodePolicyDocument(input)) != input) std::abort();
  (void)tidepool::iam::DecodeEntity(input);
  (void)tidepool::iam::DecodePolicy(input);
  (void)tidepool::iam::DecodeAccessKey(input);
  return 0;
}

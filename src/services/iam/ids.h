// Identifiers IAM and STS hand out, shaped as AWS's: a four-letter prefix that says what the
// id names (AROA role, AIDA user, AGPA group, AIPA instance profile, ANPA managed policy,
// AKIA access key, ASIA temporary access key) and random upper-case letters and digits; a
// 40-character secret access key; a session token. Random from OpenSSL's generator.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tidepool::iam {

// `prefix` followed by random [A-Z2-7] up to `length` characters in all (21 for entity ids,
// 20 for access key ids, as AWS).
std::string NewId(std::string_view prefix, size_t length = 21);
std::string NewSecretAccessKey();
std::string NewSessionToken();

}  // namespace tidepool::iam

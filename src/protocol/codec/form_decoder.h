// application/x-www-form-urlencoded bodies and URL query strings, as the AWS query protocol
// sends them ("Action=Publish&Version=2010-03-31&MessageAttributes.entry.1.Name=a"), decoded
// into a flat, sorted key -> value map. Percent-escapes are decoded and '+' is a space (in
// query strings too: the SDKs never send a literal '+', they send %2B). A '%' not followed by
// two hex digits is kept as it is. Empty items ("a=1&&b=2") are skipped, a key without '='
// gets an empty value, and of two equal keys the last one wins.
//
// The input is untrusted: sizes are bounded by FormLimits, and exceeding them is an error
// (never a truncation). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tidepool::protocol::form {

// Keys compare with std::less<> so that lookups take string_views.
using FormParams = std::map<std::string, std::string, std::less<>>;

struct FormLimits {
  // SNS PublishBatch with 10 entries of 10 attributes each sends about 500 parameters.
  size_t max_params = 4096;
  // Decoded key length, in bytes. The longest key the SDKs build for SNS/SQS is under 100.
  size_t max_key_length = 512;
};

// Adds the items of `encoded` to `params` (so that a query string and a body can be merged;
// later items overwrite earlier ones with the same key). InvalidArgument when a limit is
// exceeded, with a message fit for the client.
Status AddEncoded(std::string_view encoded, FormParams& params, const FormLimits& limits = {});

// Parses one encoded string into a fresh map.
Result<FormParams> Parse(std::string_view encoded, const FormLimits& limits = {});

}  // namespace tidepool::protocol::form

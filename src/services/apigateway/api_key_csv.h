// The API key file ImportApiKeys reads (format `csv`), as API Gateway documents it: a header
// row naming the columns (case-insensitive, any order; `Name` and `Key` required; `Description`,
// `Enabled`, `UsagePlanIds` optional; others ignored), then one key per row. Fields are
// separated by commas and may be quoted with double or single quotes (a doubled quote inside
// is one); `UsagePlanIds` holds comma-separated plan ids (quoted when more than one). Missing
// values default to "" (and Enabled to true). Lines end with LF or CRLF; blank lines are
// skipped.
//
// A row that cannot be a key (a Key outside 20-128 characters, a Name over 1024, an Enabled
// that is not true/false, a row with more fields than the header) is left out with a warning
// naming its line; a file without the required columns, or with an unterminated quote, is
// refused whole (BadRequest).
//
// Thread-safety: a pure function of its argument.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::apigateway {

struct ImportedApiKey {
  std::string name;
  std::string value;
  std::string description;
  bool enabled = true;
  std::vector<std::string> usage_plan_ids;
  size_t line = 0;  // 1-based, for warnings
};

struct ApiKeyFile {
  std::vector<ImportedApiKey> keys;
  std::vector<std::string> warnings;
};

Result<ApiKeyFile> ParseApiKeyCsv(std::string_view text);

}  // namespace tidepool::apigateway

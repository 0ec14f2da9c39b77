// Extraction of a function's .zip deployment package (stored and deflated entries, as every zip
// tool writes them). Reads the central directory; file modes come from the entries' Unix
// attributes (an executable `bootstrap` stays executable). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tidepool::functions {

// Whether `bytes` parse as a zip archive (its end-of-central-directory record and directory).
bool LooksLikeZip(std::string_view bytes);

// Extracts every entry of `zip` under `dir` (created if needed). InvalidArgument for a damaged
// archive, an entry that would land outside `dir`, or an unsupported compression method;
// IoError when writing fails.
Status ExtractZip(std::string_view zip, const std::string& dir);

}  // namespace tidepool::functions

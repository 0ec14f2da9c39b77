// A minimal zip writer for CloudFormation's inline function code (AWS::Lambda::Function's
// Code.ZipFile): the archive holds each file uncompressed ("stored", method 0), with its CRC-32,
// Unix mode 0644 and a fixed 1980-01-01 timestamp, so the same source always gives the same
// bytes (and the same CodeSha256). Pure; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace tidepool::cloudformation::serverless {

struct ZipEntry {
  std::string name;  // path inside the archive, '/'-separated
  std::string content;
};

// The archive's bytes (local headers, data, central directory, end record). Entries and the
// archive must each stay under 4 GiB (no zip64), which inline code always does.
std::string WriteStoredZip(const std::vector<ZipEntry>& entries);

}  // namespace tidepool::cloudformation::serverless

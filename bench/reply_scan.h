// Scanning tidepool's replies for one field without a full parse (the load loop stays cheap).
// Valid only for the replies the benchmarks receive: compact JSON whose scanned string values
// hold no escaped quote (ids, iterators, receipt handles, base64), and query-protocol XML
// whose scanned elements hold plain text. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace tidepool::bench {

// The string value of the first "key" in `json`, or empty.
std::string_view ScanString(std::string_view json, std::string_view key);
// The unsigned number value of the first "key" in `json`, or 0.
uint64_t ScanUnsigned(std::string_view json, std::string_view key);
// How many times `needle` occurs in `haystack` (non-overlapping).
uint64_t CountOccurrences(std::string_view haystack, std::string_view needle);
// The text between the first <tag> and the following </tag> in `xml`, or empty.
std::string_view ScanXmlElement(std::string_view xml, std::string_view tag);

}  // namespace tidepool::bench

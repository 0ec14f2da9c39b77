#include "reply_scan.h"

#include <string.h>  // memmem

#include <charconv>
#include <string>

namespace tidepool::bench {

namespace {

// `text` between `open` and `close` (built by appending: GCC 12 warns falsely on operator+).
std::string Quoted(std::string_view open, std::string_view text, std::string_view close) {
  std::string out;
  out.reserve(open.size() + text.size() + close.size());
  out.append(open).append(text).append(close);
  return out;
}

}  // namespace

std::string_view ScanString(std::string_view json, std::string_view key) {
  std::string needle = Quoted("\"", key, "\"");
  size_t at = json.find(needle);
  if (at == std::string_view::npos) return {};
  at = json.find('"', json.find(':', at + needle.size()) + 1);
  if (at == std::string_view::npos) return {};
  size_t end = json.find('"', at + 1);
  if (end == std::string_view::npos) return {};
  return json.substr(at + 1, end - at - 1);
}

uint64_t ScanUnsigned(std::string_view json, std::string_view key) {
  std::string needle = Quoted("\"", key, "\"");
  size_t at = json.find(needle);
  if (at == std::string_view::npos) return 0;
  at = json.find(':', at + needle.size());
  if (at == std::string_view::npos) return 0;
  ++at;
  while (at < json.size() && json[at] == ' ') ++at;
  uint64_t value = 0;
  std::from_chars(json.data() + at, json.data() + json.size(), value);
  return value;
}

uint64_t CountOccurrences(std::string_view haystack, std::string_view needle) {
  // memmem, not string_view::find: find stops at every match of the needle's first byte,
  // and in a GetRecords reply that is '"' every few bytes of a multi-megabyte body.
  if (needle.empty()) return 0;
  uint64_t n = 0;
  const char* at = haystack.data();
  const char* end = haystack.data() + haystack.size();
  while (const void* hit =
             memmem(at, static_cast<size_t>(end - at), needle.data(), needle.size())) {
    ++n;
    at = static_cast<const char*>(hit) + needle.size();
  }
  return n;
}

std::string_view ScanXmlElement(std::string_view xml, std::string_view tag) {
  std::string open = Quoted("<", tag, ">");
  std::string close = Quoted("</", tag, ">");
  size_t begin = xml.find(open);
  if (begin == std::string_view::npos) return {};
  begin += open.size();
  size_t end = xml.find(close, begin);
  if (end == std::string_view::npos) return {};
  return xml.substr(begin, end - begin);
}

}  // namespace tidepool::bench

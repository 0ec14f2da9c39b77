#include "reply_scan.h"

#include <charconv>
#include <functional>
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
  // Boyer-Moore-Horspool: a GetRecords reply is megabytes, and the needle is long enough
  // ("SequenceNumber" with its quotes) to skip most of it. memmem compared every byte
  // (7.8% of the generator's time draining); string_view::find stops at every '"'.
  if (needle.empty()) return 0;
  const std::boyer_moore_horspool_searcher search(needle.begin(), needle.end());
  uint64_t n = 0;
  auto at = haystack.begin();
  while (true) {
    auto hit = search(at, haystack.end()).first;
    if (hit == haystack.end()) return n;
    ++n;
    at = hit + static_cast<std::ptrdiff_t>(needle.size());
  }
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

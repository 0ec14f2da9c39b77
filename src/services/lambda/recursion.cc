#include "services/lambda/recursion.h"

#include <charconv>
#include <cstdio>
#include <vector>

#include "core/trace_log.h"

namespace tidepool::lambda {

namespace {

// Lineage entries kept at most: a longer (hostile or broken) header keeps its last ones.
constexpr size_t kMaxEntries = 32;
// A count stops growing here (no overflow from a header's large count).
constexpr int kCountCap = 1000000;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// botocore quotes the header it copies from _X_AMZN_TRACE_ID (`|` becomes `%7C`). Control
// characters are dropped: the result goes into the runtime API's Lambda-Runtime-Trace-Id header.
std::string PercentDecoded(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        c = static_cast<char>(hi * 16 + lo);
        i += 2;
      }
    }
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

std::string LineageId(std::string_view function_arn) {
  // arn:aws:lambda:region:account:function:name[:qualifier]: the first seven fields.
  size_t end = 0;
  for (int colons = 0; end < function_arn.size(); ++end) {
    if (function_arn[end] == ':' && ++colons == 7) break;
  }
  uint32_t h = 2166136261u;
  for (char c : function_arn.substr(0, end)) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", h);
  return buf;
}

LineageStep ContinueLineage(std::string_view trace, std::string_view function_arn) {
  const std::string decoded = PercentDecoded(trace);
  const std::string id = LineageId(function_arn);
  std::string fields;  // the header's fields but Lineage, in order
  bool has_root = false;
  std::vector<std::pair<std::string, int>> entries;
  for (std::string_view field : Split(decoded, ';')) {
    if (field.empty()) continue;
    if (field.rfind("Lineage=", 0) != 0) {
      if (field.rfind("Root=", 0) == 0) has_root = true;
      if (!fields.empty()) fields += ';';
      fields += field;
      continue;
    }
    for (std::string_view entry : Split(field.substr(8), '|')) {
      size_t colon = entry.rfind(':');
      if (colon == std::string_view::npos || colon == 0) continue;
      int count = 0;
      std::string_view digits = entry.substr(colon + 1);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
      if (ec != std::errc() || end != digits.data() + digits.size() || count < 0) continue;
      entries.emplace_back(std::string(entry.substr(0, colon)), count);
    }
  }
  if (!has_root) fields = fields.empty() ? NewTraceRoot() : NewTraceRoot() + ";" + fields;
  LineageStep step;
  bool found = false;
  for (auto& [entry_id, count] : entries) {
    if (entry_id != id) continue;
    count = count < kCountCap ? count + 1 : count;
    step.count = count;
    found = true;
  }
  if (!found) {
    entries.emplace_back(id, 1);
    step.count = 1;
  }
  if (entries.size() > kMaxEntries) entries.erase(entries.begin(), entries.end() - kMaxEntries);
  step.header = fields + ";Lineage=";
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) step.header += '|';
    step.header += entries[i].first + ":" + std::to_string(entries[i].second);
  }
  return step;
}

}  // namespace tidepool::lambda

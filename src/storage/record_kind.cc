#include "storage/record_kind.h"

#include <algorithm>
#include <cstdio>

namespace tidepool::storage {

Result<RecordCensus> TakeRecordCensus(const Store& store, const std::vector<RecordKind>& kinds) {
  constexpr size_t kMaxExamples = 10;
  RecordCensus census;
  census.records.assign(kinds.size(), 0);
  Status st = store.Scan("", "", [&](std::string_view key, std::string_view) {
    size_t best = kinds.size();
    for (size_t i = 0; i < kinds.size(); ++i) {
      if (key.starts_with(kinds[i].prefix) &&
          (best == kinds.size() || kinds[i].prefix.size() > kinds[best].prefix.size())) {
        best = i;
      }
    }
    if (best < kinds.size()) {
      ++census.records[best];
    } else {
      ++census.unclassified;
      if (census.unclassified_examples.size() < kMaxExamples) {
        census.unclassified_examples.push_back(PrintableKey(key));
      }
    }
    return true;
  });
  if (!st.ok()) return st;
  return census;
}

std::string PrintableKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace tidepool::storage

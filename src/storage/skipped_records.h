// SkippedRecords: how a recovery reports the stored records it cannot use. A record that does
// not decode (a damaged data dir, a bug in an older build) is skipped, never a crash or a
// refusal to start: the first few are logged at error level with their keys and reasons, and
// the total when the recovery ends. Not thread-safe: one per recovery pass.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tidepool::storage {

class SkippedRecords {
 public:
  explicit SkippedRecords(std::string service) : service_(std::move(service)) {}
  ~SkippedRecords();
  SkippedRecords(const SkippedRecords&) = delete;
  SkippedRecords& operator=(const SkippedRecords&) = delete;

  // Records that the record at `key` was skipped because of `why` ("unreadable message").
  void Skip(std::string_view key, std::string_view why);
  uint64_t count() const { return count_; }

 private:
  static constexpr uint64_t kLogged = 20;
  std::string service_;
  uint64_t count_ = 0;
};

}  // namespace tidepool::storage

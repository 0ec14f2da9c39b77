// Bucket lifecycle rules: checking a PutBucketLifecycleConfiguration document, and deciding
// what a rule expires. Built: Expiration (Days, Date, ExpiredObjectDeleteMarker) and
// NoncurrentVersionExpiration (NoncurrentDays, NewerNoncurrentVersions), with filters on
// prefix, tags and object size, and AbortIncompleteMultipartUpload (DaysAfterInitiation, prefix
// filters only, as on AWS), and Transitions / NoncurrentVersionTransitions to every class
// (STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, and the archive classes GLACIER
// and DEEP_ARCHIVE, read back through RestoreObject). Ages count from the write (AWS rounds to
// the next midnight UTC). Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "services/s3/records.h"

namespace tidepool::s3 {

// Checks a decoded LifecycleConfiguration ({"Rules":[...]}). Errors as S3 gives them:
// MalformedXML, InvalidArgument (non-positive days, a date not at midnight UTC, duplicate
// ids, a rule without an action), NotImplemented for actions tidepool does not apply.
Status ValidateLifecycleConfiguration(const boost::json::object& config);

// One Transition (Days or Date) or NoncurrentVersionTransition (days = NoncurrentDays).
struct LifecycleTransition {
  std::optional<int64_t> days;
  std::optional<double> date;  // seconds since the epoch
  std::string storage_class;
  int64_t newer_noncurrent = 0;  // NewerNoncurrentVersions: noncurrent ones it leaves alone
};

// One enabled rule, as the sweeper applies it.
struct LifecycleRule {
  std::string prefix;
  boost::json::array tags;  // [{"Key","Value"}]: all must be on the object
  std::optional<uint64_t> size_greater, size_less;
  std::optional<int64_t> days;         // Expiration.Days
  std::optional<double> date;          // Expiration.Date, seconds since the epoch
  bool expired_delete_marker = false;  // Expiration.ExpiredObjectDeleteMarker
  std::optional<int64_t> noncurrent_days;
  int64_t newer_noncurrent = 0;       // NewerNoncurrentVersions: how many noncurrent ones to keep
  std::optional<int64_t> abort_days;  // AbortIncompleteMultipartUpload.DaysAfterInitiation
  std::vector<LifecycleTransition> transitions;
  std::vector<LifecycleTransition> noncurrent_transitions;
};

// The enabled rules of a stored configuration.
std::vector<LifecycleRule> EnabledRules(const boost::json::object& config);

// Whether `rule`'s filter selects version `record` of `key` (delete markers: prefix only).
bool RuleSelects(const LifecycleRule& rule, std::string_view key, const ObjectRecord& record);

// Whether the latest version `record` (not a delete marker) is due to expire at `now` (seconds
// since the epoch); `day` is the length of a day in seconds (86400 times the time scale).
bool CurrentDue(const LifecycleRule& rule, const ObjectRecord& record, double now, double day);

// Whether multipart upload `upload` (of `key`, initiated at `initiated`, seconds since the
// epoch) is due to be aborted by `rule` at `now`.
bool UploadDue(const LifecycleRule& rule, std::string_view key, double initiated, double now,
               double day);

// Whether noncurrent version `record`, the `newer`-th newest noncurrent one of its key (0 for
// the newest), is due to be deleted for good.
bool NoncurrentDue(const LifecycleRule& rule, const ObjectRecord& record, size_t newer, double now,
                   double day);

// The storage class the current version `record` (not a delete marker) is due to move to at
// `now`: the due transition with the furthest threshold; nullopt when none is due or the object
// is there already (or further down: STANDARD, INTELLIGENT_TIERING, STANDARD_IA, ONEZONE_IA,
// GLACIER_IR, GLACIER, DEEP_ARCHIVE, as AWS's transitions only go down that list).
std::optional<std::string> CurrentTransition(const LifecycleRule& rule, const ObjectRecord& record,
                                             double now, double day);
// The same for noncurrent version `record`, the `newer`-th newest noncurrent one of its key.
std::optional<std::string> NoncurrentTransition(const LifecycleRule& rule,
                                                const ObjectRecord& record, size_t newer,
                                                double now, double day);

}  // namespace tidepool::s3

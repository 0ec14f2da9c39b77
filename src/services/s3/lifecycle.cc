#include "services/s3/lifecycle.h"

#include <boost/json.hpp>

#include <cmath>
#include <set>

#include "services/s3/s3_errors.h"

namespace tidepool::s3 {
namespace json = boost::json;

namespace {

constexpr size_t kMaxRules = 1000;

const json::object* Member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

std::optional<int64_t> Int(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

std::string_view Str(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

Status Invalid(std::string message) {
  return S3Status(S3Error::kInvalidArgument, std::move(message));
}

// Where a storage class sits on AWS's transition waterfall (the archive classes last); -1 for
// an unknown name.
int ClassRank(std::string_view storage_class) {
  constexpr std::string_view kWaterfall[] = {"STANDARD",    "INTELLIGENT_TIERING", "STANDARD_IA",
                                             "ONEZONE_IA",  "GLACIER_IR",          "GLACIER",
                                             "DEEP_ARCHIVE"};
  for (int i = 0; i < 7; ++i) {
    if (kWaterfall[i] == storage_class) return i;
  }
  return -1;
}

// Checks Transitions (`noncurrent` false) or NoncurrentVersionTransitions.
Status ValidateTransitions(const json::value& list, bool noncurrent) {
  if (!list.is_array()) return MalformedXml();
  const std::string_view action = noncurrent ? "NoncurrentVersionTransition" : "Transition";
  const std::string_view days_name = noncurrent ? "NoncurrentDays" : "Days";
  for (const json::value& item : list.get_array()) {
    if (!item.is_object()) return MalformedXml();
    const json::object& t = item.get_object();
    const std::string_view storage_class = Str(t, "StorageClass");
    if (ClassRank(storage_class) <= 0) return MalformedXml();
    const auto days = Int(t, days_name);
    const json::value* date = noncurrent ? nullptr : t.if_contains("Date");
    if (int(days.has_value()) + int(date != nullptr) != 1) return MalformedXml();
    if (date != nullptr && (!date->is_number() || std::fmod(date->to_number<double>(), 86400.0))) {
      return Invalid("'Date' must be at midnight GMT");
    }
    if (days && *days < 0) {
      return Invalid("'" + std::string(days_name) + "' in " + std::string(action) +
                     " action must be nonnegative");
    }
    if (days && *days < 30 && (storage_class == "STANDARD_IA" || storage_class == "ONEZONE_IA")) {
      return Invalid("'" + std::string(days_name) + "' in " + std::string(action) +
                     " action must be greater than or equal to 30 for storageClass '" +
                     std::string(storage_class) + "'");
    }
    if (const auto newer = Int(t, "NewerNoncurrentVersions"); newer && *newer <= 0) {
      return Invalid("'NewerNoncurrentVersions' for " + std::string(action) +
                     " action must be a positive integer");
    }
  }
  return Status::Ok();
}

std::vector<LifecycleTransition> ParseTransitions(const json::object& rule, bool noncurrent) {
  std::vector<LifecycleTransition> out;
  const json::value* list =
      rule.if_contains(noncurrent ? "NoncurrentVersionTransitions" : "Transitions");
  if (list == nullptr || !list->is_array()) return out;
  for (const json::value& item : list->get_array()) {
    if (!item.is_object()) continue;
    const json::object& t = item.get_object();
    LifecycleTransition parsed;
    parsed.days = Int(t, noncurrent ? "NoncurrentDays" : "Days");
    if (const json::value* d = t.if_contains("Date"); d && d->is_number()) {
      parsed.date = d->to_number<double>();
    }
    parsed.storage_class = std::string(Str(t, "StorageClass"));
    parsed.newer_noncurrent = Int(t, "NewerNoncurrentVersions").value_or(0);
    out.push_back(std::move(parsed));
  }
  return out;
}

// The due transition furthest along from `since`, unless `current` is there already.
std::optional<std::string> DueTransition(const std::vector<LifecycleTransition>& transitions,
                                         std::string_view current, double since, size_t newer,
                                         double now, double day) {
  const LifecycleTransition* best = nullptr;
  double best_at = 0;
  for (const LifecycleTransition& t : transitions) {
    if (static_cast<int64_t>(newer) < t.newer_noncurrent) continue;
    const double at = t.days ? since + static_cast<double>(*t.days) * day : t.date.value_or(0);
    if (at <= now && (best == nullptr || at >= best_at)) best = &t, best_at = at;
  }
  if (best == nullptr || ClassRank(best->storage_class) <= ClassRank(current)) return std::nullopt;
  return best->storage_class;
}

std::string_view StorageClassOf(const ObjectRecord& record) {
  const json::value* sc = record.headers.if_contains("StorageClass");
  return sc != nullptr && sc->is_string() ? std::string_view(sc->get_string()) : "STANDARD";
}

}  // namespace

Status ValidateLifecycleConfiguration(const json::object& config) {
  const json::value* rules = config.if_contains("Rules");
  if (rules == nullptr || !rules->is_array() || rules->get_array().empty() ||
      rules->get_array().size() > kMaxRules) {
    return MalformedXml();
  }
  std::set<std::string> ids;
  for (const json::value& item : rules->get_array()) {
    if (!item.is_object()) return MalformedXml();
    const json::object& rule = item.get_object();
    const std::string_view status = Str(rule, "Status");
    if (status != "Enabled" && status != "Disabled") return MalformedXml();
    if (const std::string id(Str(rule, "ID")); !id.empty()) {
      if (id.size() > 255) return Invalid("ID length should not exceed allowed limit of 255");
      if (!ids.insert(id).second)
        return Invalid("Rule ID must be unique. Found same ID for more than one rule");
    }
    const json::value* transitions = rule.if_contains("Transitions");
    const json::value* noncurrent_transitions = rule.if_contains("NoncurrentVersionTransitions");
    if (transitions != nullptr) {
      if (Status st = ValidateTransitions(*transitions, false); !st.ok()) return st;
    }
    if (noncurrent_transitions != nullptr) {
      if (Status st = ValidateTransitions(*noncurrent_transitions, true); !st.ok()) return st;
    }
    const json::object* expiration = Member(rule, "Expiration");
    const json::object* noncurrent = Member(rule, "NoncurrentVersionExpiration");
    const json::object* abort = Member(rule, "AbortIncompleteMultipartUpload");
    if (expiration == nullptr && noncurrent == nullptr && abort == nullptr &&
        transitions == nullptr && noncurrent_transitions == nullptr) {
      return Invalid("At least one action needs to be specified in a rule");
    }
    if (abort != nullptr) {
      const auto days = Int(*abort, "DaysAfterInitiation");
      if (!days || *days <= 0) {
        return Invalid(
            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
            "integer");
      }
      // An upload has no tags or size yet: AWS allows only prefix filters with this action.
      if (const json::object* filter = Member(rule, "Filter")) {
        const json::object* a = Member(*filter, "And");
        const json::object& f = a != nullptr ? *a : *filter;
        if (f.contains("Tag") || f.contains("Tags")) {
          return Invalid("AbortIncompleteMultipartUpload cannot be specified with Tags.");
        }
        if (f.contains("ObjectSizeGreaterThan") || f.contains("ObjectSizeLessThan")) {
          return Invalid(
              "AbortIncompleteMultipartUpload cannot be specified with an object size filter.");
        }
      }
    }
    if (expiration != nullptr) {
      const auto days = Int(*expiration, "Days");
      const json::value* date = expiration->if_contains("Date");
      const bool marker = expiration->contains("ExpiredObjectDeleteMarker");
      if (int(days.has_value()) + int(date != nullptr) + int(marker) != 1) return MalformedXml();
      if (days && *days <= 0) {
        return Invalid("'Days' for Expiration action must be a positive integer");
      }
      if (date != nullptr) {
        if (!date->is_number()) return MalformedXml();
        const double seconds = date->to_number<double>();
        if (std::fmod(seconds, 86400.0) != 0) {
          return Invalid("'Date' must be at midnight GMT");
        }
      }
    }
    if (noncurrent != nullptr) {
      const auto days = Int(*noncurrent, "NoncurrentDays");
      if (!days || *days <= 0) {
        return Invalid(
            "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
      }
      if (const auto newer = Int(*noncurrent, "NewerNoncurrentVersions"); newer && *newer <= 0) {
        return Invalid(
            "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive "
            "integer");
      }
    }
  }
  return Status::Ok();
}

std::vector<LifecycleRule> EnabledRules(const json::object& config) {
  std::vector<LifecycleRule> out;
  const json::value* rules = config.if_contains("Rules");
  if (rules == nullptr || !rules->is_array()) return out;
  for (const json::value& item : rules->get_array()) {
    if (!item.is_object()) continue;
    const json::object& rule = item.get_object();
    if (Str(rule, "Status") != "Enabled") continue;
    LifecycleRule r;
    r.prefix = std::string(Str(rule, "Prefix"));  // the deprecated rule-level prefix
    if (const json::object* filter = Member(rule, "Filter")) {
      const json::object* a = Member(*filter, "And");
      const json::object& f = a != nullptr ? *a : *filter;
      if (f.contains("Prefix")) r.prefix = std::string(Str(f, "Prefix"));
      if (const json::object* tag = Member(f, "Tag")) r.tags.push_back(*tag);
      if (const json::value* tags = f.if_contains("Tags"); tags && tags->is_array()) {
        for (const json::value& t : tags->get_array()) r.tags.push_back(t);
      }
      if (auto n = Int(f, "ObjectSizeGreaterThan")) r.size_greater = static_cast<uint64_t>(*n);
      if (auto n = Int(f, "ObjectSizeLessThan")) r.size_less = static_cast<uint64_t>(*n);
    }
    if (const json::object* e = Member(rule, "Expiration")) {
      r.days = Int(*e, "Days");
      if (const json::value* d = e->if_contains("Date"); d && d->is_number()) {
        r.date = d->to_number<double>();
      }
      const json::value* m = e->if_contains("ExpiredObjectDeleteMarker");
      r.expired_delete_marker = m != nullptr && m->is_bool() && m->get_bool();
    }
    if (const json::object* n = Member(rule, "NoncurrentVersionExpiration")) {
      r.noncurrent_days = Int(*n, "NoncurrentDays");
      r.newer_noncurrent = Int(*n, "NewerNoncurrentVersions").value_or(0);
    }
    if (const json::object* a = Member(rule, "AbortIncompleteMultipartUpload")) {
      r.abort_days = Int(*a, "DaysAfterInitiation");
    }
    r.transitions = ParseTransitions(rule, false);
    r.noncurrent_transitions = ParseTransitions(rule, true);
    out.push_back(std::move(r));
  }
  return out;
}

bool RuleSelects(const LifecycleRule& rule, std::string_view key, const ObjectRecord& record) {
  if (!key.starts_with(rule.prefix)) return false;
  if (record.delete_marker) return true;
  if (rule.size_greater && !(record.size > *rule.size_greater)) return false;
  if (rule.size_less && !(record.size < *rule.size_less)) return false;
  for (const json::value& want : rule.tags) {
    bool found = false;
    for (const json::value& have : record.tags) found = found || have == want;
    if (!found) return false;
  }
  return true;
}

bool CurrentDue(const LifecycleRule& rule, const ObjectRecord& record, double now, double day) {
  if (rule.days) return record.mtime + static_cast<double>(*rule.days) * day <= now;
  if (rule.date) return *rule.date <= now;
  return false;
}

bool UploadDue(const LifecycleRule& rule, std::string_view key, double initiated, double now,
               double day) {
  return rule.abort_days && key.starts_with(rule.prefix) &&
         initiated + static_cast<double>(*rule.abort_days) * day <= now;
}

bool NoncurrentDue(const LifecycleRule& rule, const ObjectRecord& record, size_t newer, double now,
                   double day) {
  if (!rule.noncurrent_days) return false;
  if (static_cast<int64_t>(newer) < rule.newer_noncurrent) return false;
  const double since = record.noncurrent_since > 0 ? record.noncurrent_since : record.mtime;
  return since + static_cast<double>(*rule.noncurrent_days) * day <= now;
}

std::optional<std::string> CurrentTransition(const LifecycleRule& rule, const ObjectRecord& record,
                                             double now, double day) {
  return DueTransition(rule.transitions, StorageClassOf(record), record.mtime, 0, now, day);
}

std::optional<std::string> NoncurrentTransition(const LifecycleRule& rule,
                                                const ObjectRecord& record, size_t newer,
                                                double now, double day) {
  const double since = record.noncurrent_since > 0 ? record.noncurrent_since : record.mtime;
  return DueTransition(rule.noncurrent_transitions, StorageClassOf(record), since, newer, now, day);
}

}  // namespace tidepool::s3

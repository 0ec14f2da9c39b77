#include "services/s3/restore.h"

#include "protocol/codec/rest_xml_codec.h"
#include "protocol/input.h"
#include "services/s3/s3_errors.h"

namespace tidepool::s3 {
namespace json = boost::json;
namespace {

constexpr double kHour = 3600;
constexpr double kDay = 86400;

std::string_view StorageClass(const ObjectRecord& record) {
  const json::value* v = record.headers.if_contains("StorageClass");
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : "STANDARD";
}

// How long (AWS seconds) a restore of `storage_class` takes in `tier`: the upper end of AWS's
// published ranges. nullopt for a tier the class does not offer.
std::optional<double> RestoreDelay(std::string_view storage_class, std::string_view tier) {
  const bool deep = storage_class == "DEEP_ARCHIVE";
  if (tier == "Expedited") return deep ? std::nullopt : std::optional<double>(5 * 60);
  if (tier == "Standard") return deep ? 12 * kHour : 5 * kHour;
  if (tier == "Bulk") return deep ? 48 * kHour : 12 * kHour;
  return std::nullopt;
}

}  // namespace

bool IsArchived(const ObjectRecord& record) {
  std::string_view storage_class = StorageClass(record);
  return storage_class == "GLACIER" || storage_class == "DEEP_ARCHIVE";
}

Status CheckReadable(const ObjectRecord& record, double now) {
  if (!IsArchived(record)) return Status::Ok();
  if (record.restore_ready != 0 && record.restore_ready <= now && now < record.restore_expiry) {
    return Status::Ok();
  }
  return S3Status(S3Error::kInvalidObjectState,
                  "The operation is not valid for the object's storage class");
}

std::string RestoreHeader(const ObjectRecord& record, double now) {
  if (!IsArchived(record) || record.restore_ready == 0 || now >= record.restore_expiry) return "";
  if (now < record.restore_ready) return "ongoing-request=\"true\"";
  return "ongoing-request=\"false\", expiry-date=\"" +
         protocol::rest_xml_codec::FormatHttpDate(record.restore_expiry) + "\"";
}

Status ApplyRestore(const json::object* request, double now, double time_scale,
                    ObjectRecord* record, bool* already) {
  *already = false;
  if (!IsArchived(*record)) {
    return S3Status(S3Error::kInvalidObjectState,
                    "Restore is not allowed for the object's current storage class");
  }
  if (request == nullptr) return MalformedXml();
  if (request->contains("Type") || request->contains("OutputLocation") ||
      request->contains("SelectParameters")) {
    return NotImplemented("A RestoreObject of type SELECT (S3 Select, OutputLocation)");
  }
  const int64_t days = protocol::InputInt(*request, "Days").value_or(0);
  if (!request->contains("Days")) return MalformedXml();
  if (days < 1) {
    return S3Status(S3Error::kInvalidArgument, "The days parameter must be a positive integer");
  }
  std::string_view tier = "Standard";
  if (const json::object* job = protocol::InputObject(*request, "GlacierJobParameters")) {
    tier = protocol::InputStringView(*job, "Tier").value_or("Standard");
  }
  if (auto t = protocol::InputStringView(*request, "Tier")) tier = *t;
  auto delay = RestoreDelay(StorageClass(*record), tier);
  if (!delay) {
    return S3Status(S3Error::kInvalidArgument,
                    "The " + std::string(tier) + " tier is not available for the " +
                        std::string(StorageClass(*record)) + " storage class");
  }
  const bool live = record->restore_ready != 0 && now < record->restore_expiry;
  if (live && now < record->restore_ready) {
    return S3Status(S3Error::kRestoreAlreadyInProgress, "Object restore is already in progress");
  }
  if (live) {  // a restored copy: only its lifetime changes, counted from now
    *already = true;
    record->restore_expiry = now + static_cast<double>(days) * kDay * time_scale;
    return Status::Ok();
  }
  record->restore_ready = now + *delay * time_scale;
  record->restore_expiry = record->restore_ready + static_cast<double>(days) * kDay * time_scale;
  return Status::Ok();
}

}  // namespace tidepool::s3

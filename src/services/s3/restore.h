// Archived objects (storage class GLACIER or DEEP_ARCHIVE) and their restores. An archived
// version's bytes are not readable (GET, copies: InvalidObjectState) until a RestoreObject
// makes a temporary copy readable: the restore is ongoing for the tier's delay, then the copy
// stays readable for the request's Days, then the version is archived again. Both periods are
// AWS time, scaled by --time-scale; the state is the version record's restore_ready and
// restore_expiry (records.h), read against the clock, so nothing needs to run when a period
// ends. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <string>

#include "core/result.h"
#include "services/s3/records.h"

namespace tidepool::s3 {

// Whether `record`'s storage class is GLACIER or DEEP_ARCHIVE.
bool IsArchived(const ObjectRecord& record);

// Ok when `record`'s bytes may be read at `now` (seconds since the epoch): it is not archived,
// or its restored copy is readable. Else InvalidObjectState, as S3 answers a GET.
Status CheckReadable(const ObjectRecord& record, double now);

// The x-amz-restore header of `record` at `now`: `ongoing-request="true"` while a restore
// runs, `ongoing-request="false", expiry-date="<HTTP date>"` while the copy is readable; ""
// otherwise.
std::string RestoreHeader(const ObjectRecord& record, double now);

// Applies a RestoreObject request (`request`: the RestoreRequest member, or nullptr) to
// `record` at `now`: sets restore_ready / restore_expiry. `time_scale`: seconds of tidepool
// time per second of AWS time. Errors as S3 gives them: InvalidObjectState (not archived),
// RestoreAlreadyInProgress, MalformedXML (no Days), InvalidArgument (a bad tier, a restore
// type other than a plain restore). Sets `*already` when a restored copy was only extended.
Status ApplyRestore(const boost::json::object* request, double now, double time_scale,
                    ObjectRecord* record, bool* already);

}  // namespace tidepool::s3

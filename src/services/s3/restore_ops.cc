// RestoreObject: makes an archived version (GLACIER, DEEP_ARCHIVE) readable for a while
// (restore.h). 202 when a restore starts, 200 when a restored copy's lifetime is extended.
#include <boost/json.hpp>

#include "protocol/input.h"
#include "services/s3/restore.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"

namespace tidepool::s3 {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputStringView;

void S3Service::RestoreObject(CallPtr call) {
  auto bucket = InputBucket(*call);
  if (!bucket.ok()) return Fail(call, bucket.status());
  const json::object& in = call->input();
  const json::object* request = protocol::InputObject(in, "RestoreRequest");
  const double now = static_cast<double>(clock_.NowMillis()) / 1000.0;
  auto already = std::make_shared<bool>(false);
  RewriteVersion(
      *bucket, std::string(InputStringView(in, "Key").value_or("")),
      std::string(InputStringView(in, "VersionId").value_or("")),
      [request = request ? std::optional<json::object>(*request) : std::nullopt, now,
       scale = options_.time_scale, already](ObjectRecord* record) {
        return ApplyRestore(request ? &*request : nullptr, now, scale, record, already.get());
      },
      "s3:ObjectRestore:Post", call->context(),
      [call, already](Status st) {
        if (!st.ok()) return Fail(call, st);
        call->ReplyStreamed(json::object{}, LengthOnlySource(0), *already ? 200 : 202);
      });
}

}  // namespace tidepool::s3

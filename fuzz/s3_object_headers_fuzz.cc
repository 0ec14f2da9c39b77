// libFuzzer target for the S3 request headers parsed by hand: the x-amz-grant-* lists and
// x-amz-acl of object ACLs (services/s3/acl.h), and the byte offsets of Range and
// x-amz-copy-source-range (object_view.h). Input: a selector byte, then the header's value.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "services/s3/acl.h"
#include "services/s3/object_view.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kMembers[] = {"GrantRead", "GrantFullControl", "ACL",
                                                  "GrantWriteACP"};
  if (size == 0) return 0;
  const std::string value(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)tidepool::s3::ParseByteOffset(value);
  boost::json::object in{{kMembers[data[0] % std::size(kMembers)], value}};
  auto grants = tidepool::s3::RequestedGrants(in, "owner");
  if (grants.ok() && grants->has_value()) {
    for (const boost::json::value& grant : **grants) {
      // Every grant names a grantee and a permission.
      if (!grant.as_object().contains("Grantee") || !grant.as_object().contains("Permission")) {
        std::abort();
      }
    }
  }
  return 0;
}

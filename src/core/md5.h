// MD5 (RFC 1321), for checksums and routing (Kinesis partition keys, SQS MD5OfMessageBody),
// never for security. Our own, not OpenSSL's: hashing a short input (a partition key, one
// block) cost ~1,250 instructions through MD5_Init/Update/Final, context cleansing and a
// heap string, twice the block function itself; this is the block function on the stack.
// Pure and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace tidepool {

using Md5Digest = std::array<uint8_t, 16>;

Md5Digest Md5Of(std::string_view data);

}  // namespace tidepool

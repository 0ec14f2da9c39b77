// Hash keys: the 128-bit space [0, 2^128-1] that partition keys map into and shards divide.
// On the wire a hash key is a decimal string; in memory an unsigned __int128.
// All functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidepool::kinesis {

using HashKey = unsigned __int128;

constexpr HashKey kMaxHashKey = ~HashKey{0};  // 2^128 - 1

// Parses a decimal string (digits only, no sign). nullopt when empty, not all digits, or
// greater than 2^128 - 1.
std::optional<HashKey> ParseHashKey(std::string_view text);

std::string FormatHashKey(HashKey value);
// Appends FormatHashKey(value) to `out` (no temporary string on the hot paths).
void AppendHashKey(HashKey value, std::string& out);
// Writes FormatHashKey(value) at `p` (room for kMaxHashKeyChars); returns the end.
constexpr size_t kMaxHashKeyChars = 39;
char* WriteHashKey(HashKey value, char* p);

// MD5 of the partition key's bytes, read as a big-endian 128-bit number (AWS's routing).
HashKey PartitionKeyHash(std::string_view partition_key);

// `count` contiguous ranges [start, end] covering [first, last] in order, as even as
// integer division allows (the last range takes the remainder), as CreateStream and
// UpdateShardCount lay out shards. Requires 1 <= count and count - 1 <= last - first.
std::vector<std::pair<HashKey, HashKey>> SplitHashRange(HashKey first, HashKey last,
                                                        uint32_t count);

}  // namespace tidepool::kinesis

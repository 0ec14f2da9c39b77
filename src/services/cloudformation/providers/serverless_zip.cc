#include "services/cloudformation/providers/serverless_zip.h"

#include <zlib.h>

#include <cstdint>

namespace tidepool::cloudformation::serverless {
namespace {

// Format (PKWARE APPNOTE 4.3, all integers little-endian):
//   per entry:  local header  PK\3\4 | version 20 | flags 0 | method 0 | time | date | crc32 |
//                             size | size | name length | extra 0 | name | data
//   per entry:  central entry PK\1\2 | made by 0x031E (Unix) | version 20 | flags 0 | method 0 |
//                             time | date | crc32 | size | size | name length | 0 | 0 | disk 0 |
//                             internal 0 | external (mode 0100644 << 16) | local offset | name
//   end record               PK\5\6 | disk 0 | 0 | entries | entries | directory size |
//                             directory offset | comment 0
constexpr uint16_t kDosTime = 0;                        // 00:00:00
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
constexpr uint32_t kRegularFile0644 = 0100644u << 16;

void Put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}

void Put32(std::string& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v & 0xffff));
  Put16(out, static_cast<uint16_t>(v >> 16));
}

uint32_t Crc32(const std::string& data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  const auto* bytes = reinterpret_cast<const Bytef*>(data.data());
  size_t left = data.size();
  while (left > 0) {
    auto chunk = static_cast<uInt>(left > (1u << 30) ? (1u << 30) : left);
    crc = crc32(crc, bytes, chunk);
    bytes += chunk;
    left -= chunk;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace

std::string WriteStoredZip(const std::vector<ZipEntry>& entries) {
  std::string out;
  std::string directory;
  for (const ZipEntry& e : entries) {
    const uint32_t crc = Crc32(e.content);
    const auto size = static_cast<uint32_t>(e.content.size());
    const auto name_length = static_cast<uint16_t>(e.name.size());
    const auto offset = static_cast<uint32_t>(out.size());

    Put32(out, 0x04034b50);
    Put16(out, 20);
    Put16(out, 0);
    Put16(out, 0);
    Put16(out, kDosTime);
    Put16(out, kDosDate);
    Put32(out, crc);
    Put32(out, size);
    Put32(out, size);
    Put16(out, name_length);
    Put16(out, 0);
    out += e.name;
    out += e.content;

    Put32(directory, 0x02014b50);
    Put16(directory, 0x031E);
    Put16(directory, 20);
    Put16(directory, 0);
    Put16(directory, 0);
    Put16(directory, kDosTime);
    Put16(directory, kDosDate);
    Put32(directory, crc);
    Put32(directory, size);
    Put32(directory, size);
    Put16(directory, name_length);
    Put16(directory, 0);
    Put16(directory, 0);
    Put16(directory, 0);
    Put16(directory, 0);
    Put32(directory, kRegularFile0644);
    Put32(directory, offset);
    directory += e.name;
  }
  const auto directory_offset = static_cast<uint32_t>(out.size());
  const auto count = static_cast<uint16_t>(entries.size());
  out += directory;
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, count);
  Put16(out, count);
  Put32(out, static_cast<uint32_t>(directory.size()));
  Put32(out, directory_offset);
  Put16(out, 0);
  return out;
}

}  // namespace tidepool::cloudformation::serverless

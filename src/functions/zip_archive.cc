#include "functions/zip_archive.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

namespace tidepool::functions {
namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint64_t kMaxEntryBytes = uint64_t{1} << 30;  // AWS: 250 MB unzipped in total

uint16_t U16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) | static_cast<uint8_t>(s[at + 1]) << 8);
}
uint32_t U32(std::string_view s, size_t at) { return U16(s, at) | uint32_t{U16(s, at + 2)} << 16; }

struct Entry {
  std::string name;
  uint16_t method;
  uint32_t compressed;
  uint32_t size;
  uint32_t local_offset;
  uint32_t mode;  // Unix mode from the external attributes, 0 when none
};

// The central directory's entries; false when the archive is damaged.
bool ReadDirectory(std::string_view zip, std::vector<Entry>* entries) {
  if (zip.size() < 22) return false;
  size_t eocd = std::string_view::npos;
  size_t lowest = zip.size() > 22 + 65535 ? zip.size() - 22 - 65535 : 0;
  for (size_t i = zip.size() - 22 + 1; i-- > lowest;) {
    if (U32(zip, i) == kEndOfDirectory) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string_view::npos) return false;
  uint16_t count = U16(zip, eocd + 10);
  uint32_t dir_size = U32(zip, eocd + 12);
  uint32_t dir_offset = U32(zip, eocd + 16);
  if (uint64_t{dir_offset} + dir_size > eocd) return false;
  size_t at = dir_offset;
  for (uint16_t i = 0; i < count; ++i) {
    if (at + 46 > zip.size() || U32(zip, at) != kDirectoryEntry) return false;
    Entry e;
    e.method = U16(zip, at + 10);
    e.compressed = U32(zip, at + 20);
    e.size = U32(zip, at + 24);
    uint16_t name_len = U16(zip, at + 28), extra_len = U16(zip, at + 30),
             comment_len = U16(zip, at + 32);
    uint16_t made_by = U16(zip, at + 4);
    uint32_t external = U32(zip, at + 38);
    e.local_offset = U32(zip, at + 42);
    e.mode = (made_by >> 8) == 3 ? external >> 16 : 0;  // 3: Unix
    if (at + 46 + name_len > zip.size()) return false;
    e.name = std::string(zip.substr(at + 46, name_len));
    at += 46 + size_t{name_len} + extra_len + comment_len;
    entries->push_back(std::move(e));
  }
  return true;
}

// The entry's data, inflated; false when damaged.
bool EntryData(std::string_view zip, const Entry& e, std::string* out) {
  size_t at = e.local_offset;
  if (at + 30 > zip.size() || U32(zip, at) != kLocalHeader) return false;
  size_t data = at + 30 + size_t{U16(zip, at + 26)} + U16(zip, at + 28);
  if (data + e.compressed > zip.size() || e.size > kMaxEntryBytes) return false;
  std::string_view in = zip.substr(data, e.compressed);
  if (e.method == 0) {
    if (e.compressed != e.size) return false;
    out->assign(in);
    return true;
  }
  if (e.method != 8) return false;
  out->resize(e.size);
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return false;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(out->size());
  int rc = inflate(&z, Z_FINISH);
  bool ok = (rc == Z_STREAM_END || (rc == Z_BUF_ERROR && e.size == 0)) && z.total_out == e.size;
  inflateEnd(&z);
  return ok;
}

bool SafeName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos) {
    return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    std::string_view part =
        name.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part == "..") return false;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

bool LooksLikeZip(std::string_view bytes) {
  std::vector<Entry> entries;
  return ReadDirectory(bytes, &entries);
}

Status ExtractZip(std::string_view zip, const std::string& dir) {
  std::vector<Entry> entries;
  if (!ReadDirectory(zip, &entries)) return Status::InvalidArgument("not a zip archive");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
  std::string data;
  for (const Entry& e : entries) {
    if (!SafeName(e.name)) return Status::InvalidArgument("unsafe entry name " + e.name);
    std::filesystem::path path = std::filesystem::path(dir) / e.name;
    if (e.name.back() == '/') {
      std::filesystem::create_directories(path, ec);
      if (ec) return Status::IoError("cannot create " + path.string());
      continue;
    }
    if (!EntryData(zip, e, &data)) return Status::InvalidArgument("damaged entry " + e.name);
    std::filesystem::create_directories(path.parent_path(), ec);
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(data.data(), static_cast<std::streamsize>(data.size()));
    f.close();
    if (!f) return Status::IoError("cannot write " + path.string());
    // Zips without Unix modes get rwxr-xr-x, as AWS's own extraction gives bootstrap files.
    mode_t mode = (e.mode & 0777) != 0 ? (e.mode & 0777) | 0400 : 0755;
    ::chmod(path.c_str(), mode);
  }
  return Status::Ok();
}

}  // namespace tidepool::functions

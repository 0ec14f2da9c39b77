#include "functions/zip_archive.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace tidepool::functions {
namespace {

void Put16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>(v >> 8));
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, static_cast<uint16_t>(v & 0xffff));
  Put16(s, static_cast<uint16_t>(v >> 16));
}

// A zip of `files` (name, content, unix mode); deflated when `compress`.
std::string MakeZip(const std::vector<std::tuple<std::string, std::string, uint32_t>>& files,
                    bool compress) {
  std::string out, dir;
  for (const auto& [name, content, mode] : files) {
    std::string data = content;
    if (compress) {
      z_stream z{};
      deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
      data.resize(deflateBound(&z, content.size()));
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
      z.avail_in = static_cast<uInt>(content.size());
      z.next_out = reinterpret_cast<Bytef*>(data.data());
      z.avail_out = static_cast<uInt>(data.size());
      deflate(&z, Z_FINISH);
      data.resize(z.total_out);
      deflateEnd(&z);
    }
    uint32_t offset = static_cast<uint32_t>(out.size());
    uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(content.data()),
                                               static_cast<uInt>(content.size())));
    Put32(out, 0x04034b50);
    Put16(out, 20);
    Put16(out, 0);
    Put16(out, compress ? 8 : 0);
    Put32(out, 0);
    Put32(out, crc);
    Put32(out, static_cast<uint32_t>(data.size()));
    Put32(out, static_cast<uint32_t>(content.size()));
    Put16(out, static_cast<uint16_t>(name.size()));
    Put16(out, 0);
    out += name;
    out += data;
    Put32(dir, 0x02014b50);
    Put16(dir, 3 << 8 | 20);
    Put16(dir, 20);
    Put16(dir, 0);
    Put16(dir, compress ? 8 : 0);
    Put32(dir, 0);
    Put32(dir, crc);
    Put32(dir, static_cast<uint32_t>(data.size()));
    Put32(dir, static_cast<uint32_t>(content.size()));
    Put16(dir, static_cast<uint16_t>(name.size()));
    Put16(dir, 0);
    Put16(dir, 0);
    Put16(dir, 0);
    Put16(dir, 0);
    Put32(dir, (S_IFREG | mode) << 16);
    Put32(dir, offset);
    dir += name;
  }
  uint32_t dir_offset = static_cast<uint32_t>(out.size());
  out += dir;
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, static_cast<uint16_t>(files.size()));
  Put16(out, static_cast<uint16_t>(files.size()));
  Put32(out, static_cast<uint32_t>(dir.size()));
  Put32(out, dir_offset);
  Put16(out, 0);
  return out;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class ZipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("zip_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(ZipTest, ExtractsStoredAndDeflatedEntriesWithModes) {
  for (bool compress : {false, true}) {
    std::string zip = MakeZip({{"bootstrap", "#!/bin/sh\necho hi\n", 0755},
                               {"lib/app.py", std::string(10000, 'x'), 0644}},
                              compress);
    ASSERT_TRUE(LooksLikeZip(zip));
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(ExtractZip(zip, dir_.string()).ok());
    EXPECT_EQ(ReadFile(dir_ / "bootstrap"), "#!/bin/sh\necho hi\n");
    EXPECT_EQ(ReadFile(dir_ / "lib/app.py"), std::string(10000, 'x'));
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "bootstrap").c_str(), &st), 0);
    EXPECT_TRUE(st.st_mode & S_IXUSR);
  }
}

TEST_F(ZipTest, RefusesDamagedArchivesAndEscapingNames) {
  EXPECT_FALSE(LooksLikeZip("not a zip"));
  EXPECT_FALSE(ExtractZip("not a zip", dir_.string()).ok());
  EXPECT_FALSE(ExtractZip(MakeZip({{"../evil", "x", 0644}}, false), dir_.string()).ok());
  EXPECT_FALSE(ExtractZip(MakeZip({{"/abs", "x", 0644}}, false), dir_.string()).ok());
  std::string zip = MakeZip({{"a.txt", std::string(100, 'a'), 0644}}, true);
  zip[40] ^= 0x55;  // corrupt the deflated data
  EXPECT_FALSE(ExtractZip(zip, dir_.string()).ok());
  EXPECT_TRUE(LooksLikeZip(MakeZip({}, false)));
}

}  // namespace
}  // namespace tidepool::functions

// Fuzzes S3's recovery: the input is a store image (storage/store_image.h) of records under
// S3's key root; the service must recover from it without a crash, skipping what it cannot
// read, with a body dir of its own (reclaiming files no record names).
// Seeds: the real image written by S3RecoveryImageTest (s3_recovery_image_test.cc).
#include <cstdlib>
#include <filesystem>
#include <string>

#include "recovery_fuzz.h"
#include "services/s3/s3_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string body_dir = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "s3-recovery-fuzz-XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) std::abort();
    return dir;
  }();
  tidepool::fuzzing::RecoveryFuzzEnv env;
  if (!env.Load(data, size, std::string_view("s3\0", 3))) return 0;
  tidepool::s3::S3Options options;
  options.body_dir = body_dir;
  options.sync_bodies = false;
  {
    tidepool::s3::S3Service s3(env.store, env.commits, env.clock, options);
    if (!s3.Recover().ok()) return 0;
    (void)s3.Health();
  }
  env.io.poll();
  return 0;
}

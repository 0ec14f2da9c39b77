// RocksDbLogger: warnings and errors reach spdlog, info and the options header do not.
#include "storage/rocksdb_logger.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

namespace tidepool::storage {
namespace {

class RocksDbLoggerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto capture = std::make_shared<spdlog::logger>("capture", sink);
    capture->set_pattern("%l %v");
    capture->set_level(spdlog::level::trace);
    spdlog::set_default_logger(capture);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(RocksDbLoggerTest, ForwardsWarningsAndErrorsOnly) {
  std::shared_ptr<rocksdb::Logger> logger = std::make_shared<RocksDbLogger>();
  rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, logger, "info %d", 1);
  rocksdb::Log(rocksdb::InfoLogLevel::DEBUG_LEVEL, logger, "debug %d", 2);
  rocksdb::Header(logger, "header %d", 3);
  rocksdb::Log(rocksdb::InfoLogLevel::WARN_LEVEL, logger, "warn %d", 4);
  rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger, "error %s", "five");
  rocksdb::Log(rocksdb::InfoLogLevel::FATAL_LEVEL, logger, "fatal %d", 6);
  EXPECT_EQ(out_.str(),
            "warning rocksdb: warn 4\n"
            "error rocksdb: error five\n"
            "critical rocksdb: fatal 6\n");
}

TEST_F(RocksDbLoggerTest, TruncatesLongMessages) {
  std::shared_ptr<rocksdb::Logger> logger = std::make_shared<RocksDbLogger>();
  const std::string long_text(5000, 'x');
  rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger, "%s", long_text.c_str());
  const std::string line = out_.str();
  ASSERT_FALSE(line.empty());
  EXPECT_LT(line.size(), 1100u);
  EXPECT_EQ(line.rfind("error rocksdb: xxx", 0), 0u);
}

}  // namespace
}  // namespace tidepool::storage

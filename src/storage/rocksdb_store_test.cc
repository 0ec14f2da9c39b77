// RocksDbStore specifics: persistence across reopen, the directory lock, OpenStore wiring.
#include "storage/rocksdb_store.h"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/memory_store.h"
#include "storage/test_temp_dir.h"

extern char** environ;

namespace tidepool::storage {
namespace {

constexpr char kHoldDirEnv[] = "TIDEPOOL_TEST_HOLD_DATA_DIR";
constexpr char kReadyMarker[] = "TIDEPOOL-LOCK-HELD\n";

TEST(RocksDbStoreTest, WritesNoInfoLogFile) {
  TestTempDir tmp;
  const std::string dir = tmp.Sub("data");
  {
    auto store = RocksDbStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    WriteBatch b;
    b.Put("k", "v");
    ASSERT_TRUE((*store)->Write(b, true).ok());
  }
  ASSERT_TRUE(RocksDbStore::Open(dir).ok());  // a reopen would rotate LOG to LOG.old.*
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_NE(entry.path().filename().string().rfind("LOG", 0), 0u) << entry.path();
  }
}

TEST(RocksDbStoreTest, DataSurvivesCloseAndReopen) {
  TestTempDir tmp;
  const std::string dir = tmp.Sub("nested/data");  // parents are created too
  {
    auto store = RocksDbStore::Open(dir);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    WriteBatch b;
    b.Put("stream/a", "1");
    b.Put(std::string("bin\x00\xFF", 5), std::string("\x00", 1));
    b.Put("gone", "x");
    ASSERT_TRUE((*store)->Write(b, true).ok());
    WriteBatch d;
    d.Delete("gone");
    ASSERT_TRUE((*store)->Write(d, false).ok());  // async: in the WAL, not fsynced
  }
  auto store = RocksDbStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(*(*store)->Get("stream/a"), "1");
  EXPECT_EQ(*(*store)->Get(std::string("bin\x00\xFF", 5)), std::string("\x00", 1));
  EXPECT_EQ(*(*store)->Get("gone"), std::nullopt);
}

TEST(RocksDbStoreTest, SecondOpenInSameProcessFailsClearly) {
  TestTempDir tmp;
  auto first = RocksDbStore::Open(tmp.path());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = RocksDbStore::Open(tmp.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("data dir " + tmp.path() +
                                           " is in use by another tidepool process"),
            std::string::npos)
      << second.status().message();
  // The failed attempt must not have broken the first store.
  WriteBatch b;
  b.Put("k", "v");
  EXPECT_TRUE((*first)->Write(b, true).ok());
}

TEST(RocksDbStoreTest, ReopenAfterCloseSucceeds) {
  TestTempDir tmp;
  { ASSERT_TRUE(RocksDbStore::Open(tmp.path()).ok()); }
  EXPECT_TRUE(RocksDbStore::Open(tmp.path()).ok());
}

// Helper run in a child process by SecondOpenFromAnotherProcessFailsClearly: holds the data
// dir named by kHoldDirEnv until its stdin closes. Skipped in a normal run.
TEST(RocksDbStoreLockHolder, HoldDataDir) {
  const char* dir = std::getenv(kHoldDirEnv);
  if (dir == nullptr) GTEST_SKIP() << "only runs as a child of the lock test";
  auto store = RocksDbStore::Open(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_EQ(write(STDOUT_FILENO, kReadyMarker, strlen(kReadyMarker)),
            static_cast<ssize_t>(strlen(kReadyMarker)));
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
}

TEST(RocksDbStoreTest, SecondOpenFromAnotherProcessFailsClearly) {
  TestTempDir tmp;
  int to_child[2];
  int from_child[2];
  ASSERT_EQ(pipe(to_child), 0);
  ASSERT_EQ(pipe(from_child), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, to_child[1]);
  posix_spawn_file_actions_addclose(&actions, from_child[0]);

  std::string filter = "--gtest_filter=RocksDbStoreLockHolder.HoldDataDir";
  std::string exe = "/proc/self/exe";
  std::vector<char*> argv = {exe.data(), filter.data(), nullptr};
  std::string hold = std::string(kHoldDirEnv) + "=" + tmp.path();
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
  envp.push_back(hold.data());
  envp.push_back(nullptr);

  pid_t child = 0;
  ASSERT_EQ(posix_spawn(&child, exe.c_str(), &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(to_child[0]);
  close(from_child[1]);

  std::string output;
  char buf[4096];
  while (output.find(kReadyMarker) == std::string::npos) {
    ssize_t n = read(from_child[0], buf, sizeof(buf));
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  const bool ready = output.find(kReadyMarker) != std::string::npos;

  Result<std::unique_ptr<RocksDbStore>> second = Status::Internal("not attempted");
  if (ready) second = RocksDbStore::Open(tmp.path());

  close(to_child[1]);  // lets the child exit
  while (read(from_child[0], buf, sizeof(buf)) > 0) {
  }
  close(from_child[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(child, &wstatus, 0), child);

  ASSERT_TRUE(ready) << "child never held the dir; its output:\n" << output;
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("data dir " + tmp.path() +
                                           " is in use by another tidepool process"),
            std::string::npos)
      << second.status().message();
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);

  // Once the holder is gone the dir opens again.
  EXPECT_TRUE(RocksDbStore::Open(tmp.path()).ok());
}

TEST(RocksDbStoreTest, OpenFailsOnAFileInPlaceOfTheDir) {
  TestTempDir tmp;
  const std::string file = tmp.Sub("file");
  FILE* f = fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fclose(f);
  auto store = RocksDbStore::Open(file);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(file), std::string::npos) << store.status().ToString();
}

// store.h: a family key with "\0" appended must be in no family, or a range starting at it
// cannot be written safely; the write fails instead of corrupting the memtable.
TEST(RocksDbStoreTest, RangeFromAFamilyWhoseSuccessorIsInOneFails) {
  TestTempDir tmp;
  RocksDbTuning tuning;
  tuning.key_family = [](std::string_view key) -> size_t { return key.empty() ? 0 : 1; };
  auto store = RocksDbStore::Open(tmp.Sub("db"), tuning);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  WriteBatch put;
  put.Put("a1", "x");
  ASSERT_TRUE((*store)->Write(put, false).ok());
  WriteBatch range;
  range.DeleteRange("a1", "a2");
  const Status st = (*store)->Write(range, false);
  EXPECT_EQ(st.code(), StatusCode::kInternal) << st.ToString();
  auto value = (*store)->Get("a1");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, "x");
}

TEST(OpenStoreTest, PicksTheStoreForTheDurability) {
  TestTempDir tmp;
  auto memory = OpenStore(tmp.Sub("unused"), Durability::kMemory);
  ASSERT_TRUE(memory.ok());
  EXPECT_NE(dynamic_cast<MemoryStore*>(memory->get()), nullptr);
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("unused")));

  for (Durability d : {Durability::kSync, Durability::kAsync}) {
    const std::string dir = tmp.Sub(d == Durability::kSync ? "sync/db" : "async/db");
    auto store = OpenStore(dir, d);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_NE(dynamic_cast<RocksDbStore*>(store->get()), nullptr);
    EXPECT_TRUE(std::filesystem::is_directory(dir));
  }
}

TEST(OpenStoreTest, ParseDurability) {
  EXPECT_EQ(ParseDurability("sync"), Durability::kSync);
  EXPECT_EQ(ParseDurability("async"), Durability::kAsync);
  EXPECT_EQ(ParseDurability("memory"), Durability::kMemory);
  EXPECT_EQ(ParseDurability("SYNC"), std::nullopt);
  EXPECT_EQ(ParseDurability(""), std::nullopt);
}

}  // namespace
}  // namespace tidepool::storage

#include "services/s3/body_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

namespace tidepool::s3 {
namespace {

namespace fs = std::filesystem;

Status Errno(std::string what) { return Status::IoError(what + ": " + std::strerror(errno)); }

std::string IdName(uint64_t id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, id);
  return buf;
}

uint64_t NewFileId() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }()};
  uint64_t id = 0;
  while (id == 0) id = rng();
  return id;
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync " + dir);
}

class FileSource final : public protocol::http::BodySource {
 public:
  FileSource(int fd, uint64_t offset, uint64_t length)
      : fd_(fd), offset_(offset), remaining_(length), size_(length) {}
  ~FileSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  int64_t Read(char* buffer, size_t capacity) override {
    if (remaining_ == 0) return 0;
    size_t want = static_cast<size_t>(std::min<uint64_t>(capacity, remaining_));
    ssize_t n = ::pread(fd_, buffer, want, static_cast<off_t>(offset_));
    if (n <= 0) return -1;
    offset_ += static_cast<uint64_t>(n);
    remaining_ -= static_cast<uint64_t>(n);
    return n;
  }

 private:
  int fd_;
  uint64_t offset_;
  uint64_t remaining_;
  uint64_t size_;
};

class LengthOnly final : public protocol::http::BodySource {
 public:
  explicit LengthOnly(uint64_t size) : size_(size) {}
  uint64_t size() const override { return size_; }
  int64_t Read(char*, size_t) override { return -1; }

 private:
  uint64_t size_;
};

}  // namespace

TempFile::~TempFile() {
  ::close(fd_);
  if (!released_) ::unlink(path_.c_str());
}

Status TempFile::Append(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write " + path_);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status BodyStore::Open() {
  std::error_code ec;
  fs::create_directories(dir_ + "/objects", ec);
  if (ec) return Status::IoError("cannot create " + dir_ + "/objects: " + ec.message());
  fs::remove_all(dir_ + "/tmp", ec);
  fs::create_directories(dir_ + "/tmp", ec);
  if (ec) return Status::IoError("cannot create " + dir_ + "/tmp: " + ec.message());
  return Status::Ok();
}

std::string BodyStore::PathOf(uint64_t id) const { return dir_ + "/objects/" + IdName(id); }

Result<std::unique_ptr<TempFile>> BodyStore::CreateTemp() {
  uint64_t id = NewFileId();
  std::string path = dir_ + "/tmp/" + IdName(id);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create " + path);
  return std::make_unique<TempFile>(fd, id, std::move(path));
}

Status BodyStore::Publish(TempFile& file) {
  if (sync_ && ::fdatasync(file.fd()) != 0) return Errno("fsync " + file.path());
  std::string target = PathOf(file.id());
  if (::rename(file.path().c_str(), target.c_str()) != 0) return Errno("rename " + file.path());
  file.Release();
  if (sync_) return SyncDir(dir_ + "/objects");
  return Status::Ok();
}

Result<uint64_t> BodyStore::Concatenate(const std::vector<uint64_t>& ids) {
  auto temp = CreateTemp();
  if (!temp.ok()) return temp.status();
  std::vector<char> buffer(1 << 20);
  for (uint64_t id : ids) {
    std::string path = PathOf(id);
    int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return Errno("open " + path);
    // In the kernel when it can (copy_file_range), else through the buffer.
    bool kernel_copy = true;
    while (kernel_copy) {
      ssize_t n = ::copy_file_range(in, nullptr, (*temp)->fd(), nullptr, 1 << 30, 0);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) {
          ::close(in);
          return Errno("copy " + path);
        }
        kernel_copy = false;
      }
    }
    while (!kernel_copy) {
      ssize_t n = ::read(in, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        ::close(in);
        return Errno("read " + path);
      }
      if (n == 0) break;
      if (Status s = (*temp)->Append(std::string_view(buffer.data(), static_cast<size_t>(n)));
          !s.ok()) {
        ::close(in);
        return s;
      }
    }
    ::close(in);
  }
  if (Status s = Publish(**temp); !s.ok()) return s;
  return (*temp)->id();
}

void BodyStore::Remove(uint64_t id) {
  if (id == 0) return;
  if (::unlink(PathOf(id).c_str()) != 0 && errno != ENOENT) {
    spdlog::warn("s3: cannot delete body file {}: {}", PathOf(id), std::strerror(errno));
  }
}

size_t BodyStore::Reclaim(const std::unordered_set<uint64_t>& referenced) {
  size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ + "/objects", ec)) {
    const std::string name = entry.path().filename().string();
    uint64_t id = 0;
    if (name.size() != 16 || std::sscanf(name.c_str(), "%" SCNx64, &id) != 1 ||
        !referenced.contains(id)) {
      fs::remove(entry.path(), ec);
      ++removed;
    }
  }
  return removed;
}

Result<std::shared_ptr<protocol::http::BodySource>> BodyStore::OpenRange(uint64_t id,
                                                                         uint64_t offset,
                                                                         uint64_t length) {
  std::string path = PathOf(id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::NotFound("body file " + path + " is missing");
  ::posix_fadvise(fd, static_cast<off_t>(offset), static_cast<off_t>(length),
                  POSIX_FADV_SEQUENTIAL);
  return std::shared_ptr<protocol::http::BodySource>(
      std::make_shared<FileSource>(fd, offset, length));
}

std::shared_ptr<protocol::http::BodySource> LengthOnlySource(uint64_t size) {
  return std::make_shared<LengthOnly>(size);
}

}  // namespace tidepool::s3

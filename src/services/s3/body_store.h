// Where S3 keeps object bodies too large for the store: one file per body under
// <dir>/objects/<id as 16 hex digits>, written first under <dir>/tmp/ and made visible by
// Publish (fsync, rename, fsync of the directory when `sync`) before the record that names it
// is committed. So a crash leaves either a published file that a committed record names, or a
// file no record names (a temp file, or a published file whose record never committed); Open
// deletes every temp file and Reclaim every unnamed published file.
//
// Thread-safety: every method may be called from any thread; a TempFile is used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>

#include "core/result.h"
#include "protocol/http/responder.h"

namespace tidepool::s3 {

// A temp body file being written. Deleted by its destructor unless Published.
class TempFile {
 public:
  TempFile(int fd, uint64_t id, std::string path) : fd_(fd), id_(id), path_(std::move(path)) {}
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  // Appends `data`; IoError (disk full...) when it cannot.
  Status Append(std::string_view data);
  uint64_t id() const { return id_; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // After BodyStore::Publish: the file is no longer this object's to delete.
  void Release() { released_ = true; }

 private:
  int fd_;
  uint64_t id_;
  std::string path_;
  bool released_ = false;
};

class BodyStore {
 public:
  // `sync`: Publish makes the file durable before returning (--durability sync).
  BodyStore(std::string dir, bool sync) : dir_(std::move(dir)), sync_(sync) {}

  // Creates the directories; deletes every temp file a previous run left.
  Status Open();
  Result<std::unique_ptr<TempFile>> CreateTemp();
  // Makes `file` the body file of its id (see the header comment). Blocks on the disk: call
  // it off the io threads.
  Status Publish(TempFile& file);
  // Writes the bodies `ids` one after the other into a new published file (multipart
  // completion). Blocks on the disk.
  Result<uint64_t> Concatenate(const std::vector<uint64_t>& ids);
  // Deletes body file `id` (ignores a file already gone).
  void Remove(uint64_t id);
  // Deletes every published file whose id is not in `referenced`; returns how many.
  size_t Reclaim(const std::unordered_set<uint64_t>& referenced);
  // A source for `length` bytes of file `id` from `offset`; NotFound when the file is gone.
  Result<std::shared_ptr<protocol::http::BodySource>> OpenRange(uint64_t id, uint64_t offset,
                                                                uint64_t length);
  std::string PathOf(uint64_t id) const;

 private:
  std::string dir_;
  bool sync_;
};

// A source of `size` bytes that are never read (a HEAD reply's Content-Length).
std::shared_ptr<protocol::http::BodySource> LengthOnlySource(uint64_t size);

}  // namespace tidepool::s3

// Writes of object versions: a new current version (PUT, copy, multipart completion), the
// two kinds of DELETE (delete marker or one version for good), in-place rewrites (tags), and
// reads of one version. The key grammar of versions is in keyspace.h: the latest version in
// 'o', noncurrent ones in 'v'.
//
// Version ids: 32 lowercase hex digits, the version's seq (16) then a mix of the seq and the
// bucket's uid (16), so an id names its 'v' record directly and a guessed id rarely names
// any. "null" names the null version.
#include <boost/json.hpp>

#include <cstdio>

#include "services/s3/keyspace.h"
#include "services/s3/s3_errors.h"
#include "services/s3/s3_service.h"
#include "storage/key_codec.h"

namespace tidepool::s3 {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string FormatVersionId(uint64_t seq, uint64_t uid) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(seq),
                static_cast<unsigned long long>(Mix(seq ^ (uid * 0x9e3779b97f4a7c15ULL))));
  return buf;
}

// The seq a version id names; nullopt when it is not one of ours (or "null").
std::optional<uint64_t> ParseVersionId(std::string_view id, uint64_t uid) {
  if (id.size() != 32) return std::nullopt;
  uint64_t seq = 0;
  for (char c : id.substr(0, 16)) {
    int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (digit < 0) return std::nullopt;
    seq = seq << 4 | static_cast<uint64_t>(digit);
  }
  if (FormatVersionId(seq, uid) != id) return std::nullopt;
  return seq;
}

bool IsNullVersion(const ObjectRecord& r) { return r.version_id.empty() || r.version_id == "null"; }

Status InvalidVersionId() {
  return S3Status(S3Error::kInvalidArgument, "Invalid version id specified");
}

}  // namespace

std::string S3Service::NewVersionId(const Bucket& bucket, uint64_t seq) const {
  if (bucket.record.versioning == "Enabled") return FormatVersionId(seq, bucket.record.uid);
  if (bucket.record.versioning == "Suspended") return "null";
  return "";
}

void S3Service::WhenKeyFree(const std::shared_ptr<Bucket>& bucket, const std::string& key,
                            std::function<void()> write) {
  {
    std::lock_guard lock(bucket->mu);
    auto [it, inserted] = bucket->busy_keys.try_emplace(key);
    if (!inserted) {
      it->second.push_back(std::move(write));
      return;
    }
  }
  write();
}

void S3Service::ReleaseKey(const std::shared_ptr<Bucket>& bucket, const std::string& key) {
  std::function<void()> next;
  {
    std::lock_guard lock(bucket->mu);
    auto it = bucket->busy_keys.find(key);
    if (it == bucket->busy_keys.end()) return;
    if (it->second.empty()) {
      bucket->busy_keys.erase(it);
      return;
    }
    next = std::move(it->second.front());  // the key stays busy: its turn passes to `next`
    it->second.pop_front();
  }
  next();
}

Result<std::vector<std::pair<std::string, ObjectRecord>>> S3Service::ReadNoncurrent(
    uint64_t uid, std::string_view key) const {
  std::vector<std::pair<std::string, ObjectRecord>> versions;
  const std::string prefix = keyspace::VersionPrefix(uid, key);
  Status s = store_.Scan(prefix, storage::PrefixEnd(prefix),
                         [&](std::string_view store_key, std::string_view value) {
                           if (auto r = DecodeObject(value); r.ok()) {
                             versions.emplace_back(std::string(store_key), std::move(*r));
                           }
                           return true;
                         });
  if (!s.ok()) return s;
  return versions;
}

protocol::AwsError S3Service::ReadVersionError(const Bucket& bucket, std::string_view key,
                                               std::string_view version_id,
                                               const Status& status) const {
  protocol::AwsError error = ToAwsError(status);
  std::string marker_id;
  if (!version_id.empty() && error.code == "MethodNotAllowed") {
    marker_id = std::string(version_id);
  } else if (version_id.empty() && error.code == "NoSuchKey") {
    auto latest = ReadLatest(bucket.record.uid, key);
    if (!latest.ok() || !*latest || !(*latest)->delete_marker) return error;
    marker_id = std::string(VisibleVersionId(**latest));
  } else {
    return error;
  }
  error.extra_json = "\"x-amz-delete-marker\":\"true\",\"x-amz-version-id\":" +
                     boost::json::serialize(boost::json::value(marker_id));
  return error;
}

Result<ObjectRecord> S3Service::ReadVersion(const Bucket& bucket, std::string_view key,
                                            std::string_view version_id) const {
  if (version_id.empty()) return ReadObject(bucket, key);  // NoSuchKey for a delete marker
  const uint64_t uid = bucket.record.uid;
  const bool null_id = version_id == "null";
  std::optional<uint64_t> seq = ParseVersionId(version_id, uid);
  if (!null_id && !seq) return InvalidVersionId();
  auto no_such_version = [] {
    return S3Status(S3Error::kNoSuchVersion, "The specified version does not exist.");
  };
  auto found = [](ObjectRecord r) -> Result<ObjectRecord> {
    if (r.delete_marker) {
      return S3Status(S3Error::kMethodNotAllowed,
                      "The specified method is not allowed against this resource.");
    }
    return r;
  };
  // The latest version, delete marker included.
  auto latest = ReadLatest(uid, key);
  if (!latest.ok()) return latest.status();
  if (*latest && VisibleVersionId(**latest) == version_id) return found(std::move(**latest));
  if (seq) {
    auto value = store_.Get(keyspace::VersionKey(uid, key, *seq));
    if (!value.ok()) return value.status();
    if (!value->has_value()) return no_such_version();
    auto r = DecodeObject(**value);
    if (!r.ok()) return no_such_version();
    return found(std::move(*r));
  }
  auto versions = ReadNoncurrent(uid, key);
  if (!versions.ok()) return versions.status();
  for (auto& [store_key, r] : *versions) {
    if (IsNullVersion(r)) return found(std::move(r));
  }
  return no_such_version();
}

Result<std::optional<ObjectRecord>> S3Service::ReadLatest(uint64_t uid,
                                                          std::string_view key) const {
  auto value = store_.Get(keyspace::ObjectKey(uid, key));
  if (!value.ok()) return value.status();
  std::optional<ObjectRecord> latest;
  if (value->has_value()) {
    if (auto decoded = DecodeObject(**value); decoded.ok()) latest = std::move(*decoded);
  }
  return latest;
}

Status S3Service::RetireLatest(const Bucket& bucket, std::string_view key,
                               const std::optional<ObjectRecord>& old, KeyWrite* write) const {
  const std::string& versioning = bucket.record.versioning;
  const uint64_t uid = bucket.record.uid;
  if (old) {
    if (versioning == "Enabled" || (versioning == "Suspended" && !IsNullVersion(*old))) {
      ObjectRecord noncurrent = *old;
      noncurrent.noncurrent_since = static_cast<double>(clock_.NowMillis()) / 1000.0;
      write->batch.Put(keyspace::VersionKey(uid, key, old->seq), EncodeObject(noncurrent));
    } else if (old->file != write->new_file) {
      write->unreferenced.push_back(old->file);
    }
  }
  if (versioning != "Suspended") return Status::Ok();
  auto versions = ReadNoncurrent(uid, key);
  if (!versions.ok()) return versions.status();
  for (const auto& [version_key, r] : *versions) {
    if (!IsNullVersion(r)) continue;
    write->batch.Delete(version_key);
    write->unreferenced.push_back(r.file);
  }
  return Status::Ok();
}

void S3Service::SubmitKeyWrite(std::unique_lock<std::mutex>& lock,
                               const std::shared_ptr<Bucket>& bucket, const std::string& key,
                               KeyWrite write, std::function<void(Status)> done) {
  storage::WriteBatch batch = std::move(write.batch);
  auto completion = [this, bucket, key, write = std::move(write), done](const Status& st) mutable {
    if (st.ok()) {
      for (uint64_t f : write.unreferenced) bodies_.Remove(f);
    } else {
      bodies_.Remove(write.new_file);
    }
    ReleaseKey(bucket, key);
    done(st);
    if (st.ok()) Deliver(std::move(write.events));
  };
  // Submit never runs the completion inline; when it refuses, it drops it unrun.
  const uint64_t new_file = write.new_file;
  Status st = commits_.Submit(std::move(batch), std::move(completion));
  lock.unlock();
  if (!st.ok()) {
    bodies_.Remove(new_file);
    ReleaseKey(bucket, key);
    done(st);
  }
}

void S3Service::CommitObject(const std::shared_ptr<Bucket>& bucket, std::string key,
                             ObjectRecord record, Precondition precondition, std::string event,
                             protocol::RequestContext context, WriteDone done,
                             storage::WriteBatch extra) {
  auto write = [this, bucket, key, record = std::move(record),
                precondition = std::move(precondition), event = std::move(event),
                context = std::move(context), done = std::move(done),
                extra = std::move(extra)]() mutable {
    KeyWrite w;
    w.new_file = record.file;
    w.batch = std::move(extra);
    auto fail = [&](const Status& s) {
      bodies_.Remove(w.new_file);
      ReleaseKey(bucket, key);
      done(s, "");
    };
    std::unique_lock lock(bucket->mu);
    auto old = ReadLatest(bucket->record.uid, key);
    if (!old.ok()) return lock.unlock(), fail(old.status());
    if (precondition) {
      const ObjectRecord* visible = *old && !(*old)->delete_marker ? &**old : nullptr;
      if (Status s = precondition(visible); !s.ok()) return lock.unlock(), fail(s);
    }
    record.seq = next_seq_.fetch_add(1);
    record.version_id = NewVersionId(*bucket, record.seq);
    if (Status s = RetireLatest(*bucket, key, *old, &w); !s.ok()) {
      return lock.unlock(), fail(s);
    }
    if (!event.empty()) w.events = StageEvent(*bucket, event, key, record, context, &w.batch);
    w.batch.Put(keyspace::ObjectKey(bucket->record.uid, key), EncodeObject(record));
    SubmitKeyWrite(
        lock, bucket, key, std::move(w),
        [done, version_id = record.version_id](Status st) { done(st, st.ok() ? version_id : ""); });
  };
  WhenKeyFree(bucket, key, std::move(write));
}

void S3Service::DeleteKey(const std::shared_ptr<Bucket>& bucket, std::string key,
                          Precondition precondition, std::string events,
                          protocol::RequestContext context, DeleteDone done) {
  auto write = [this, bucket, key, precondition = std::move(precondition),
                events = std::move(events), context = std::move(context),
                done = std::move(done)]() mutable {
    auto finish = [&](const Status& s) {
      ReleaseKey(bucket, key);
      done(s, {});
    };
    std::unique_lock lock(bucket->mu);
    auto old = ReadLatest(bucket->record.uid, key);
    if (!old.ok()) return lock.unlock(), finish(old.status());
    if (precondition) {
      const ObjectRecord* visible = *old && !(*old)->delete_marker ? &**old : nullptr;
      if (Status s = precondition(visible); !s.ok()) return lock.unlock(), finish(s);
    }
    const std::string store_key = keyspace::ObjectKey(bucket->record.uid, key);
    KeyWrite w;
    Deleted deleted;
    if (bucket->record.versioning.empty()) {
      // Deleting a missing key succeeds, as on AWS.
      if (!*old) return lock.unlock(), finish(Status::Ok());
      w.batch.Delete(store_key);
      w.unreferenced.push_back((*old)->file);
      w.events = StageEvent(*bucket, events + ":Delete", key, **old, context, &w.batch);
    } else {
      ObjectRecord marker;
      marker.delete_marker = true;
      marker.mtime = static_cast<double>(clock_.NowMillis()) / 1000.0;
      marker.seq = next_seq_.fetch_add(1);
      marker.version_id = NewVersionId(*bucket, marker.seq);
      if (Status s = RetireLatest(*bucket, key, *old, &w); !s.ok()) {
        return lock.unlock(), finish(s);
      }
      w.batch.Put(store_key, EncodeObject(marker));
      w.events =
          StageEvent(*bucket, events + ":DeleteMarkerCreated", key, marker, context, &w.batch);
      deleted = {marker.version_id, true};
    }
    SubmitKeyWrite(lock, bucket, key, std::move(w),
                   [done, deleted](Status st) { done(st, st.ok() ? deleted : Deleted{}); });
  };
  WhenKeyFree(bucket, key, std::move(write));
}

void S3Service::DeleteVersion(const std::shared_ptr<Bucket>& bucket, std::string key,
                              std::string version_id, std::string events,
                              protocol::RequestContext context, DeleteDone done) {
  if (version_id != "null" && !ParseVersionId(version_id, bucket->record.uid)) {
    return done(InvalidVersionId(), {});
  }
  auto write = [this, bucket, key, version_id, events = std::move(events),
                context = std::move(context), done = std::move(done)]() mutable {
    auto finish = [&](const Status& s) {
      ReleaseKey(bucket, key);
      // Deleting what does not exist succeeds, as on AWS.
      done(s, s.ok() ? Deleted{version_id, false} : Deleted{});
    };
    std::unique_lock lock(bucket->mu);
    const uint64_t uid = bucket->record.uid;
    auto latest = ReadLatest(uid, key);
    if (!latest.ok()) return lock.unlock(), finish(latest.status());
    if (!*latest) return lock.unlock(), finish(Status::Ok());
    auto versions = ReadNoncurrent(uid, key);
    if (!versions.ok()) return lock.unlock(), finish(versions.status());
    KeyWrite w;
    std::optional<ObjectRecord> removed;
    if (VisibleVersionId(**latest) == version_id) {
      removed = std::move(**latest);
      const std::string store_key = keyspace::ObjectKey(uid, key);
      if (versions->empty()) {
        w.batch.Delete(store_key);
      } else {  // the newest noncurrent version becomes the latest
        w.batch.Delete(versions->front().first);
        w.batch.Put(store_key, EncodeObject(versions->front().second));
      }
    } else {
      for (auto& [version_key, r] : *versions) {
        if (VisibleVersionId(r) != version_id) continue;
        w.batch.Delete(version_key);
        removed = std::move(r);
        break;
      }
    }
    if (!removed) return lock.unlock(), finish(Status::Ok());
    const Deleted deleted{version_id, removed->delete_marker};
    if (!removed->delete_marker) {
      w.events = StageEvent(*bucket, events + ":Delete", key, *removed, context, &w.batch);
    }
    w.unreferenced.push_back(removed->file);
    SubmitKeyWrite(lock, bucket, key, std::move(w),
                   [done, deleted](Status st) { done(st, st.ok() ? deleted : Deleted{}); });
  };
  WhenKeyFree(bucket, key, std::move(write));
}

void S3Service::RewriteVersion(const std::shared_ptr<Bucket>& bucket, std::string key,
                               std::string version_id, std::function<Status(ObjectRecord*)> change,
                               std::string event, protocol::RequestContext context,
                               std::function<void(Status)> done) {
  auto write = [this, bucket, key, version_id, change = std::move(change), event = std::move(event),
                context = std::move(context), done = std::move(done)]() mutable {
    auto finish = [&](const Status& s) {
      ReleaseKey(bucket, key);
      done(s);
    };
    std::unique_lock lock(bucket->mu);
    auto record = ReadVersion(*bucket, key, version_id);
    if (!record.ok()) return lock.unlock(), finish(record.status());
    if (Status s = change(&*record); !s.ok()) return lock.unlock(), finish(s);
    const uint64_t uid = bucket->record.uid;
    // Where the version lives: 'o' while it is the latest, else its 'v' record.
    std::string store_key = keyspace::ObjectKey(uid, key);
    if (auto latest = store_.Get(store_key); latest.ok() && latest->has_value()) {
      auto decoded = DecodeObject(**latest);
      if (!decoded.ok() || decoded->seq != record->seq ||
          VisibleVersionId(*decoded) != VisibleVersionId(*record)) {
        store_key = keyspace::VersionKey(uid, key, record->seq);
      }
    }
    KeyWrite w;
    w.batch.Put(store_key, EncodeObject(*record));
    if (!event.empty()) w.events = StageEvent(*bucket, event, key, *record, context, &w.batch);
    SubmitKeyWrite(lock, bucket, key, std::move(w), done);
  };
  WhenKeyFree(bucket, key, std::move(write));
}

}  // namespace tidepool::s3

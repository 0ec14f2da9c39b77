#include "protocol/http/push_body.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace tidepool::protocol::http {

bool PushBody::Push(std::string_view bytes) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (ended_ || abandoned_) return false;
    if (offset_ == buffer_.size()) {
      buffer_.clear();
      offset_ = 0;
    }
    buffer_.append(bytes);
    if (reader_waiting_) {
      reader_waiting_ = false;
      wake = wakeup_;
    }
  }
  if (wake) wake();
  return true;
}

void PushBody::End() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    ended_ = true;
    if (reader_waiting_) {
      reader_waiting_ = false;
      wake = wakeup_;
    }
  }
  if (wake) wake();
}

bool PushBody::abandoned() const {
  std::lock_guard lock(mu_);
  return abandoned_;
}

size_t PushBody::buffered() const {
  std::lock_guard lock(mu_);
  return buffer_.size() - offset_;
}

void PushBody::OnAbandoned(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    if (!abandoned_) {
      on_abandoned_ = std::move(fn);
      return;
    }
  }
  fn();
}

int64_t PushBody::Read(char* buffer, size_t capacity) {
  std::lock_guard lock(mu_);
  const size_t available = buffer_.size() - offset_;
  if (available == 0) {
    if (ended_) return 0;
    reader_waiting_ = true;
    return kPending;
  }
  const size_t n = std::min(available, capacity);
  std::memcpy(buffer, buffer_.data() + offset_, n);
  offset_ += n;
  return static_cast<int64_t>(n);
}

void PushBody::SetWakeup(std::function<void()> wakeup) {
  std::lock_guard lock(mu_);
  wakeup_ = std::move(wakeup);
}

void PushBody::Abandon() {
  std::function<void()> fn;
  {
    std::lock_guard lock(mu_);
    if (abandoned_) return;
    abandoned_ = true;
    buffer_.clear();
    offset_ = 0;
    wakeup_ = nullptr;
    fn = std::move(on_abandoned_);
  }
  if (fn) fn();
}

}  // namespace tidepool::protocol::http

// A response body produced over time, of no length known in advance (an event stream: Kinesis
// SubscribeToShard). The producer pushes bytes from any thread and ends the body; the
// connection reads what is buffered and is woken when more arrives. HTTP/2 sends it as DATA
// frames until the end; HTTP/1.1 as chunks (Transfer-Encoding: chunked), each as soon as it is
// pushed; HTTP/1.0 without Content-Length, closing the connection after it.
//
// Thread-safety: every member may be called from any thread. The wakeup and the abandon
// callback run without the lock held, on the thread that caused them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "protocol/http/responder.h"

namespace tidepool::protocol::http {

class PushBody final : public BodySource {
 public:
  // What Read returns while nothing is buffered and the body has not ended.
  static constexpr int64_t kPending = -2;
  // What size() returns: the length is not known.
  static constexpr uint64_t kUnknownSize = UINT64_MAX;

  // --- the producer
  // Appends `bytes`; false (and drops them) once the body ended or its reader went away.
  bool Push(std::string_view bytes);
  // No more bytes: the reader sees the end once it has read what is buffered.
  void End();
  // Whether the reader went away (the client reset the stream or closed the connection).
  bool abandoned() const;
  // Bytes pushed and not read yet (a producer ahead of a slow client may wait on this).
  size_t buffered() const;
  // `fn` runs once when the reader goes away (at once if it already has).
  void OnAbandoned(std::function<void()> fn);

  // --- the reader (the connection)
  uint64_t size() const override { return kUnknownSize; }
  // Up to `capacity` buffered bytes; 0 at the end; kPending when there are none yet (the
  // wakeup then runs once more bytes or the end arrive).
  int64_t Read(char* buffer, size_t capacity) override;
  void SetWakeup(std::function<void()> wakeup);
  // The reader goes away: later pushes are refused and the abandon callback runs.
  void Abandon();

 private:
  mutable std::mutex mu_;
  std::string buffer_;  // pushed bytes; those before offset_ are read
  size_t offset_ = 0;
  bool ended_ = false;
  bool abandoned_ = false;
  bool reader_waiting_ = false;  // the last Read returned kPending
  std::function<void()> wakeup_;
  std::function<void()> on_abandoned_;
};

}  // namespace tidepool::protocol::http

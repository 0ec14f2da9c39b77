// Running an io_context with a short busy-poll: after handlers ran, a thread keeps polling
// for more work for a bounded time before it sleeps in the reactor again. A request/reply
// exchange wakes the other side's sleeping thread at every hop, and that wake-up (an
// interrupt, a scheduler pass; on a virtual machine a VM exit) costs more than the request
// itself; a thread still polling when the next event arrives takes it at once. Once work
// stops for longer than the window the thread sleeps, so an idle process stays idle.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace tidepool::protocol::http {

// Runs `io` on the calling thread until it is stopped, polling for up to `spin` after each
// burst of handlers before blocking. `spin` of zero is io.run(). Thread-safe as io.run() is.
void RunWithSpin(boost::asio::io_context& io, std::chrono::microseconds spin);

}  // namespace tidepool::protocol::http

// Host steal time: the share of CPU time the hypervisor gave to other guests while a
// scenario ran. On a shared VM it is the largest source of run-to-run variance (this
// project's 2-core VM has shown 0-25%), so every figure is printed next to it.
#pragma once

#include <cstdint>
#include <optional>

namespace tidepool::bench {

// Cumulative ticks of all CPUs, from the aggregate "cpu" line of /proc/stat.
struct CpuTicks {
  uint64_t total = 0;  // every state, steal included
  uint64_t steal = 0;
};

// Nullopt where /proc/stat is missing or has no steal field (not Linux, or an old kernel).
std::optional<CpuTicks> ReadCpuTicks();

// Percent of the ticks between `before` and `after` that were stolen; -1 when unknown.
double StealPercent(const std::optional<CpuTicks>& before, const std::optional<CpuTicks>& after);

}  // namespace tidepool::bench

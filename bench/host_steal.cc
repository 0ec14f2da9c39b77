#include "host_steal.h"

#include <fstream>
#include <sstream>
#include <string>

namespace tidepool::bench {

std::optional<CpuTicks> ReadCpuTicks() {
  std::ifstream in("/proc/stat");
  std::string line;
  if (!std::getline(in, line) || line.rfind("cpu ", 0) != 0) return std::nullopt;
  std::istringstream fields(line.substr(4));
  // user nice system idle iowait irq softirq steal [guest guest_nice]; guest time is also
  // counted in user, so only the first eight make up the total.
  uint64_t value = 0;
  CpuTicks ticks;
  int n = 0;
  for (; n < 8 && fields >> value; ++n) {
    ticks.total += value;
    if (n == 7) ticks.steal = value;
  }
  if (n < 8) return std::nullopt;
  return ticks;
}

double StealPercent(const std::optional<CpuTicks>& before, const std::optional<CpuTicks>& after) {
  if (!before || !after || after->total <= before->total || after->steal < before->steal) {
    return -1;
  }
  return 100.0 * static_cast<double>(after->steal - before->steal) /
         static_cast<double>(after->total - before->total);
}

}  // namespace tidepool::bench

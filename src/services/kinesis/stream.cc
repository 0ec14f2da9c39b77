#include "services/kinesis/stream.h"

#include <algorithm>

#include <fmt/format.h>

namespace tidepool::kinesis {

Stream::Stream(uint64_t uid_in, std::string account_in, std::string region_in, std::string name_in)
    : uid(uid_in),
      account(std::move(account_in)),
      region(std::move(region_in)),
      name(std::move(name_in)),
      arn(fmt::format("arn:aws:kinesis:{}:{}:stream/{}", region, account, name)) {}

void Stream::RebuildOpenShards() {
  open_shards.clear();
  for (auto& shard : shards) {
    if (shard->open()) open_shards.push_back(shard.get());
  }
  std::sort(open_shards.begin(), open_shards.end(),
            [](const Shard* a, const Shard* b) { return a->start_hash < b->start_hash; });
}

Shard* Stream::Route(HashKey hash) const {
  // The last open shard starting at or below `hash`.
  auto it = std::upper_bound(open_shards.begin(), open_shards.end(), hash,
                             [](HashKey h, const Shard* s) { return h < s->start_hash; });
  if (it == open_shards.begin()) return open_shards.empty() ? nullptr : open_shards.front();
  return *(it - 1);
}

std::string Stream::ConsumerArn(const Consumer& c) const {
  return fmt::format("{}/consumer/{}:{}", arn, c.name, c.created_micros / 1'000'000);
}

std::string ShardIdOf(uint32_t index) {
  std::string id = "shardId-000000000000";  // 12 digits, as AWS writes them
  for (size_t pos = id.size(); index != 0 && pos > 8; index /= 10) {
    id[--pos] = static_cast<char>('0' + index % 10);
  }
  return id;
}

std::optional<uint32_t> ParseShardId(std::string_view text) {
  const auto dash = text.find('-');
  std::string_view digits = dash == std::string_view::npos ? text : text.substr(dash + 1);
  const auto next_dash = digits.find('-');
  if (next_dash != std::string_view::npos) digits = digits.substr(0, next_dash);
  if (digits.empty() || digits.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > 2147483647) return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

}  // namespace tidepool::kinesis

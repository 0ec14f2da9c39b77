// Options of the SNS service (set by `tidepool serve` flags, and by tests).
#pragma once

#include <cstddef>
#include <string>

namespace tidepool::sns {

struct SnsOptions {
  // Base of the URLs written into messages (SubscribeURL, UnsubscribeURL, SigningCertURL
  // host part) when the request did not name a Host: "http://localhost:4566".
  std::string public_endpoint = "http://localhost:4566";
  // Per account and region (AWS defaults).
  size_t topic_limit = 100'000;
  size_t subscriptions_per_topic_limit = 12'500'000;
  size_t filter_policies_per_topic_limit = 200;
};

}  // namespace tidepool::sns

// Options of the SQS service (set by `tidepool serve` flags, and by tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tidepool::sqs {

struct SqsOptions {
  // Host (and port) put in queue URLs when the request carried no Host header.
  std::string default_host = "localhost:4566";
  // Queues of this region have AWS's path in their URLs (/<account>/<name>); queues of other
  // regions have /queue/<region>/<account>/<name>, so that one name in two regions gives two
  // URLs. (`tidepool serve --region`.)
  std::string default_region = "us-east-1";

  // After DeleteQueue, CreateQueue of the same name fails with QueueDeletedRecently for this
  // long (AWS: 60 s). 0 (the default) lets tests re-create queues at once.
  std::chrono::seconds queue_deleted_recently{0};

  // A second PurgeQueue within this interval fails with PurgeQueueInProgress (AWS: 60 s).
  std::chrono::seconds purge_interval{60};

  // Message bodies (and attributes) kept in memory, all queues together, in bytes. Messages
  // beyond the cap keep only their index entry in memory; their payload is read from the
  // store when received. `tidepool serve` sets 0 in memory mode, where the store is memory.
  uint64_t payload_cache_bytes = 256ull << 20;

  // How often expired messages (older than their queue's MessageRetentionPeriod) are
  // deleted. They are never delivered once expired, whether swept yet or not. 0 disables
  // the timer.
  std::chrono::milliseconds retention_sweep_interval{std::chrono::seconds(60)};

  // Messages one queue may have in flight (received, not deleted, visibility timeout not over);
  // AWS: about 120,000 for standard and FIFO queues. At the limit a short poll of a standard
  // queue fails with OverLimit; long polls and FIFO queues get no more messages, as on AWS.
  size_t max_inflight_messages = 120'000;

  // Message move tasks move messages in steps this far apart (rate-limited by their
  // MaxNumberOfMessagesPerSecond; unlimited tasks move at default_move_rate).
  std::chrono::milliseconds move_task_step{100};
  int32_t default_move_rate = 500;
  // Visibility timeouts (ReceiveMessage, ChangeMessageVisibility, the queue's) last this many
  // times their seconds (--time-scale, for tests); the values reported stay as given.
  double time_scale = 1.0;
};

}  // namespace tidepool::sqs

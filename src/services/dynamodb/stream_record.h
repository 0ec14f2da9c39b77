// StreamRecord: one item change in a table's stream, as stored (keyspace 's').
//
//   StreamRecord := flags:u8 created_micros:u64be keys:Image new:Image old:Image
//   flags        := event (bits 0-1: a StreamEvent) | 0x80 when TTL expiry deleted the item
//   Image        := 0x00 | 0x01 len:u32be Item        (absent | attribute_value.h binary item)
//
// `event` is a StreamEvent. Which images are present follows the stream's view type at the
// time of the write. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "services/dynamodb/table.h"

namespace tidepool::dynamodb {

struct StreamRecord {
  StreamEvent event = StreamEvent::kInsert;
  bool by_ttl = false;  // a REMOVE by the TTL sweeper (userIdentity: the DynamoDB service)
  int64_t created_micros = 0;
  json::object keys;
  std::optional<json::object> new_image, old_image;
};

std::string EncodeStreamRecord(const StreamRecord& record);
std::optional<StreamRecord> DecodeStreamRecord(std::string_view bytes);

}  // namespace tidepool::dynamodb

// Fuzzes the decoders of DynamoDB's stored records: items (attribute_value.h binary form),
// stream records (stream_record.h), number keys (decimal.h) and table metadata (table.h). They
// read what tidepool wrote, but a damaged data dir must give an error, never a crash. The first
// byte picks the decoder; the rest is the record. Whatever decodes must re-encode to bytes
// that decode to the same encoding.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/decimal.h"
#include "services/dynamodb/stream_record.h"
#include "services/dynamodb/table.h"

namespace dynamodb = tidepool::dynamodb;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t which = data[0] % 4;
  std::string_view record(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (which) {
    case 0: {
      auto item = dynamodb::DecodeItem(record);
      if (!item) break;
      (void)dynamodb::ItemSize(*item);
      const std::string once = dynamodb::EncodeItem(*item);
      auto back = dynamodb::DecodeItem(once);
      if (!back || dynamodb::EncodeItem(*back) != once) std::abort();
      break;
    }
    case 1: {
      auto r = dynamodb::DecodeStreamRecord(record);
      if (!r) break;
      const std::string once = dynamodb::EncodeStreamRecord(*r);
      auto back = dynamodb::DecodeStreamRecord(once);
      if (!back || dynamodb::EncodeStreamRecord(*back) != once) std::abort();
      break;
    }
    case 2: {
      std::string_view in = record;
      dynamodb::Decimal d;
      if (!dynamodb::Decimal::ReadKey(&in, &d)) break;
      std::string key;
      d.AppendKey(&key);
      auto parsed = dynamodb::Decimal::Parse(d.ToString());
      if (!parsed.ok() || dynamodb::Decimal::Compare(*parsed, d) != 0) std::abort();
      break;
    }
    default: {
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(record, ec);
      if (ec || !v.is_object()) break;
      dynamodb::Table t;
      if (!dynamodb::Table::FromJson(v.get_object(), &t).ok()) break;
      (void)t.Describe();
      break;
    }
  }
  return 0;
}

// Apache Parquet reader (see the header for the grammar and what is supported).
#include "services/stepfunctions/asl/parquet_reader.h"

#include <fmt/format.h>
#include <snappy.h>
#include <zstd.h>

#include <boost/json.hpp>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "services/stepfunctions/asl/distributed_map.h"
#include "services/stepfunctions/asl/thrift_compact.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;
using thrift::Field;
using thrift::Int;
using thrift::TValue;

namespace {

Status Bad(std::string message) { return Status::InvalidArgument(std::move(message)); }

// The largest page or file section inflated (as for S3 Inventory data files), and the most
// values one page may hold (what bounds the expansion of RLE runs).
constexpr uint64_t kMaxPageBytes = 512ull << 20;
constexpr size_t kMaxPageValues = size_t{1} << 24;

// ---- Columns ----

enum PhysicalType { kBoolean, kInt32, kInt64, kInt96, kFloat, kDouble, kByteArray, kFixed };

struct Column {
  std::string name;
  int64_t type = 0;
  int64_t type_length = 0;
  bool optional = false;
  int64_t converted = -1;  // ConvertedType, -1 when absent
  std::string logical;     // LogicalType union member: "DATE", "TIMESTAMP", "DECIMAL"...
  int64_t time_unit = 0;   // TIMESTAMP: 1 millis, 2 micros, 3 nanos
  int64_t scale = 0;       // DECIMAL
};

std::string IsoDate(int64_t days) {
  // Civil from days (Howard Hinnant's algorithm).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return fmt::format("{:04}-{:02}-{:02}", y + (m <= 2), m, d);
}

// "YYYY-MM-DDTHH:MM:SS.mmmZ" of day `days` (since 1970-01-01) plus `units` of the day in
// 1/`per_second` seconds, 0 <= units < 86400 * per_second.
std::string IsoDayTime(int64_t days, int64_t units, int64_t per_second) {
  const int64_t secs = units / per_second, frac = units % per_second;
  return fmt::format("{}T{:02}:{:02}:{:02}.{:03}Z", IsoDate(days), secs / 3600, secs / 60 % 60,
                     secs % 60, frac * 1000 / per_second);
}

std::string IsoTimestamp(int64_t units, int64_t per_second) {
  const int64_t per_day = 86400 * per_second;
  int64_t days = units / per_day, rest = units % per_day;
  if (rest < 0) {
    rest += per_day;
    --days;
  }
  return IsoDayTime(days, rest, per_second);
}

json::value Convert(const Column& c, int64_t i) {
  if ((c.logical == "DATE" || c.converted == 6) && c.type == kInt32) {
    return json::string(IsoDate(i));
  }
  if (c.logical == "TIMESTAMP") {
    int64_t per = c.time_unit == 1 ? 1000 : c.time_unit == 2 ? 1000000 : 1000000000;
    return json::string(IsoTimestamp(i, per));
  }
  if (c.converted == 9) return json::string(IsoTimestamp(i, 1000));
  if (c.converted == 10) return json::string(IsoTimestamp(i, 1000000));
  if (c.logical == "DECIMAL" || c.converted == 5) {
    return static_cast<double>(i) / std::pow(10.0, static_cast<double>(c.scale));
  }
  return i;
}

// A little-endian reader over a page's decoded bytes.
struct Cursor {
  std::string_view data;
  size_t pos = 0;
  bool Take(size_t n, std::string_view* out) {
    if (n > data.size() - pos) return false;
    *out = data.substr(pos, n);
    pos += n;
    return true;
  }
};

uint64_t Le(std::string_view b) {
  uint64_t v = 0;
  for (size_t k = 0; k < b.size() && k < 8; ++k) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(b[k])) << (8 * k);
  }
  return v;
}

// The RLE / bit-packed hybrid encoding of `count` values of `bit_width` bits.
Result<std::vector<uint32_t>> DecodeHybrid(std::string_view data, int bit_width, size_t count) {
  if (bit_width < 0 || bit_width > 32) return Bad("Parquet levels have a bad bit width");
  std::vector<uint32_t> out;
  out.reserve(std::min<size_t>(count, data.size() * 8 + 8));
  size_t pos = 0;
  const size_t value_bytes = (static_cast<size_t>(bit_width) + 7) / 8;
  while (out.size() < count) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (pos >= data.size() || shift > 35) return Bad("Parquet RLE data ends early");
      uint8_t b = static_cast<uint8_t>(data[pos++]);
      header |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
    }
    if (header & 1) {
      const size_t values = (header >> 1) * 8;
      const size_t bytes = (header >> 1) * static_cast<size_t>(bit_width);
      if (bytes > data.size() - pos) return Bad("Parquet bit-packed data ends early");
      for (size_t k = 0; k < values && out.size() < count; ++k) {
        uint64_t v = 0;
        for (int bit = 0; bit < bit_width; ++bit) {
          size_t at = k * static_cast<size_t>(bit_width) + static_cast<size_t>(bit);
          v |= static_cast<uint64_t>((static_cast<uint8_t>(data[pos + at / 8]) >> (at % 8)) & 1)
               << bit;
        }
        out.push_back(static_cast<uint32_t>(v));
      }
      pos += bytes;
    } else {
      const uint64_t run = header >> 1;
      if (value_bytes > data.size() - pos) return Bad("Parquet RLE data ends early");
      uint32_t v = static_cast<uint32_t>(Le(data.substr(pos, value_bytes)));
      pos += value_bytes;
      if (run == 0) return Bad("Parquet RLE data has an empty run");
      for (uint64_t k = 0; k < run && out.size() < count; ++k) out.push_back(v);
    }
  }
  return out;
}

// `count` PLAIN values of column `c` from `cur`.
Result<std::vector<json::value>> DecodePlain(const Column& c, Cursor& cur, size_t count) {
  std::vector<json::value> out;
  std::string_view b;
  for (size_t k = 0; k < count; ++k) {
    switch (c.type) {
      case kBoolean: {  // bit-packed from cur.pos, least significant bit first
        const size_t byte = cur.pos + k / 8;
        if (byte >= cur.data.size()) return Bad("Parquet page ends early");
        out.emplace_back(((static_cast<uint8_t>(cur.data[byte]) >> (k % 8)) & 1) != 0);
        break;
      }
      case kInt32:
        if (!cur.Take(4, &b)) return Bad("Parquet page ends early");
        out.push_back(Convert(c, static_cast<int32_t>(Le(b))));
        break;
      case kInt64:
        if (!cur.Take(8, &b)) return Bad("Parquet page ends early");
        out.push_back(Convert(c, static_cast<int64_t>(Le(b))));
        break;
      case kInt96: {
        if (!cur.Take(12, &b)) return Bad("Parquet page ends early");
        const auto nanos = static_cast<int64_t>(Le(b.substr(0, 8)));
        const auto julian = static_cast<int64_t>(static_cast<uint32_t>(Le(b.substr(8, 4))));
        constexpr int64_t kNanosPerDay = 86400000000000;
        int64_t days = julian - 2440588 + nanos / kNanosPerDay;  // 2440588: 1970-01-01
        int64_t rest = nanos % kNanosPerDay;
        if (rest < 0) {
          rest += kNanosPerDay;
          --days;
        }
        out.emplace_back(IsoDayTime(days, rest, 1000000000));
        break;
      }
      case kFloat: {
        if (!cur.Take(4, &b)) return Bad("Parquet page ends early");
        float f;
        std::memcpy(&f, b.data(), 4);
        out.push_back(std::isfinite(f) ? json::value(static_cast<double>(f)) : json::value());
        break;
      }
      case kDouble: {
        if (!cur.Take(8, &b)) return Bad("Parquet page ends early");
        double d;
        std::memcpy(&d, b.data(), 8);
        out.push_back(std::isfinite(d) ? json::value(d) : json::value());
        break;
      }
      case kByteArray: {
        if (!cur.Take(4, &b)) return Bad("Parquet page ends early");
        const uint64_t n = Le(b);
        if (!cur.Take(n, &b)) return Bad("Parquet page ends early");
        out.emplace_back(json::string(b));
        break;
      }
      case kFixed:
        if (c.type_length < 0 || !cur.Take(static_cast<size_t>(c.type_length), &b)) {
          return Bad("Parquet page ends early");
        }
        out.emplace_back(json::string(b));
        break;
      default:
        return Bad(fmt::format("Parquet column '{}' has an unknown type {}", c.name, c.type));
    }
  }
  if (c.type == kBoolean) cur.pos += (count + 7) / 8;
  return out;
}

Result<std::string> Decompress(int64_t codec, std::string_view data, int64_t uncompressed) {
  if (uncompressed < 0 || static_cast<uint64_t>(uncompressed) > kMaxPageBytes) {
    return Bad("A Parquet page is larger than 512 MiB");
  }
  switch (codec) {
    case 0:
      return std::string(data);
    case 1: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(data.data(), data.size(), &n) || n > kMaxPageBytes) {
        return Bad("A Parquet page is not valid Snappy");
      }
      std::string out;
      if (!snappy::Uncompress(data.data(), data.size(), &out)) {
        return Bad("A Parquet page is not valid Snappy");
      }
      return out;
    }
    case 2: {
      if (data.size() < 2) return Bad("A Parquet page is not valid gzip");
      return MaybeGunzip(data);
    }
    case 6: {
      std::string out(static_cast<size_t>(uncompressed), '\0');
      size_t n = ZSTD_decompress(out.data(), out.size(), data.data(), data.size());
      if (ZSTD_isError(n)) return Bad("A Parquet page is not valid ZSTD");
      out.resize(n);
      return out;
    }
    default: {
      static constexpr std::string_view kNames[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                                    "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
      std::string_view name = codec >= 0 && codec < 8 ? kNames[codec] : "unknown";
      return Bad(fmt::format("Parquet compression codec {} is not supported", name));
    }
  }
}

// The values of one column chunk, nulls included, at most `limit`.
Result<std::vector<json::value>> ReadChunk(std::string_view file, const Column& c,
                                           const TValue& meta, size_t limit) {
  const int64_t codec = Int(meta, 4, 0);
  const int64_t num_values = Int(meta, 5, 0);
  int64_t offset = Int(meta, 9, 0);
  if (const TValue* dict = Field(meta, 11); dict && dict->i > 0 && dict->i < offset) {
    offset = dict->i;
  }
  if (offset < 4 || static_cast<uint64_t>(offset) >= file.size()) {
    return Bad(fmt::format("Parquet column '{}' has a bad page offset", c.name));
  }
  std::vector<json::value> dictionary;
  std::vector<json::value> out;
  size_t pos = static_cast<size_t>(offset);
  const size_t want =
      std::min<size_t>(static_cast<size_t>(std::max<int64_t>(num_values, 0)), limit);
  while (out.size() < want) {
    if (pos >= file.size()) return Bad(fmt::format("Parquet column '{}' ends early", c.name));
    size_t header_size = 0;
    auto header = thrift::ReadStruct(file.substr(pos), &header_size);
    if (!header.ok()) return header.status();
    pos += header_size;
    const int64_t page_type = Int(*header, 1, -1);
    const int64_t uncompressed = Int(*header, 2, 0);
    const int64_t compressed = Int(*header, 3, -1);
    if (compressed < 0 || static_cast<uint64_t>(compressed) > file.size() - pos) {
      return Bad(fmt::format("Parquet column '{}' has a page past the file's end", c.name));
    }
    std::string_view body = file.substr(pos, static_cast<size_t>(compressed));
    pos += static_cast<size_t>(compressed);
    if (page_type == 2) {  // DICTIONARY_PAGE
      const TValue* dh = Field(*header, 7);
      if (!dh) return Bad("A Parquet dictionary page has no header");
      auto plain = Decompress(codec, body, uncompressed);
      if (!plain.ok()) return plain.status();
      Cursor cur{*plain};
      auto values = DecodePlain(c, cur, static_cast<size_t>(std::max<int64_t>(Int(*dh, 1, 0), 0)));
      if (!values.ok()) return values.status();
      dictionary = std::move(*values);
      continue;
    }
    if (page_type != 0 && page_type != 3) continue;  // index pages
    const bool v2 = page_type == 3;
    const TValue* dh = Field(*header, v2 ? 8 : 5);
    if (!dh) return Bad("A Parquet data page has no header");
    const auto count = static_cast<size_t>(std::max<int64_t>(Int(*dh, 1, 0), 0));
    if (count > kMaxPageValues) {
      return Bad(fmt::format("A Parquet page of column '{}' holds more than {} values", c.name,
                             kMaxPageValues));
    }
    const int64_t encoding = Int(*dh, v2 ? 4 : 2, 0);
    std::string page;
    std::string_view levels;
    Cursor cur;
    if (v2) {
      const int64_t def_len = Int(*dh, 5, 0), rep_len = Int(*dh, 6, 0);
      if (def_len < 0 || rep_len < 0 || static_cast<uint64_t>(def_len + rep_len) > body.size()) {
        return Bad("A Parquet v2 data page has bad level lengths");
      }
      if (rep_len > 0) return Bad("Parquet repeated columns are not supported");
      levels = body.substr(0, static_cast<size_t>(def_len));
      std::string_view values = body.substr(static_cast<size_t>(def_len));
      if (Int(*dh, 7, 1) != 0) {
        auto plain = Decompress(codec, values, uncompressed - def_len);
        if (!plain.ok()) return plain.status();
        page = std::move(*plain);
      } else {
        page = std::string(values);
      }
      cur.data = page;
    } else {
      auto plain = Decompress(codec, body, uncompressed);
      if (!plain.ok()) return plain.status();
      page = std::move(*plain);
      cur.data = page;
      if (c.optional) {
        std::string_view len;
        if (!cur.Take(4, &len) || !cur.Take(Le(len), &levels)) {
          return Bad("A Parquet data page ends in its levels");
        }
      }
    }
    std::vector<uint32_t> defs;
    size_t present = count;
    if (c.optional) {
      auto d = DecodeHybrid(levels, 1, count);
      if (!d.ok()) return d.status();
      defs = std::move(*d);
      present = 0;
      for (uint32_t x : defs) present += x != 0;
    }
    std::vector<json::value> values;
    if (encoding == 0) {
      auto v = DecodePlain(c, cur, present);
      if (!v.ok()) return v.status();
      values = std::move(*v);
    } else if (encoding == 2 || encoding == 8) {
      std::string_view width;
      if (!cur.Take(1, &width)) return Bad("A Parquet dictionary page ends early");
      auto idx = DecodeHybrid(cur.data.substr(cur.pos), static_cast<uint8_t>(width[0]), present);
      if (!idx.ok()) return idx.status();
      for (uint32_t i : *idx) {
        if (i >= dictionary.size()) return Bad("A Parquet dictionary index is out of range");
        values.push_back(dictionary[i]);
      }
    } else {
      return Bad(
          fmt::format("Parquet encoding {} of column '{}' is not supported", encoding, c.name));
    }
    size_t next = 0;
    for (size_t k = 0; k < count && out.size() < want; ++k) {
      if (c.optional && defs[k] == 0) {
        out.emplace_back(nullptr);
      } else {
        out.push_back(std::move(values[next++]));
      }
    }
  }
  return out;
}

}  // namespace

Result<json::array> ReadParquetRows(std::string_view file, int64_t max_rows) {
  if (file.size() < 12 || file.substr(0, 4) != "PAR1" || file.substr(file.size() - 4) != "PAR1") {
    return Bad("The object is not a Parquet file");
  }
  const uint64_t footer = Le(file.substr(file.size() - 8, 4));
  if (footer > file.size() - 12) return Bad("The Parquet footer length is past the file's start");
  size_t meta_size = 0;
  auto meta = thrift::ReadStruct(file.substr(file.size() - 8 - footer, footer), &meta_size);
  if (!meta.ok()) return meta.status();
  const TValue* schema = Field(*meta, 2);
  if (!schema || schema->list.empty()) return Bad("The Parquet file has no schema");
  std::vector<Column> columns;
  for (size_t k = 1; k < schema->list.size(); ++k) {
    const TValue& e = schema->list[k];
    Column c;
    if (const TValue* n = Field(e, 4)) c.name = std::string(n->bin);
    if (Int(e, 5, 0) > 0 || !Field(e, 1)) {
      return Bad(fmt::format("Parquet column '{}' is nested, which is not supported", c.name));
    }
    const int64_t repetition = Int(e, 3, 0);
    if (repetition == 2) {
      return Bad(fmt::format("Parquet column '{}' is repeated, which is not supported", c.name));
    }
    c.optional = repetition == 1;
    c.type = Int(e, 1, -1);
    c.type_length = Int(e, 2, 0);
    c.converted = Int(e, 6, -1);
    c.scale = Int(e, 7, 0);
    if (const TValue* lt = Field(e, 10); lt && !lt->fields.empty()) {
      const auto& [id, v] = *lt->fields.begin();
      static const std::map<int16_t, std::string> kLogical = {
          {1, "STRING"}, {5, "DECIMAL"}, {6, "DATE"}, {8, "TIMESTAMP"}};
      if (auto it = kLogical.find(id); it != kLogical.end()) c.logical = it->second;
      if (id == 5) c.scale = Int(v, 1, c.scale);
      if (id == 8) {
        if (const TValue* unit = Field(v, 2); unit && !unit->fields.empty()) {
          c.time_unit = unit->fields.begin()->first;
        }
      }
    }
    columns.push_back(std::move(c));
  }
  const TValue* groups = Field(*meta, 4);
  json::array rows;
  const size_t limit = max_rows > 0 ? static_cast<size_t>(max_rows) : SIZE_MAX;
  for (const TValue& group : groups ? groups->list : std::vector<TValue>()) {
    if (rows.size() >= limit) break;
    const TValue* chunks = Field(group, 1);
    if (!chunks || chunks->list.size() != columns.size()) {
      return Bad("A Parquet row group does not have one chunk per column");
    }
    const auto n = static_cast<size_t>(std::max<int64_t>(Int(group, 3, 0), 0));
    const size_t take = std::min(n, limit - rows.size());
    std::vector<std::vector<json::value>> values;
    for (size_t k = 0; k < columns.size(); ++k) {
      const TValue* meta_data = Field(chunks->list[k], 3);
      if (!meta_data) return Bad("A Parquet column chunk has no metadata");
      auto v = ReadChunk(file, columns[k], *meta_data, take);
      if (!v.ok()) return v.status();
      if (v->size() < take) {
        return Bad(fmt::format("Parquet column '{}' has fewer values than rows", columns[k].name));
      }
      values.push_back(std::move(*v));
    }
    for (size_t row = 0; row < take; ++row) {
      json::object o;
      for (size_t k = 0; k < columns.size(); ++k) o[columns[k].name] = std::move(values[k][row]);
      rows.push_back(std::move(o));
    }
  }
  return rows;
}

}  // namespace tidepool::sfn::asl

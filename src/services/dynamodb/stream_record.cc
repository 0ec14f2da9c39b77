#include "services/dynamodb/stream_record.h"

#include "storage/key_codec.h"

namespace tidepool::dynamodb {
namespace {

void AppendImage(std::string* out, const json::object* image) {
  if (!image) {
    out->push_back('\0');
    return;
  }
  out->push_back('\1');
  std::string bytes = EncodeItem(*image);
  storage::AppendU32BE(out, static_cast<uint32_t>(bytes.size()));
  out->append(bytes);
}

bool ReadImage(std::string_view* in, std::optional<json::object>* image) {
  if (in->empty()) return false;
  const char present = in->front();
  in->remove_prefix(1);
  if (present == '\0') return true;
  uint32_t size;
  if (present != '\1' || !storage::ReadU32BE(in, &size) || size > in->size()) return false;
  *image = DecodeItem(in->substr(0, size));
  in->remove_prefix(size);
  return image->has_value();
}

}  // namespace

std::string EncodeStreamRecord(const StreamRecord& r) {
  std::string out;
  out.push_back(static_cast<char>(static_cast<uint8_t>(r.event) | (r.by_ttl ? 0x80 : 0)));
  storage::AppendU64BE(&out, static_cast<uint64_t>(r.created_micros));
  AppendImage(&out, &r.keys);
  AppendImage(&out, r.new_image ? &*r.new_image : nullptr);
  AppendImage(&out, r.old_image ? &*r.old_image : nullptr);
  return out;
}

std::optional<StreamRecord> DecodeStreamRecord(std::string_view in) {
  StreamRecord r;
  if (in.empty()) return std::nullopt;
  const auto flags = static_cast<uint8_t>(in.front());
  const uint8_t event = flags & 0x7F;
  if (event < 1 || event > 3) return std::nullopt;
  r.by_ttl = (flags & 0x80) != 0;
  r.event = static_cast<StreamEvent>(event);
  in.remove_prefix(1);
  uint64_t micros;
  if (!storage::ReadU64BE(&in, &micros)) return std::nullopt;
  r.created_micros = static_cast<int64_t>(micros);
  std::optional<json::object> keys;
  if (!ReadImage(&in, &keys) || !keys) return std::nullopt;
  r.keys = std::move(*keys);
  if (!ReadImage(&in, &r.new_image) || !ReadImage(&in, &r.old_image) || !in.empty()) {
    return std::nullopt;
  }
  return r;
}

}  // namespace tidepool::dynamodb

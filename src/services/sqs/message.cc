#include "services/sqs/message.h"

#include <array>
#include <memory>
#include <utility>

#include "storage/key_codec.h"

namespace tidepool::sqs {
namespace {

void PutU32(std::string* out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}

void PutStr(std::string* out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

constexpr char kHexDigits[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase too: it would not format back to the same text
}

// The dash positions of a canonical UUID's text (8-4-4-4-12).
bool IsUuidDash(size_t pos) { return pos == 8 || pos == 13 || pos == 18 || pos == 23; }

// Packs `text` (lowercase hex digits, with dashes where `uuid` puts them) into 16 bytes.
// False when it has any other form.
bool PackHex(std::string_view text, bool uuid, std::array<uint8_t, 16>* out) {
  if (text.size() != (uuid ? 36u : 32u)) return false;
  size_t byte = 0;
  for (size_t pos = 0; pos < text.size();) {
    if (uuid && IsUuidDash(pos)) {
      if (text[pos] != '-') return false;
      ++pos;
      continue;
    }
    const int hi = HexValue(text[pos]), lo = HexValue(text[pos + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[byte++] = static_cast<uint8_t>((hi << 4) | lo);
    pos += 2;
  }
  return true;
}

std::string FormatHex(const std::array<uint8_t, 16>& bytes, bool uuid) {
  std::string out(uuid ? 36 : 32, '-');
  size_t pos = 0;
  for (uint8_t b : bytes) {
    if (uuid && IsUuidDash(pos)) ++pos;
    out[pos++] = kHexDigits[b >> 4];
    out[pos++] = kHexDigits[b & 15];
  }
  return out;
}

bool GetU8(std::string_view* in, uint8_t* v) {
  if (in->empty()) return false;
  *v = static_cast<uint8_t>((*in)[0]);
  in->remove_prefix(1);
  return true;
}

bool GetU16(std::string_view* in, uint16_t* v) {
  if (in->size() < 2) return false;
  *v =
      static_cast<uint16_t>((static_cast<uint8_t>((*in)[0]) << 8) | static_cast<uint8_t>((*in)[1]));
  in->remove_prefix(2);
  return true;
}

bool GetU32(std::string_view* in, uint32_t* v) {
  if (in->size() < 4) return false;
  *v = 0;
  for (int i = 0; i < 4; ++i) *v = (*v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  return true;
}

bool GetI64(std::string_view* in, int64_t* v) {
  uint64_t u = 0;
  if (!storage::ReadU64BE(in, &u)) return false;
  *v = static_cast<int64_t>(u);
  return true;
}

bool GetStr(std::string_view* in, std::string* s) {
  uint32_t n = 0;
  std::string_view copy = *in;
  if (!GetU32(&copy, &n) || copy.size() < n) return false;
  s->assign(copy.data(), n);
  copy.remove_prefix(n);
  *in = copy;
  return true;
}

}  // namespace

Message::Message(const Message& other)
    : seq(other.seq),
      sent_micros(other.sent_micros),
      visible_at_micros(other.visible_at_micros),
      first_receive_micros(other.first_receive_micros),
      payload(other.payload),
      receive_count(other.receive_count),
      receipt_gen(other.receipt_gen),
      payload_bytes(other.payload_bytes),
      reason(other.reason),
      id_packed_(other.id_packed_),
      md5_packed_(other.md5_packed_),
      id_(other.id_),
      md5_(other.md5_),
      sender_id_(other.sender_id_),
      extras_(other.extras_ ? std::make_unique<MessageExtras>(*other.extras_) : nullptr) {}

Message& Message::operator=(const Message& other) {
  if (this != &other) *this = Message(other);
  return *this;
}

const std::string& Message::Empty() {
  static const std::string empty;
  return empty;
}

void Message::SetExtra(std::string MessageExtras::*member, std::string v) {
  if (!extras_) {
    if (v.empty()) return;
    extras_ = std::make_unique<MessageExtras>();
  }
  (*extras_).*member = std::move(v);
}

std::string Message::id() const {
  return id_packed_ ? FormatHex(id_, true) : Extra(&MessageExtras::id_text);
}

bool Message::IdEquals(std::string_view text) const {
  if (!id_packed_) return Extra(&MessageExtras::id_text) == text;
  std::array<uint8_t, 16> packed;
  return PackHex(text, true, &packed) && packed == id_;
}

void Message::set_id(std::string_view text) {
  id_packed_ = PackHex(text, true, &id_);
  SetExtra(&MessageExtras::id_text, id_packed_ ? std::string() : std::string(text));
}

std::string Message::md5_body() const {
  return md5_packed_ ? FormatHex(md5_, false) : Extra(&MessageExtras::md5_body_text);
}

void Message::set_md5_body(std::string_view text) {
  md5_packed_ = PackHex(text, false, &md5_);
  SetExtra(&MessageExtras::md5_body_text, md5_packed_ ? std::string() : std::string(text));
}

std::string EncodeMessageRecord(const Message& m, const MessagePayload& payload) {
  std::string out;
  const std::string id = m.id();
  const std::string md5_body = m.md5_body();
  out.reserve(96 + id.size() + m.group_id().size() + m.dedup_id().size() + m.sender_id().size() +
              m.trace_header().size() + m.dlq_source_arn().size() + PayloadSize(payload));
  out.push_back(1);
  storage::AppendU64BE(&out, static_cast<uint64_t>(m.sent_micros));
  storage::AppendU64BE(&out, static_cast<uint64_t>(m.visible_at_micros));
  out.push_back(static_cast<char>(m.reason));
  for (const std::string* s :
       {&id, &m.group_id(), &m.dedup_id(), &m.sender_id(), &m.trace_header(), &m.dlq_source_arn(),
        &md5_body, &m.md5_attributes(), &m.md5_system()}) {
    PutStr(&out, *s);
  }
  PutStr(&out, payload.body);
  const uint16_t count = static_cast<uint16_t>(payload.attributes.size());
  out.push_back(static_cast<char>(count >> 8));
  out.push_back(static_cast<char>(count));
  for (const auto& a : payload.attributes) {
    PutStr(&out, a.name);
    PutStr(&out, a.data_type);
    out.push_back(static_cast<char>(a.transport));
    if (a.transport <= 2) {
      PutStr(&out, a.value);
    } else {
      PutU32(&out, static_cast<uint32_t>(a.values.size()));
      for (const auto& v : a.values) PutStr(&out, v);
    }
  }
  return out;
}

bool DecodeMessageRecord(std::string_view in, Message* m, MessagePayload* payload) {
  uint8_t version = 0, reason = 0;
  if (!GetU8(&in, &version) || version != 1) return false;
  if (!GetI64(&in, &m->sent_micros) || !GetI64(&in, &m->visible_at_micros)) return false;
  if (!GetU8(&in, &reason) || reason > 1) return false;
  m->reason = static_cast<Hidden>(reason);
  std::string id, group_id, dedup_id, sender_id, trace_header, dlq_source_arn, md5_body,
      md5_attributes, md5_system;
  for (std::string* s : {&id, &group_id, &dedup_id, &sender_id, &trace_header, &dlq_source_arn,
                         &md5_body, &md5_attributes, &md5_system}) {
    if (!GetStr(&in, s)) return false;
  }
  m->set_id(id);
  m->set_group_id(std::move(group_id));
  m->set_dedup_id(std::move(dedup_id));
  m->set_sender_id(sender_id.empty() ? nullptr
                                     : std::make_shared<const std::string>(std::move(sender_id)));
  m->set_trace_header(std::move(trace_header));
  m->set_dlq_source_arn(std::move(dlq_source_arn));
  m->set_md5_body(md5_body);
  m->set_md5_attributes(std::move(md5_attributes));
  m->set_md5_system(std::move(md5_system));
  if (!GetStr(&in, &payload->body)) return false;
  uint16_t count = 0;
  if (!GetU16(&in, &count)) return false;
  payload->attributes.clear();
  payload->attributes.resize(count);
  for (auto& a : payload->attributes) {
    if (!GetStr(&in, &a.name) || !GetStr(&in, &a.data_type) || !GetU8(&in, &a.transport)) {
      return false;
    }
    if (a.transport == 0 || a.transport > 4) return false;
    if (a.transport <= 2) {
      if (!GetStr(&in, &a.value)) return false;
    } else {
      uint32_t n = 0;
      if (!GetU32(&in, &n) || n > in.size() / 4) return false;
      a.values.resize(n);
      for (auto& v : a.values) {
        if (!GetStr(&in, &v)) return false;
      }
    }
  }
  return in.empty();
}

std::string EncodeStateRecord(const Message& m) {
  std::string out;
  out.reserve(25);
  storage::AppendU64BE(&out, static_cast<uint64_t>(m.visible_at_micros));
  storage::AppendU64BE(&out, static_cast<uint64_t>(m.first_receive_micros));
  PutU32(&out, m.receive_count);
  PutU32(&out, m.receipt_gen);
  out.push_back(static_cast<char>(m.reason));
  return out;
}

bool DecodeStateRecord(std::string_view in, Message* m) {
  int64_t visible = 0, first = 0;
  uint32_t count = 0, gen = 0;
  uint8_t reason = 0;
  if (!GetI64(&in, &visible) || !GetI64(&in, &first) || !GetU32(&in, &count) ||
      !GetU32(&in, &gen) || !GetU8(&in, &reason) || reason > 1 || !in.empty()) {
    return false;
  }
  m->visible_at_micros = visible;
  m->first_receive_micros = first;
  m->receive_count = count;
  m->receipt_gen = gen;
  m->reason = static_cast<Hidden>(reason);
  return true;
}

uint64_t PayloadSize(const MessagePayload& payload) {
  uint64_t n = payload.body.size();
  for (const auto& a : payload.attributes) {
    n += a.name.size() + a.data_type.size() + a.value.size();
    for (const auto& v : a.values) n += v.size();
  }
  return n;
}

}  // namespace tidepool::sqs

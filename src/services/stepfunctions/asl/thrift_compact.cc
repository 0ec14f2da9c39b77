// Thrift compact protocol reader (see the header).
#include "services/stepfunctions/asl/thrift_compact.h"

#include <fmt/format.h>

#include <cstring>

namespace tidepool::sfn::asl::thrift {

namespace {

Status Bad(std::string message) { return Status::InvalidArgument(std::move(message)); }

class ThriftReader {
 public:
  explicit ThriftReader(std::string_view data) : data_(data) {}
  size_t pos() const { return pos_; }

  Result<TValue> Struct(int depth = 0) {
    if (depth > 16) return Bad("Parquet metadata is nested too deeply");
    TValue s;
    s.type = 12;
    int16_t last = 0;
    while (true) {
      auto byte = Byte();
      if (!byte.ok()) return byte.status();
      if (*byte == 0) return s;
      uint8_t type = *byte & 0x0f;
      int16_t id;
      if ((*byte >> 4) != 0) {
        id = static_cast<int16_t>(last + (*byte >> 4));
      } else {
        auto v = Varint();
        if (!v.ok()) return v.status();
        id = static_cast<int16_t>(Unzigzag(*v));
      }
      last = id;
      auto v = Value(type, depth);
      if (!v.ok()) return v.status();
      s.fields[id] = std::move(*v);
    }
  }

 private:
  static int64_t Unzigzag(uint64_t v) {
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  Result<uint8_t> Byte() {
    if (pos_ >= data_.size()) return Bad("Parquet metadata ends early");
    return static_cast<uint8_t>(data_[pos_++]);
  }
  Result<uint64_t> Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = Byte();
      if (!b.ok()) return b.status();
      v |= static_cast<uint64_t>(*b & 0x7f) << shift;
      if ((*b & 0x80) == 0) return v;
    }
    return Bad("Parquet metadata has a malformed varint");
  }
  Result<TValue> Value(uint8_t type, int depth) {
    if (depth > 16) return Bad("Parquet metadata is nested too deeply");
    TValue v;
    v.type = type;
    switch (type) {
      case 1:
      case 2:
        v.i = type == 1;
        return v;
      case 3: {
        auto b = Byte();
        if (!b.ok()) return b.status();
        v.i = static_cast<int8_t>(*b);
        return v;
      }
      case 4:
      case 5:
      case 6: {
        auto x = Varint();
        if (!x.ok()) return x.status();
        v.i = Unzigzag(*x);
        return v;
      }
      case 7:
        if (data_.size() - pos_ < 8) return Bad("Parquet metadata ends early");
        std::memcpy(&v.d, data_.data() + pos_, 8);
        pos_ += 8;
        return v;
      case 8: {
        auto n = Varint();
        if (!n.ok()) return n.status();
        if (*n > data_.size() - pos_) return Bad("Parquet metadata ends early");
        v.bin = data_.substr(pos_, *n);
        pos_ += *n;
        return v;
      }
      case 9:
      case 10: {
        auto h = Byte();
        if (!h.ok()) return h.status();
        uint64_t n = *h >> 4;
        if (n == 15) {
          auto x = Varint();
          if (!x.ok()) return x.status();
          n = *x;
        }
        if (n > data_.size() - pos_) return Bad("Parquet metadata has an oversized list");
        uint8_t elem = *h & 0x0f;
        for (uint64_t k = 0; k < n; ++k) {
          Result<TValue> e = elem == 1 || elem == 2 ? BoolElement() : Value(elem, depth + 1);
          if (!e.ok()) return e.status();
          v.list.push_back(std::move(*e));
        }
        return v;
      }
      case 11: {
        auto n = Varint();
        if (!n.ok()) return n.status();
        if (*n == 0) return v;
        if (*n > data_.size() - pos_) return Bad("Parquet metadata has an oversized map");
        auto kv = Byte();
        if (!kv.ok()) return kv.status();
        for (uint64_t k = 0; k < *n; ++k) {
          for (uint8_t t : {static_cast<uint8_t>(*kv >> 4), static_cast<uint8_t>(*kv & 0x0f)}) {
            auto e = t == 1 || t == 2 ? BoolElement() : Value(t, depth + 1);
            if (!e.ok()) return e.status();
          }
        }
        return v;
      }
      case 12:
        return Struct(depth + 1);
      default:
        return Bad(fmt::format("Parquet metadata has an unknown Thrift type {}", type));
    }
  }
  Result<TValue> BoolElement() {
    auto b = Byte();
    if (!b.ok()) return b.status();
    TValue v;
    v.type = 1;
    v.i = *b == 1;
    return v;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace

Result<TValue> ReadStruct(std::string_view data, size_t* consumed) {
  ThriftReader r(data);
  auto s = r.Struct();
  if (s.ok()) *consumed = r.pos();
  return s;
}

const TValue* Field(const TValue& s, int16_t id) {
  auto it = s.fields.find(id);
  return it == s.fields.end() ? nullptr : &it->second;
}
int64_t Int(const TValue& s, int16_t id, int64_t fallback) {
  const TValue* f = Field(s, id);
  return f ? f->i : fallback;
}

}  // namespace tidepool::sfn::asl::thrift

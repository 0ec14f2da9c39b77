// CBOR (RFC 8949), as the AWS SDK for Java and the KCL speak it to Kinesis
// (application/x-amz-cbor-1.1): a reader from CBOR to a JSON value and a writer of CBOR items.
// Pure; thread-safe.
//
// What the reader yields for each major type:
//   0, 1 (integers)          -> int64 (uint64 above INT64_MAX); below INT64_MIN is an error
//   2 (byte string)          -> string holding the base64 of the bytes (how the JSON protocols
//                               carry blobs, so the JSON codec can take the value as it is)
//   3 (text string)          -> string (must be UTF-8)
//   4 (array), 5 (map)       -> array, object (map keys must be text strings)
//   6 (tag)                  -> the tagged item itself (tag 1, epoch time, is a number)
//   7 (simple, floats)       -> false/true/null (undefined too); half/single/double -> double
// Definite and indefinite lengths are both accepted.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tidepool::protocol::cbor {

constexpr int kMaxDepth = 64;

// The value of the single CBOR item that `bytes` holds; nullopt, with `*error` saying why, for
// malformed or truncated input, trailing bytes, or nesting deeper than kMaxDepth.
std::optional<boost::json::value> Read(std::string_view bytes, std::string* error);

// Appends CBOR items to a string. Containers are written with their length first.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void Map(uint64_t entries) { Head(5, entries); }
  void Array(uint64_t elements) { Head(4, elements); }
  void Text(std::string_view text);
  void Bytes(std::string_view bytes);
  void Int(int64_t value);
  void Uint(uint64_t value) { Head(0, value); }
  void Double(double value);
  void Bool(bool value) { out_.push_back(static_cast<char>(value ? 0xf5 : 0xf4)); }
  void Null() { out_.push_back(static_cast<char>(0xf6)); }
  void Tag(uint64_t tag) { Head(6, tag); }

 private:
  void Head(uint8_t major, uint64_t argument);
  std::string& out_;
};

}  // namespace tidepool::protocol::cbor

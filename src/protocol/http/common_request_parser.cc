#include "protocol/http/common_request_parser.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tidepool::protocol::http {
namespace {

namespace bhttp = boost::beast::http;

// Accepted grammar (a strict subset of what Beast accepts, RFC 9112):
//   request    = method SP target SP ( "HTTP/1.1" / "HTTP/1.0" ) CRLF *( field CRLF ) CRLF body
//   method     = a token Beast knows as a verb (string_to_verb != unknown)
//   target     = 1*( %x21-7E )
//   field      = token ":" *( SP / HTAB ) value ; value = *( %x20-7E / HTAB ), trimmed of
//                trailing SP / HTAB; the next line must not start with SP / HTAB (obs-fold)
//   body       = Content-Length bytes (none without a Content-Length)
constexpr size_t kMaxFields = 64;

constexpr std::array<bool, 256> MakeTokenTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kToken = MakeTokenTable();

constexpr bool IsTarget(char c) { return c > 0x20 && c < 0x7f; }
constexpr bool IsValue(char c) { return (c >= 0x20 && c < 0x7f) || c == '\t'; }

// Skips value bytes (%x20-7E / HTAB) from `p`; returns the first other byte's position.
const char* SkipValue(const char* p, const char* end) {
#if defined(__SSE2__)
  // Sixteen at a time while every byte is in %x20-7E: as signed bytes, those are the ones
  // above 0x1F (0x80-0xFF are negative) other than 0x7F. HTAB drops to the byte loop.
  const __m128i below = _mm_set1_epi8(0x20);
  const __m128i del = _mm_set1_epi8(0x7f);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const int bad =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, below), _mm_cmpeq_epi8(v, del)));
    if (bad != 0) {
      p += __builtin_ctz(static_cast<unsigned>(bad));
      break;
    }
    p += 16;
  }
#endif
  while (p < end && IsValue(*p)) ++p;
  return p;
}

// Plain members (no initializers): the array of them below stays uninitialized until used.
struct FieldSpan {
  bhttp::field name;
  const char* name_data;
  const char* value_data;
  uint32_t name_size;
  uint32_t value_size;
};

// Parses 1..18 decimal digits (no sign, no spaces, no list).
bool ParseLength(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

size_t ParseCommonRequest(std::string_view in, uint32_t header_limit, uint64_t body_limit,
                          HttpRequest* out) {
  const char* const begin = in.data();
  const char* const end = begin + in.size();
  const char* p = begin;

  // Request line.
  const char* method_begin = p;
  while (p < end && kToken[static_cast<unsigned char>(*p)]) ++p;
  if (p == method_begin || p == end || *p != ' ') return 0;
  const std::string_view method_string(method_begin, static_cast<size_t>(p - method_begin));
  const bhttp::verb method = bhttp::string_to_verb(method_string);
  if (method == bhttp::verb::unknown) return 0;
  const char* target_begin = ++p;
  while (p < end && IsTarget(*p)) ++p;
  if (p == target_begin || p == end || *p != ' ') return 0;
  const std::string_view target(target_begin, static_cast<size_t>(p - target_begin));
  ++p;
  constexpr std::string_view kHttp1 = "HTTP/1.";
  if (end - p < 10 || std::string_view(p, kHttp1.size()) != kHttp1) return 0;
  p += kHttp1.size();
  if (*p != '0' && *p != '1') return 0;
  const unsigned version = *p == '1' ? 11 : 10;
  if (p[1] != '\r' || p[2] != '\n') return 0;
  p += 3;

  // Fields.
  FieldSpan fields[kMaxFields];
  size_t field_count = 0;
  bool has_length = false;
  uint64_t length = 0;
  while (true) {
    if (end - p < 2) return 0;
    if (*p == '\r') {
      if (p[1] != '\n') return 0;
      p += 2;
      break;
    }
    const char* name_begin = p;
    while (p < end && kToken[static_cast<unsigned char>(*p)]) ++p;
    if (p == name_begin || p == end || *p != ':') return 0;
    const std::string_view name_string(name_begin, static_cast<size_t>(p - name_begin));
    ++p;
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
    const char* value_begin = p;
    p = SkipValue(p, end);
    // CR LF, then one more byte that must not continue the value (obs-fold).
    if (end - p < 3 || p[0] != '\r' || p[1] != '\n' || p[2] == ' ' || p[2] == '\t') return 0;
    const char* value_end = p;
    while (value_end != value_begin && (value_end[-1] == ' ' || value_end[-1] == '\t')) {
      --value_end;
    }
    p += 2;
    const std::string_view value(value_begin, static_cast<size_t>(value_end - value_begin));
    const bhttp::field name = bhttp::string_to_field(name_string);
    switch (name) {
      case bhttp::field::content_length:
        if (has_length || !ParseLength(value, &length)) return 0;
        has_length = true;
        break;
      case bhttp::field::connection:
        // One token: Beast's list check passes and its flags do not change the message.
        if (value.empty()) return 0;
        for (char c : value) {
          if (!kToken[static_cast<unsigned char>(c)]) return 0;
        }
        break;
      case bhttp::field::transfer_encoding:
      case bhttp::field::proxy_connection:
      case bhttp::field::upgrade:
        return 0;
      default:
        break;
    }
    if (field_count == kMaxFields) return 0;
    fields[field_count++] =
        FieldSpan{name, name_string.data(), value.data(), static_cast<uint32_t>(name_string.size()),
                  static_cast<uint32_t>(value.size())};
  }
  const size_t header_size = static_cast<size_t>(p - begin);
  if (header_size > header_limit) return 0;
  if (length > body_limit || length > static_cast<uint64_t>(end - p)) return 0;

  // Accepted: build the message as Beast's parser does.
  out->target(target);
  out->method(method);
  out->version(version);
  for (size_t i = 0; i < field_count; ++i) {
    const FieldSpan& f = fields[i];
    out->insert(f.name, std::string_view(f.name_data, f.name_size),
                std::string_view(f.value_data, f.value_size));
  }
  out->body().assign(p, static_cast<size_t>(length));
  return header_size + static_cast<size_t>(length);
}

}  // namespace tidepool::protocol::http

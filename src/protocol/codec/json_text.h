// Low-level JSON text output shared by the model-driven codec (json_codec) and the hand-written
// encoders of hot operations (see protocol::EncodedJson). Each function appends one JSON value
// to `out`. Thread-safe; no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tidepool::protocol::json_text {

// `s` as a JSON string: quotes, backslashes and control bytes escaped; other bytes (UTF-8)
// copied as they are. The caller guarantees `s` is valid UTF-8 (model strings always are).
void AppendString(std::string_view s, std::string& out);

// Writes AppendString's output at `p`, which must have room for MaxStringChars(s.size());
// returns the end (for encoders that make room for a whole entry at once).
constexpr size_t MaxStringChars(size_t bytes) { return 6 * bytes + 2; }  // all \u00XX
char* WriteString(std::string_view s, char* p);

// Like AppendString, but bytes that are not well-formed UTF-8 become U+FFFD, so the output is
// valid JSON whatever `s` holds (error messages may quote raw input).
void AppendStringSafe(std::string_view s, std::string& out);

// `bytes` base64-encoded, as a JSON string (AWS JSON blobs).
void AppendBlob(std::string_view bytes, std::string& out);

// A JSON number. `fixed`: never in exponent form (timestamps: epoch seconds with a fraction).
// NaN and infinities, which JSON cannot carry, are written as 0.
void AppendDouble(double d, std::string& out, bool fixed);

void AppendInt(int64_t n, std::string& out);

// Epoch milliseconds as the timestamp AppendDouble(ms / 1000.0, out, /*fixed=*/true) writes
// ("1732261234.5" for ms 1732261234500), without a floating-point conversion.
void AppendEpochMillis(int64_t ms, std::string& out);
// Writes the same at `p` (room for kMaxEpochMillisChars); returns the end.
constexpr size_t kMaxEpochMillisChars = 32;
char* WriteEpochMillis(int64_t ms, char* p);

// `"name":` (name must need no escaping: a model member name).
inline void AppendKey(std::string_view name, std::string& out) {
  out += '"';
  out.append(name);
  out += "\":";
}

// `"name":"value"` (value escaped as by AppendString).
inline void AppendStringMember(std::string_view name, std::string_view value, std::string& out) {
  AppendKey(name, out);
  AppendString(value, out);
}

}  // namespace tidepool::protocol::json_text

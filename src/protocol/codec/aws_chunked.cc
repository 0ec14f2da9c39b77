#include "protocol/codec/aws_chunked.h"

#include <algorithm>

namespace tidepool::protocol {
namespace {

constexpr size_t kMaxLine = 4096;
constexpr size_t kMaxTrailers = 16;
constexpr uint64_t kMaxChunk = 1ULL << 40;

}  // namespace

bool AwsChunkedDecoder::Fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
  return false;
}

bool AwsChunkedDecoder::OnSizeLine(std::string_view line) {
  const size_t semi = line.find(';');
  std::string_view size = line.substr(0, semi);
  if (size.empty() || size.size() > 16) return Fail("bad chunk size line");
  uint64_t n = 0;
  for (char c : size) {
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) return Fail("bad chunk size");
    n = n * 16 + static_cast<uint64_t>(v);
  }
  if (n > kMaxChunk) return Fail("chunk too large");
  if (on_chunk_ &&
      !on_chunk_(n, semi == std::string_view::npos ? std::string_view() : line.substr(semi + 1))) {
    return Fail("chunk refused");
  }
  remaining_ = n;
  state_ = n == 0 ? State::kTrailerLine : State::kData;
  return true;
}

bool AwsChunkedDecoder::OnTrailerLine(std::string_view line) {
  if (line.empty()) {
    state_ = State::kDone;
    return true;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || trailers_.size() >= kMaxTrailers) {
    return Fail("bad trailer");
  }
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  trailers_.emplace_back(std::move(name), std::string(value));
  return true;
}

bool AwsChunkedDecoder::Write(std::string_view in) {
  while (!in.empty()) {
    switch (state_) {
      case State::kFailed:
        return false;
      case State::kDone:
        // Bytes after the end: tolerated only as whitespace.
        if (in.find_first_not_of("\r\n") != std::string_view::npos) {
          return Fail("data after the last chunk");
        }
        return true;
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in.size()));
        on_data_(in.substr(0, n));
        in.remove_prefix(n);
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::kDataEnd;
        break;
      }
      case State::kDataEnd:
        // The CRLF after a chunk's data (possibly split across pieces).
        if (line_.empty() && in.front() == '\r') {
          line_.push_back('\r');
          in.remove_prefix(1);
        } else if (in.front() == '\n') {
          line_.clear();
          in.remove_prefix(1);
          state_ = State::kSizeLine;
        } else {
          return Fail("chunk data not followed by CRLF");
        }
        break;
      case State::kSizeLine:
      case State::kTrailerLine: {
        size_t nl = in.find('\n');
        std::string_view part = in.substr(0, nl);
        if (line_.size() + part.size() > kMaxLine) return Fail("chunk header line too long");
        line_.append(part);
        if (nl == std::string_view::npos) return true;
        in.remove_prefix(nl + 1);
        std::string line = std::move(line_);
        line_.clear();
        if (!line.empty() && line.back() == '\r') line.pop_back();
        bool ok = state_ == State::kSizeLine ? OnSizeLine(line) : OnTrailerLine(line);
        if (!ok) return false;
        break;
      }
    }
  }
  return state_ != State::kFailed;
}

}  // namespace tidepool::protocol

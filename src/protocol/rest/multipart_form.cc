#include "protocol/rest/multipart_form.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cctype>

namespace tidepool::protocol {
namespace {

constexpr size_t kMaxBoundary = 200;
constexpr size_t kMaxPadding = 256;  // LWSP allowed after a delimiter

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits `value` ("form-data; name=\"a;b\"; filename=x") at the ';' outside quotes and calls
// visit(name_lower, value_unquoted) for each "name=value" parameter after the first item.
template <typename Visit>
void ForEachParameter(std::string_view value, Visit&& visit) {
  size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;
    size_t eq = value.find('=', i);
    size_t semi = value.find(';', i);
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      i = semi;
      continue;
    }
    std::string name(Trim(value.substr(i, eq - i)));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t v = eq + 1;
    while (v < value.size() && (value[v] == ' ' || value[v] == '\t')) ++v;
    std::string text;
    if (v < value.size() && value[v] == '"') {
      size_t j = v + 1;
      for (; j < value.size() && value[j] != '"'; ++j) {
        // A backslash escapes a quote only: browsers send Windows paths with bare backslashes.
        if (value[j] == '\\' && j + 1 < value.size() && value[j + 1] == '"') ++j;
        text.push_back(value[j]);
      }
      i = value.find(';', j);
    } else {
      semi = value.find(';', v);
      text = std::string(Trim(value.substr(v, semi == std::string_view::npos ? semi : semi - v)));
      i = semi;
    }
    visit(name, std::move(text));
  }
}

}  // namespace

std::optional<std::string> MultipartFormReader::BoundaryOf(std::string_view content_type) {
  std::string_view type = Trim(content_type.substr(0, content_type.find(';')));
  if (!boost::beast::iequals(type, "multipart/form-data")) return std::nullopt;
  std::optional<std::string> boundary;
  ForEachParameter(content_type, [&](const std::string& name, std::string value) {
    if (name == "boundary" && !boundary) boundary = std::move(value);
  });
  if (!boundary || boundary->empty() || boundary->size() > kMaxBoundary) return std::nullopt;
  return boundary;
}

MultipartFormReader::MultipartFormReader(std::string_view boundary, Handler* handler)
    : delimiter_("\r\n--" + std::string(boundary)), handler_(handler) {
  pending_ = "\r\n";  // the first delimiter may open the body, without a line break before it
}

void MultipartFormReader::Fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
  pending_.clear();
}

bool MultipartFormReader::Write(std::string_view piece) {
  if (state_ == State::kFailed) return false;
  if (state_ == State::kEnd) return true;
  if (pending_.empty()) {
    size_t used = Process(piece);
    if (state_ != State::kEnd && state_ != State::kFailed) pending_.assign(piece.substr(used));
  } else {
    pending_.append(piece);
    size_t used = Process(pending_);
    if (state_ == State::kEnd || state_ == State::kFailed) {
      pending_.clear();
    } else {
      pending_.erase(0, used);
    }
  }
  return state_ != State::kFailed;
}

size_t MultipartFormReader::Process(std::string_view data) {
  size_t pos = 0;
  while (pos < data.size()) {
    std::string_view rest = data.substr(pos);
    switch (state_) {
      case State::kPreamble: {
        size_t at = rest.find(delimiter_);
        if (at == std::string_view::npos) {
          return data.size() - std::min(rest.size(), delimiter_.size() - 1);
        }
        pos += at + delimiter_.size();
        state_ = State::kAfterDelimiter;
        break;
      }
      case State::kAfterDelimiter: {
        if (rest.size() < 2) return pos;
        if (rest.starts_with("--")) {
          state_ = State::kEnd;  // the epilogue, if any, is ignored
          return data.size();
        }
        size_t i = 0;
        while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
        if (i > kMaxPadding) {
          Fail("too much padding after a boundary");
          return data.size();
        }
        if (i + 2 > rest.size()) return pos;
        if (rest.substr(i, 2) != "\r\n") {
          Fail("a boundary is not followed by a line break");
          return data.size();
        }
        pos += i + 2;
        state_ = State::kHeaders;
        break;
      }
      case State::kHeaders: {
        if (rest.size() < 2) return pos;
        FormPartHead head;
        if (rest.starts_with("\r\n")) {
          pos += 2;
        } else {
          // The blank line that ends the headers must start within kMaxPartHeaderBytes.
          size_t at = rest.find("\r\n\r\n");
          if (at == std::string_view::npos && rest.size() < kMaxPartHeaderBytes + 4) return pos;
          if (at == std::string_view::npos || at > kMaxPartHeaderBytes) {
            Fail("a part's headers are too large");
            return data.size();
          }
          if (!ParseHeaders(rest.substr(0, at + 2), &head)) return data.size();
          pos += at + 4;
        }
        state_ = State::kContent;
        handler_->OnPartBegin(head);
        break;
      }
      case State::kContent: {
        size_t at = rest.find(delimiter_);
        if (at == std::string_view::npos) {
          // Keep what may be the start of a delimiter; hand the rest on.
          size_t keep = std::min(rest.size(), delimiter_.size() - 1);
          while (keep > 0 &&
                 !std::string_view(delimiter_).starts_with(rest.substr(rest.size() - keep))) {
            --keep;
          }
          if (rest.size() > keep) handler_->OnPartData(rest.substr(0, rest.size() - keep));
          return data.size() - keep;
        }
        if (at > 0) handler_->OnPartData(rest.substr(0, at));
        pos += at + delimiter_.size();
        if (!handler_->OnPartEnd()) {
          state_ = State::kEnd;
          return data.size();
        }
        state_ = State::kAfterDelimiter;
        break;
      }
      case State::kEnd:
      case State::kFailed:
        return data.size();
    }
  }
  return pos;
}

bool MultipartFormReader::ParseHeaders(std::string_view block, FormPartHead* head) {
  bool disposition = false;
  while (!block.empty()) {
    size_t end = block.find("\r\n");
    std::string_view line = block.substr(0, end);
    block = end == std::string_view::npos ? std::string_view() : block.substr(end + 2);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      Fail("a part's header line has no name");
      return false;
    }
    std::string_view name = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (boost::beast::iequals(name, "Content-Disposition")) {
      disposition = true;
      ForEachParameter(value, [&](const std::string& param, std::string text) {
        if (param == "name") head->name = std::move(text);
        if (param == "filename") head->filename = std::move(text);
      });
    } else if (boost::beast::iequals(name, "Content-Type")) {
      head->content_type = std::string(value);
    }
  }
  if (!disposition) {
    Fail("a part has no Content-Disposition");
    return false;
  }
  return true;
}

}  // namespace tidepool::protocol

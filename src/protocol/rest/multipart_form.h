// multipart/form-data (RFC 7578, RFC 2046 section 5.1) read as a stream: the body of an S3 POST
// Object (a browser form upload). Grammar of what is read:
//
//   body      := preamble delimiter part* "--" epilogue
//   delimiter := [CRLF] "--" boundary LWSP* CRLF     (the first one may start the body)
//   part      := header-line* CRLF content CRLF "--" boundary ...
//   header    := name ":" value CRLF                 (Content-Disposition, Content-Type)
//
// MultipartFormReader takes the body in pieces of any size and hands each part's content on
// as it goes, so memory stays bounded by one piece plus the boundary and one part's headers
// (kMaxPartHeaderBytes), whatever the parts' sizes. Not thread-safe; one per body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tidepool::protocol {

// The head of one part, from its Content-Disposition ("form-data; name=...; filename=...")
// and Content-Type headers.
struct FormPartHead {
  std::string name;                     // "" when the part has none
  std::optional<std::string> filename;  // set when the disposition has a filename parameter
  std::string content_type;             // "" when none
};

class MultipartFormReader {
 public:
  static constexpr size_t kMaxPartHeaderBytes = 16 * 1024;

  // What the reader finds, in body order. Called from inside Write.
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void OnPartBegin(const FormPartHead& head) = 0;
    virtual void OnPartData(std::string_view data) = 0;
    // The part ended. Returning false stops the reader: the rest of the body is ignored, and
    // the body counts as complete.
    virtual bool OnPartEnd() = 0;
  };

  // The boundary parameter of a Content-Type "multipart/form-data; boundary=..." (quoted or
  // not); nullopt when the type is not multipart/form-data or the boundary is missing, empty or
  // longer than 200 characters.
  static std::optional<std::string> BoundaryOf(std::string_view content_type);

  // `handler` is not owned and must outlive the reader.
  MultipartFormReader(std::string_view boundary, Handler* handler);

  // Reads the next bytes of the body. False once the body is malformed (error() says why);
  // later calls are ignored.
  bool Write(std::string_view piece);
  // True when the closing delimiter was read (or the handler stopped the reader) and nothing
  // was malformed.
  bool Complete() const { return state_ == State::kEnd; }
  const std::string& error() const { return error_; }

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kContent, kEnd, kFailed };
  // Reads as much of `data` as can be decided on; returns how many bytes were used.
  size_t Process(std::string_view data);
  bool ParseHeaders(std::string_view block, FormPartHead* head);
  void Fail(std::string why);

  const std::string delimiter_;  // CRLF "--" boundary
  Handler* handler_;
  State state_ = State::kPreamble;
  std::string pending_;  // bytes not yet decided on (a delimiter's start, a header block)
  std::string error_;
};

}  // namespace tidepool::protocol

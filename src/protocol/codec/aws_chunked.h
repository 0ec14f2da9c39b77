// The aws-chunked content encoding (SigV4 streaming uploads, S3): the body travels as chunks
//   chunk   := hex-size [";chunk-signature=" sig] CRLF data CRLF
//   last    := "0" [";chunk-signature=" sig] CRLF trailer* CRLF
//   trailer := name ":" value CRLF            (x-amz-checksum-crc32:..., x-amz-trailer-signature)
// Some clients end the last chunk without the final CRLF when there are no trailers; that is
// accepted. AwsChunkedDecoder takes the encoded bytes in pieces of any size and hands the
// decoded data on as it goes, so memory stays bounded whatever the body's size. Chunk
// signatures are not checked here: a ChunkObserver (chunk_signature.h verifies them with one)
// is told of each chunk's size line. Not thread-safe; one per body.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidepool::protocol {

class AwsChunkedDecoder {
 public:
  using DataFn = std::function<void(std::string_view)>;
  // Called for each chunk's size line, before its data: the size and what follows the first
  // ';' ("chunk-signature=<hex>", or "" without extensions). Returning false fails the body.
  using ChunkObserver = std::function<bool(uint64_t size, std::string_view extensions)>;
  explicit AwsChunkedDecoder(DataFn on_data, ChunkObserver on_chunk = {})
      : on_data_(std::move(on_data)), on_chunk_(std::move(on_chunk)) {}

  // Decodes the next encoded bytes. False once the encoding is broken (error() says why);
  // later calls are ignored.
  bool Write(std::string_view encoded);
  // True when the body ended (the last chunk and its trailers were read) and nothing broke.
  bool Complete() const {
    return state_ == State::kDone || (state_ == State::kTrailerLine && line_.empty());
  }
  const std::string& error() const { return error_; }
  // Trailer headers seen after the last chunk, names lower-cased.
  const std::vector<std::pair<std::string, std::string>>& trailers() const { return trailers_; }

 private:
  enum class State { kSizeLine, kData, kDataEnd, kTrailerLine, kDone, kFailed };
  bool Fail(std::string why);
  bool OnSizeLine(std::string_view line);
  bool OnTrailerLine(std::string_view line);

  DataFn on_data_;
  ChunkObserver on_chunk_;
  State state_ = State::kSizeLine;
  std::string line_;  // a header line being assembled (bounded)
  uint64_t remaining_ = 0;
  std::string error_;
  std::vector<std::pair<std::string, std::string>> trailers_;
};

}  // namespace tidepool::protocol

// libFuzzer target for the aws-chunked decoder (protocol/codec/aws_chunked.h). The input is
// fed twice: whole, and split at every position given by its first byte; both runs must
// decode the same data and reach the same end state (pieces of any size are one stream).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "protocol/codec/aws_chunked.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 17;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string whole, pieces;
  tidepool::protocol::AwsChunkedDecoder a([&](std::string_view d) { whole.append(d); });
  tidepool::protocol::AwsChunkedDecoder b([&](std::string_view d) { pieces.append(d); });
  bool ok_a = a.Write(in);
  bool ok_b = true;
  for (size_t i = 0; i < in.size(); i += step) ok_b = b.Write(in.substr(i, step)) && ok_b;
  if (ok_a != ok_b || a.Complete() != b.Complete() || whole != pieces ||
      a.trailers() != b.trailers()) {
    std::abort();
  }
  return 0;
}

// libFuzzer target for S3 POST Object forms: the multipart/form-data reader
// (protocol/rest/multipart_form.h) and the POST policy (protocol/rest/s3_post_policy.h). The
// body is read twice, whole and split at every position given by its first byte: both runs
// must find the same parts and end in the same state. The input is also decoded as a policy
// (base64 of it) and, when it is one, checked against the parts read as fields.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/encoding.h"
#include "protocol/rest/multipart_form.h"
#include "protocol/rest/s3_post_policy.h"

namespace {

using tidepool::protocol::FormPartHead;
using tidepool::protocol::MultipartFormReader;

class Recorder : public MultipartFormReader::Handler {
 public:
  void OnPartBegin(const FormPartHead& head) override {
    log += "[" + head.name + "|" + head.filename.value_or("-") + "|" + head.content_type + "]";
    fields.push_back({head.name, ""});
  }
  void OnPartData(std::string_view data) override {
    log.append(data);
    if (fields.back().value.size() < 4096) fields.back().value.append(data);
  }
  bool OnPartEnd() override {
    log += "<end>";
    return fields.back().name != "file";
  }
  std::string log;
  tidepool::protocol::s3post::FormFields fields;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = 1 + data[0] % 23;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  Recorder whole, pieces;
  MultipartFormReader a("B", &whole), b("B", &pieces);
  bool ok_a = a.Write(in);
  bool ok_b = true;
  for (size_t i = 0; i < in.size(); i += step) ok_b = b.Write(in.substr(i, step)) && ok_b;
  if (ok_a != ok_b || a.Complete() != b.Complete() || (ok_a && whole.log != pieces.log)) {
    std::abort();
  }
  (void)MultipartFormReader::BoundaryOf(in);
  auto policy = tidepool::protocol::s3post::ParsePostPolicy(tidepool::Base64Encode(in));
  if (auto* p = std::get_if<tidepool::protocol::s3post::PostPolicy>(&policy)) {
    (void)tidepool::protocol::s3post::CheckPostPolicy(*p, whole.fields, "bucket", 0);
    (void)tidepool::protocol::s3post::CheckPostContentLength(*p, in.size());
  }
  (void)tidepool::protocol::s3post::AuthenticatePostForm(
      whole.fields, tidepool::protocol::AuthMode::kStrict,
      [](std::string_view) -> std::optional<tidepool::protocol::AccessKey> {
        return tidepool::protocol::AccessKey{"secret", "000000000000"};
      },
      0);
  return 0;
}

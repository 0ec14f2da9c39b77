// S3 POST Object: a browser form upload (RESTObjectPOST) taken as its body arrives.
//
// Life of a form: S3PostForm reads the multipart/form-data body (MultipartFormReader) and
// keeps the fields before the `file` part, at most kMaxFieldBytes of them. When the file part
// begins, the fields are complete: `${filename}` in their values becomes the file's name, and
// the FileOpener (PreparePostObject) authenticates the form, checks its policy and turns the
// fields into a PutObject input and the consumer that takes the file's bytes (the same
// ObjectUpload a PUT streams into). The file's bytes go to that consumer as they arrive (none
// once the form is refused, none past the policy's content-length-range maximum); the parts
// after the file are ignored, as S3 ignores them. Finish says whether the form earned an error;
// otherwise the router invokes PutObject with prepared().input and the consumer, and answers
// with PostObjectResponse. Memory stays bounded by the fields, one part's headers and one piece.
//
// Thread-safety: one thread at a time (the connection's strand, then the router).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/authenticator.h"
#include "protocol/http/responder.h"
#include "protocol/model/model.h"
#include "protocol/rest/multipart_form.h"
#include "protocol/rest/s3_post_policy.h"
#include "protocol/service.h"

namespace tidepool::protocol {

// What the fields before the file make of the upload.
struct PostPrepared {
  AuthInfo auth;
  boost::json::object input;  // PutObject's input (Bucket, Key, headers' members)
  std::optional<s3post::PostPolicy> policy;
  std::shared_ptr<BodyConsumer> consumer;  // takes the file's bytes
};

class S3PostForm final : public BodyConsumer, private MultipartFormReader::Handler {
 public:
  static constexpr size_t kMaxFieldBytes = 20 * 1024;  // names and values before the file
  // Called once, when the file part begins, with the fields before it.
  using FileOpener =
      std::function<std::variant<PostPrepared, AwsError>(const s3post::FormFields& fields)>;

  S3PostForm(std::string_view boundary, FileOpener opener);

  void Write(std::string_view piece) override;
  // Once the body is in: the error the form earned (malformed body, fields too large, no file,
  // the opener's refusal, a size outside the policy's range), or nullopt when the file was
  // taken whole by prepared().consumer.
  std::optional<AwsError> Finish();

  PostPrepared& prepared() { return prepared_; }
  const s3post::FormFields& fields() const { return fields_; }
  uint64_t file_size() const { return file_size_; }

 private:
  void OnPartBegin(const FormPartHead& head) override;
  void OnPartData(std::string_view data) override;
  bool OnPartEnd() override;

  MultipartFormReader reader_;
  FileOpener opener_;
  s3post::FormFields fields_;
  size_t field_bytes_ = 0;
  enum class Part { kNone, kField, kUnnamed, kFile } part_ = Part::kNone;
  bool file_seen_ = false;
  bool file_done_ = false;
  std::optional<AwsError> error_;
  PostPrepared prepared_;
  std::optional<uint64_t> max_size_;  // bytes past it are not stored
  uint64_t file_size_ = 0;
};

// The dependencies of PreparePostObject.
struct PostObjectTarget {
  const model::ServiceModel* model = nullptr;
  const model::Operation* put_object = nullptr;
  Service* service = nullptr;
  std::string bucket;
  AuthMode mode = AuthMode::kAcceptAny;
  s3post::KeyFinder find_key;
  int64_t now_seconds = 0;
};

// The FileOpener's work: checks the key (InvalidArgument), authenticates the form and checks
// its policy (s3post), maps the fields to PutObject's headers (Content-Type, Cache-Control,
// Content-Disposition, Content-Encoding, Expires, x-amz-meta-*, acl, tagging (an XML
// document: MalformedXML), x-amz-storage-class, x-amz-server-side-encryption*,
// x-amz-website-redirect-location, x-amz-checksum-*, Content-MD5) and decodes them with the
// rest-xml codec, then opens the service's consumer for the file's bytes. The input carries
// kPostObjectMarker.
std::variant<PostPrepared, AwsError> PreparePostObject(const PostObjectTarget& target,
                                                       const s3post::FormFields& fields);

// The reply to a form whose PutObject answered `output` (ETag, VersionId, ...): 303 to
// success_action_redirect (or redirect) when it is an http(s) URL, with bucket, key and etag
// added to its query; else success_action_status 200, 201 (a PostResponse document) or 204
// (the default, and for any other value). ETag, Location (scheme://host/[bucket/]key) and
// x-amz-version-id headers in each case.
http::HttpResponse PostObjectResponse(const boost::json::object& output,
                                      const s3post::FormFields& fields, std::string_view bucket,
                                      std::string_view key, std::string_view host,
                                      bool virtual_host);

}  // namespace tidepool::protocol

// The contract between the protocol layer and a service.
//
// The protocol layer (router + codec) turns an HTTP request into a Call: the operation from
// the service's model and an input object shaped exactly like the operation's input shape,
// already validated against the model. The service runs the call and completes it once with
// an output object or an AwsError; the codec writes the reply. The protocol layer knows no
// service; a service knows nothing of HTTP or wire formats.
//
// Value conventions inside input/output objects (all protocols):
//   structure -> json object keyed by member name (model spelling, e.g. "StreamName")
//   list -> json array, map -> json object
//   string / enum -> json string
//   integer, long -> json int64; float, double -> json double; boolean -> json bool
//   blob -> json string holding the raw bytes (the codec base64-decodes/encodes)
//   timestamp -> json double, seconds since the epoch (fractional part = sub-second)
// Absent optional members are absent keys (never null).
#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/model/model.h"

namespace tidepool::protocol {
namespace http {
class BodySource;
}

// An error as AWS reports it. `code` is the AWS error code ("ResourceNotFoundException").
struct AwsError {
  std::string code;
  std::string message;
  int http_status = 400;
  bool sender_fault = true;  // false for server faults (5xx)
  // Query-protocol services with legacy codes (SQS: "AWS.SimpleQueueService.NonExistentQueue"):
  // the code to send over the query protocol and in the JSON protocol's x-amzn-query-error
  // header. Empty when the service has none.
  std::string query_code = {};
  // Members of the error beyond code and message, as JSON object members already serialized
  // without braces (`"CancellationReasons":[...]`); the JSON protocols append them to the
  // error body, the others ignore them. Empty when there are none.
  std::string extra_json = {};
};

// Facts about the request that every operation may need, derived by the router.
struct RequestContext {
  std::string account_id;     // from the SigV4 access key (12 digits) or --account
  std::string region;         // from the SigV4 credential scope, else --region
  std::string access_key_id;  // empty for unsigned requests
  std::string request_id;     // also sent as x-amzn-RequestId
  std::string host;           // the Host header the client used (for URLs such as queue URLs)
  std::string trace_header;   // X-Amzn-Trace-Id (an X-Ray trace header), empty without one
};

// An output already serialized as the operation's AWS JSON output document, by a hand-written
// encoder on a hot path (Kinesis records): the codec sends it as it is. Only for services
// spoken over the JSON protocol alone; the query protocol answers it with InternalFailure.
struct EncodedJson {
  std::string body;
};

// An output whose payload member (a blob: an S3 object's bytes) is read in pieces from `body`
// instead of held in the output object. Only the rest-xml codec sends it.
struct StreamedOutput {
  boost::json::object output;
  std::shared_ptr<http::BodySource> body;
  unsigned status = 0;  // 0: the operation's own (206 for a range)
};

using Outcome = std::variant<boost::json::object, AwsError, EncodedJson, StreamedOutput>;

// How a request body is framed, from its headers: what a BodyConsumer needs to decode it
// (S3's aws-chunked uploads, SigV4 streaming).
struct BodyFraming {
  std::string content_encoding;            // Content-Encoding
  std::string content_sha256;              // x-amz-content-sha256 ("STREAMING-...", a hash)
  std::string trailer;                     // x-amz-trailer (a trailing checksum's header name)
  std::optional<uint64_t> decoded_length;  // x-amz-decoded-content-length
  // The flexible checksum the client sends or asks for, lower case ("crc32"): from
  // x-amz-sdk-checksum-algorithm / x-amz-checksum-algorithm, an x-amz-checksum-<alg> header
  // or trailer; empty when none.
  std::string checksum_algorithm;
};

// A request body taken in pieces, in order, as it arrives (Service::OpenBodyConsumer), before
// the call is invoked. Called from one thread at a time; never blocks for long.
class BodyConsumer {
 public:
  virtual ~BodyConsumer() = default;
  virtual void Write(std::string_view piece) = 0;
};

// Decodes a raw request body as `op`'s input the way the protocol's codec does (see
// Call::DecodeInput): the validated input object, or the error to reply.
using InputDecoder = std::variant<boost::json::object, AwsError> (*)(const model::ServiceModel&,
                                                                     const model::Operation&,
                                                                     std::string_view body);

// One operation call. Complete it exactly once, with Reply or Fail, from any thread. A Call
// that is destroyed without completion replies InternalFailure (a bug, logged loudly).
class Call {
 public:
  using Completion = std::function<void(Outcome)>;

  // The body as it arrived, not yet decoded (an operation for which TakesRawInput said yes,
  // over the JSON protocol): input() stays empty until DecodeInput() fills it.
  struct RawInput {
    std::string body;
    const model::ServiceModel* model;
    InputDecoder decode;
  };

  Call(RequestContext context, const model::Operation& operation, boost::json::object input,
       Completion done)
      : context_(std::move(context)),
        operation_(operation),
        input_(std::move(input)),
        done_(std::move(done)) {}
  Call(RequestContext context, const model::Operation& operation, RawInput raw, Completion done)
      : context_(std::move(context)),
        operation_(operation),
        raw_(std::move(raw)),
        done_(std::move(done)) {}
  ~Call();
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  const RequestContext& context() const { return context_; }
  const model::Operation& operation() const { return operation_; }
  const boost::json::object& input() const { return input_; }
  boost::json::object& mutable_input() { return input_; }

  // The undecoded body of a raw-input call, for the operation's own fast reader; nullptr when
  // the protocol layer decoded the input already (or DecodeInput ran).
  const std::string* raw_body() const { return raw_ ? &raw_->body : nullptr; }
  // For a raw-input call whose fast reader gave up: decodes and validates the body with the
  // codec into input(). On a decode error fails the call with the codec's error and returns
  // false. Returns true at once for a call whose input is decoded already.
  bool DecodeInput();

  void Reply(boost::json::object output) { Complete(std::move(output)); }
  void ReplyStreamed(boost::json::object output, std::shared_ptr<http::BodySource> body,
                     unsigned status = 0) {
    Complete(StreamedOutput{std::move(output), std::move(body), status});
  }
  // The consumer that took this call's payload (Service::OpenBodyConsumer): the payload member
  // is then absent from input(). nullptr for other calls.
  const std::shared_ptr<BodyConsumer>& body_consumer() const { return body_consumer_; }
  void set_body_consumer(std::shared_ptr<BodyConsumer> consumer) {
    body_consumer_ = std::move(consumer);
  }
  void ReplyEncoded(EncodedJson output) { Complete(std::move(output)); }
  void Fail(AwsError error) { Complete(std::move(error)); }
  // Any of the three, for a handler that built its outcome in either form. The first
  // completion wins; later ones are ignored.
  void Complete(Outcome outcome);
  bool completed() const { return !done_; }

 private:
  RequestContext context_;
  const model::Operation& operation_;
  boost::json::object input_;
  std::optional<RawInput> raw_;  // set until DecodeInput() for raw-input calls
  std::shared_ptr<BodyConsumer> body_consumer_;
  Completion done_;
};

// Shared so that a handler can hand the call to an asynchronous completion (std::function
// needs copyable captures).
using CallPtr = std::shared_ptr<Call>;

// A cross-origin request to check against a resource's CORS rules (S3's bucket CORS): the
// Origin header, the method (of the request, or a preflight's Access-Control-Request-Method)
// and the headers a preflight's Access-Control-Request-Headers asks for.
struct CorsQuery {
  std::string bucket;
  std::string origin;
  std::string method;
  std::vector<std::string> headers;
  bool preflight = false;
};
// The Access-Control-* (and Vary) headers to add to the response; empty when no rule allows
// the request (a preflight is then refused; an actual request is answered without them).
struct CorsGrant {
  std::vector<std::pair<std::string, std::string>> headers;
};

class Service {
 public:
  virtual ~Service() = default;
  // Lower-case name used in logs and health output ("kinesis").
  virtual std::string_view Name() const = 0;
  virtual const model::ServiceModel& Model() const = 0;
  // Runs call->operation(). Must not block: slow work completes the call later.
  virtual void Invoke(CallPtr call) = 0;
  // Whether Invoke wants `op`'s calls over the JSON protocol undecoded (Call::raw_body), to
  // read the common shape of a hot operation's input itself. Such an operation must call
  // Call::DecodeInput() for any body its reader does not accept in full, so that clients see
  // exactly the codec's validation; other protocols always decode first.
  virtual bool TakesRawInput(const model::Operation& /*op*/) const { return false; }
  // For an operation whose payload is a blob (rest-xml): a consumer to take the body in pieces
  // as it arrives, instead of the codec buffering it into the input; nullptr (the default)
  // buffers it. The consumer is handed to the call (Call::body_consumer) once the body is in.
  virtual std::shared_ptr<BodyConsumer> OpenBodyConsumer(const model::Operation& /*op*/,
                                                         const BodyFraming& /*framing*/) {
    return nullptr;
  }
  // The CORS headers `query` earns (rest-xml services: the router asks for OPTIONS preflights
  // and for requests with an Origin header); an AwsError refuses a preflight. Thread-safe.
  virtual std::variant<CorsGrant, AwsError> MatchCors(const CorsQuery& /*query*/) const {
    return AwsError{"MethodNotAllowed",
                    "The specified method is not allowed against this "
                    "resource.",
                    405,
                    true,
                    {}};
  }
  // Per-service status for GET /_tidepool/health, e.g. {"status":"running","streams":3}.
  virtual boost::json::object Health() const = 0;
};

}  // namespace tidepool::protocol

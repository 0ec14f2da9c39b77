// Recursive loop detection: the `Lineage` field of an X-Ray trace header, as Lambda keeps it.
//
// A trace header is `Root=1-...;Parent=...;Sampled=0;Lineage=<entries>`, where <entries> is
// `<id>:<count>` joined by `|`: per function of the chain, an 8-hex-digit id of its ARN (FNV-1a
// of the unqualified ARN) and how many times the chain has invoked it. Each invocation of a
// function continues the header it came with (the invoke call's X-Amzn-Trace-Id, an SQS
// message's AWSTraceHeader, an SNS publish's header) with that function's count raised by one;
// the function gets the result as _X_AMZN_TRACE_ID, and the SDK calls it makes send it onward.
// A chain that would invoke one function more than kMaxChainInvocations times is a loop.
#pragma once

#include <string>
#include <string_view>

namespace tidepool::lambda {

// AWS stops the invocation after 16 invocations of one function in one chain.
inline constexpr int kMaxChainInvocations = 16;

// The message of the kServiceError outcome InvokeFunction answers for an invocation it stopped
// (Terminate): engine flows recognise it by this prefix.
inline constexpr std::string_view kRecursionStoppedPrefix = "RecursiveInvocationException";

// Whether to stop an invocation that recursive loop detection finds in a loop.
enum class RecursionCheck {
  kCount,    // count the invocation in the chain's Lineage, never stop it (the source is one
             // AWS does not watch: Kinesis, DynamoDB Streams, Step Functions, API Gateway)
  kEnforce,  // stop it when the function's RecursiveLoop is Terminate (SQS, SNS, S3, Lambda)
};

struct LineageStep {
  std::string header;  // the header the function gets: `trace` (or a new trace) continued
  int count = 0;       // the invocations of the function in the chain, this one included
};

// Continues `trace` (an X-Ray trace header, possibly percent-encoded as botocore sends it, or
// empty: a new trace starts) with one more invocation of `function_arn` (qualifier ignored).
LineageStep ContinueLineage(std::string_view trace, std::string_view function_arn);

// The 8-hex-digit Lineage id of a function ARN (its qualifier dropped).
std::string LineageId(std::string_view function_arn);

}  // namespace tidepool::lambda

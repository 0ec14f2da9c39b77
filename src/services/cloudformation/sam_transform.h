// The AWS::Serverless-2016-10-31 transform (SAM), run by AWS's own SAM translator
// (aws-sam-translator for python3) in a child process: runtimes/cloudformation/sam_transform.py.
//
// Why not our own: SAM is a large, moving specification (generated logical ids, policy
// templates, event sources, API definitions) whose reference implementation is AWS's open
// translator, the one CloudFormation runs. Running it gives templates exactly the resources
// AWS would create; a user without it gets a clear error naming the package.
//
// Blocking (a python3 start, about 0.5 s): call it off the io threads. Thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <string>

#include "core/result.h"

namespace tidepool::cloudformation {

inline constexpr std::string_view kSamTransform = "AWS::Serverless-2016-10-31";

struct SamContext {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string partition = "aws";
  std::string stack_name;
  boost::json::object parameters;  // the stack's parameter values, by name (strings)
};

struct SamTransformOptions {
  std::string python;        // empty: the machine's python3 (as Python functions run)
  std::string runtimes_dir;  // empty: functions::DefaultRuntimesDir()
  std::chrono::milliseconds timeout{60'000};
  size_t max_output_bytes = 64 << 20;
};

// The processed template. Errors: InvalidArgument with AWS's text ("Transform
// AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification
// document. Number of errors found: 1. Resource with id [X] is invalid. ..."); Unavailable
// when the translator is not installed or cannot run (the message says why).
Result<boost::json::value> RunSamTransform(const boost::json::value& document,
                                           const SamContext& context,
                                           const SamTransformOptions& options = {});

}  // namespace tidepool::cloudformation

// Where a stack operation's template comes from and what is checked before anything is
// created: TemplateBody or TemplateURL (an object of this tidepool's S3), the transforms
// (AWS::Serverless-2016-10-31 through sam_transform.h; AWS::LanguageExtensions by the
// evaluator; any other transform is a macro, refused), every resource type deployable, the
// references resolvable, the parameters valid, the IAM capabilities acknowledged.
//
// Blocking (the S3 read and the SAM transform): call it off the io threads. Thread-safe.
#pragma once

#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "services/cloudformation/parameters.h"
#include "services/cloudformation/provider.h"
#include "services/cloudformation/stack.h"
#include "services/cloudformation/template.h"

namespace tidepool::cloudformation {

// The bucket and key a TemplateURL names: http(s)://HOST[:PORT]/BUCKET/KEY (path style, this
// tidepool or s3[.region].amazonaws.com) or https://BUCKET.s3[.region].amazonaws.com/KEY.
// InvalidArgument (AWS's ValidationError text) for any other URL.
Result<std::pair<std::string, std::string>> ParseTemplateUrl(const std::string& url);

// TemplateBody, or the object TemplateURL names read through `s3`.
Result<std::string> TemplateText(ServiceCaller& s3, const std::string& body,
                                 const std::string& url);

struct PreparedTemplate {
  DeployedTemplate deployed;            // body, processed document, parameter values
  Template parsed;                      // of the processed document
  std::vector<std::string> transforms;  // the Transform section of the body
};

// Parses `body`, runs its transforms, checks types, references, parameters (`given`, with
// `previous` for UsePreviousValue) and `capabilities`. `stack` names the stack for SAM's
// context (empty for ValidateTemplate, which checks no parameters and no capabilities when
// `check_parameters` is false).
Result<PreparedTemplate> PrepareTemplate(const std::string& body, const std::string& stack,
                                         const std::string& account, const std::string& region,
                                         const std::map<std::string, GivenParameter>& given,
                                         const std::map<std::string, std::string>& previous,
                                         const std::vector<std::string>& capabilities,
                                         bool check_parameters = true);

// The capability the template's IAM resources need: "CAPABILITY_NAMED_IAM" when one is named,
// "CAPABILITY_IAM" when there are unnamed ones, empty when there are none.
std::string RequiredCapability(const Template& t);

}  // namespace tidepool::cloudformation

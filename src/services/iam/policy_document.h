// Policy documents: IAM stores them as given and never evaluates them, but refuses the ones
// AWS refuses (MalformedPolicyDocument), and sends them back URL-encoded, as AWS does (boto3
// and the CLI decode them; the JS SDK hands the encoded text to the caller).
//
// What is checked, with AWS's texts:
//   - the text is a JSON object ("Syntax errors in policy.");
//   - Version, when present, is "2012-10-17" or "2008-10-17" ("The policy failed legacy
//     parsing");
//   - Statement is present ("Missing required field Statement"), an object or an array of
//     objects ("Syntax errors in policy.");
//   - each statement has Effect "Allow" or "Deny" ("Missing required field Effect" /
//     "Invalid effect: X"), Action or NotAction ("Policy statement must contain actions.");
//   - an identity policy (managed or inline) has Resource or NotResource in each statement
//     ("Policy statement must contain resources.") and no Principal ("Has prohibited field
//     Principal");
//   - a trust policy (a role's AssumeRolePolicyDocument) has Principal or NotPrincipal in each
//     statement ("Missing required field Principal") and no Resource ("Has prohibited field
//     Resource").
// Principals, actions and resources are not otherwise interpreted. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tidepool::iam {

enum class PolicyKind {
  kIdentity,  // a managed policy's versions, inline policies of roles, users and groups
  kTrust,     // a role's AssumeRolePolicyDocument
};

// OK, or an IamError::kMalformedPolicyDocument status with AWS's text.
Status ValidatePolicyDocument(std::string_view document, PolicyKind kind);

// The document as IAM replies it: percent-encoded (RFC 3986 unreserved characters kept).
std::string EncodePolicyDocument(std::string_view document);

}  // namespace tidepool::iam

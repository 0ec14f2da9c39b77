#include "services/iam/policy_document.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "services/iam/iam_errors.h"

namespace tidepool::iam {
namespace json = boost::json;

namespace {

Status Malformed(std::string message) {
  return IamStatus(IamError::kMalformedPolicyDocument, std::move(message));
}

Status ValidateStatement(const json::object& statement, PolicyKind kind) {
  const json::value* effect = statement.if_contains("Effect");
  if (effect == nullptr) return Malformed("Missing required field Effect");
  if (!effect->is_string()) return Malformed("Syntax errors in policy.");
  if (effect->get_string() != "Allow" && effect->get_string() != "Deny") {
    return Malformed("Invalid effect: " + std::string(effect->get_string()));
  }
  if (!statement.contains("Action") && !statement.contains("NotAction")) {
    return Malformed("Policy statement must contain actions.");
  }
  const bool has_resource = statement.contains("Resource") || statement.contains("NotResource");
  const bool has_principal = statement.contains("Principal") || statement.contains("NotPrincipal");
  if (kind == PolicyKind::kIdentity) {
    if (has_principal) return Malformed("Has prohibited field Principal");
    if (!has_resource) return Malformed("Policy statement must contain resources.");
  } else {
    if (statement.contains("Resource")) return Malformed("Has prohibited field Resource");
    if (!has_principal) return Malformed("Missing required field Principal");
  }
  return Status::Ok();
}

}  // namespace

Status ValidatePolicyDocument(std::string_view document, PolicyKind kind) {
  boost::system::error_code ec;
  json::value parsed = json::parse(document, ec);
  if (ec || !parsed.is_object()) return Malformed("Syntax errors in policy.");
  const json::object& policy = parsed.get_object();
  if (const json::value* version = policy.if_contains("Version")) {
    if (!version->is_string() ||
        (version->get_string() != "2012-10-17" && version->get_string() != "2008-10-17")) {
      return Malformed("The policy failed legacy parsing");
    }
  }
  const json::value* statements = policy.if_contains("Statement");
  if (statements == nullptr) return Malformed("Missing required field Statement");
  if (statements->is_object()) return ValidateStatement(statements->get_object(), kind);
  if (!statements->is_array()) return Malformed("Syntax errors in policy.");
  for (const json::value& statement : statements->get_array()) {
    if (!statement.is_object()) return Malformed("Syntax errors in policy.");
    TP_RETURN_IF_ERROR(ValidateStatement(statement.get_object(), kind));
  }
  return Status::Ok();
}

std::string EncodePolicyDocument(std::string_view document) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(document.size() * 2);
  for (unsigned char c : document) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace tidepool::iam

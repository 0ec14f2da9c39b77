#include "services/iam/policy_document.h"

#include <gtest/gtest.h>

#include "services/iam/iam_errors.h"

namespace tidepool::iam {
namespace {

std::string Message(std::string_view document, PolicyKind kind) {
  Status st = ValidatePolicyDocument(document, kind);
  if (st.ok()) return "ok";
  EXPECT_EQ(st.detail(), static_cast<uint16_t>(IamError::kMalformedPolicyDocument));
  return st.message();
}

TEST(PolicyDocumentTest, TrustPoliciesNeedPrincipalsAndNoResources) {
  EXPECT_EQ(Message(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":)"
                    R"({"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})",
                    PolicyKind::kTrust),
            "ok");
  EXPECT_EQ(
      Message(R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}})", PolicyKind::kTrust),
      "Missing required field Principal");
  EXPECT_EQ(Message(R"({"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",)"
                    R"("Resource":"*"}})",
                    PolicyKind::kTrust),
            "Has prohibited field Resource");
}

TEST(PolicyDocumentTest, IdentityPoliciesNeedActionsAndResources) {
  EXPECT_EQ(Message(R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":)"
                    R"(["logs:*"],"Resource":"*"}]})",
                    PolicyKind::kIdentity),
            "ok");
  EXPECT_EQ(Message(R"({"Statement":[{"Effect":"Deny","NotAction":"s3:*","NotResource":"*"}]})",
                    PolicyKind::kIdentity),
            "ok");
  EXPECT_EQ(Message(R"({"Statement":[{"Effect":"Allow","Resource":"*"}]})", PolicyKind::kIdentity),
            "Policy statement must contain actions.");
  EXPECT_EQ(Message(R"({"Statement":[{"Effect":"Allow","Action":"s3:*"}]})", PolicyKind::kIdentity),
            "Policy statement must contain resources.");
  EXPECT_EQ(Message(R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*",)"
                    R"("Resource":"*"}]})",
                    PolicyKind::kIdentity),
            "Has prohibited field Principal");
}

TEST(PolicyDocumentTest, StructureErrors) {
  EXPECT_EQ(Message("not json", PolicyKind::kIdentity), "Syntax errors in policy.");
  EXPECT_EQ(Message("[1]", PolicyKind::kIdentity), "Syntax errors in policy.");
  EXPECT_EQ(Message(R"({"Version":"2012-10-17"})", PolicyKind::kIdentity),
            "Missing required field Statement");
  EXPECT_EQ(Message(R"({"Version":"2020-01-01","Statement":[]})", PolicyKind::kIdentity),
            "The policy failed legacy parsing");
  EXPECT_EQ(Message(R"({"Statement":[1]})", PolicyKind::kIdentity), "Syntax errors in policy.");
  EXPECT_EQ(Message(R"({"Statement":{"Action":"s3:*","Resource":"*"}})", PolicyKind::kIdentity),
            "Missing required field Effect");
  EXPECT_EQ(Message(R"({"Statement":{"Effect":"Maybe","Action":"s3:*","Resource":"*"}})",
                    PolicyKind::kIdentity),
            "Invalid effect: Maybe");
}

TEST(PolicyDocumentTest, EncodingKeepsUnreservedCharacters) {
  EXPECT_EQ(EncodePolicyDocument(R"({"A": "b-c_d.e~f/*"})"),
            "%7B%22A%22%3A%20%22b-c_d.e~f%2F%2A%22%7D");
}

}  // namespace
}  // namespace tidepool::iam

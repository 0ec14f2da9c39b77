#include "protocol/rest/s3_post_policy.h"

#include <gtest/gtest.h>

#include "core/encoding.h"

namespace tidepool::protocol::s3post {
namespace {

// The example of AWS's "Example: Browser-Based Upload using HTTP POST (Using AWS Signature
// Version 4)": its policy, credentials and the signature the page gives.
constexpr std::string_view kExamplePolicy =
    "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7Im"
    "J1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2Vy"
    "MS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaH"
    "R0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAg"
    "ICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOi"
    "AiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQog"
    "ICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOi"
    "AiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1h"
    "bXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMD"
    "AwWiIgfQ0KICBdDQp9";
constexpr int64_t kExampleNow = 1451390400;  // 2015-12-29T12:00:00Z

FormFields ExampleFields() {
  return {{"key", "user/user1/photo.jpg"},
          {"acl", "public-read"},
          {"success_action_redirect",
           "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},
          {"Content-Type", "image/jpeg"},
          {"x-amz-meta-uuid", "14365123651274"},
          {"x-amz-server-side-encryption", "AES256"},
          {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},
          {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
          {"X-Amz-Date", "20151229T000000Z"},
          {"x-amz-meta-tag", ""},
          {"Policy", std::string(kExamplePolicy)},
          {"X-Amz-Signature", "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"}};
}

KeyFinder ExampleKeys() {
  return [](std::string_view id) -> std::optional<AccessKey> {
    if (id == "AKIAIOSFODNN7EXAMPLE") {
      return AccessKey{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "111122223333"};
    }
    if (id == "V2KEY") return AccessKey{"v2secret", "444455556666"};
    return std::nullopt;
  };
}

void Set(FormFields& fields, std::string_view name, std::string value) {
  for (FormField& f : fields) {
    if (f.name == name) {
      f.value = std::move(value);
      return;
    }
  }
  fields.push_back(FormField{std::string(name), std::move(value)});
}

std::string ErrorCode(const std::variant<AuthInfo, AwsError>& result) {
  const AwsError* e = std::get_if<AwsError>(&result);
  return e ? e->code : "";
}

PostPolicy Parse(std::string_view json) {
  auto parsed = ParsePostPolicy(Base64Encode(json));
  EXPECT_TRUE(std::holds_alternative<PostPolicy>(parsed))
      << std::get<AwsError>(parsed).message << " for " << json;
  return std::holds_alternative<PostPolicy>(parsed) ? std::get<PostPolicy>(parsed) : PostPolicy{};
}

TEST(S3PostPolicyTest, VerifiesTheSigV4ExampleOfTheDocumentation) {
  auto info = AuthenticatePostForm(ExampleFields(), AuthMode::kStrict, ExampleKeys(), kExampleNow);
  ASSERT_TRUE(std::holds_alternative<AuthInfo>(info)) << std::get<AwsError>(info).message;
  EXPECT_EQ(std::get<AuthInfo>(info).account_id, "111122223333");
  EXPECT_EQ(std::get<AuthInfo>(info).region, "us-east-1");

  auto parsed = ParsePostPolicy(kExamplePolicy);
  ASSERT_TRUE(std::holds_alternative<PostPolicy>(parsed));
  const PostPolicy& policy = std::get<PostPolicy>(parsed);
  EXPECT_FALSE(CheckPostPolicy(policy, ExampleFields(), "sigv4examplebucket", kExampleNow));
  auto expired =
      CheckPostPolicy(policy, ExampleFields(), "sigv4examplebucket", kExampleNow + 86400);
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->code, "AccessDenied");
  EXPECT_EQ(expired->message, "Invalid according to Policy: Policy expired.");
  auto other_bucket = CheckPostPolicy(policy, ExampleFields(), "other", kExampleNow);
  ASSERT_TRUE(other_bucket);
  EXPECT_EQ(other_bucket->message,
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", "
            "\"sigv4examplebucket\"]");
}

TEST(S3PostPolicyTest, RefusesWrongSignaturesInStrictModeOnly) {
  FormFields fields = ExampleFields();
  Set(fields, "X-Amz-Signature", std::string(64, '0'));
  auto strict = AuthenticatePostForm(fields, AuthMode::kStrict, ExampleKeys(), kExampleNow);
  EXPECT_EQ(ErrorCode(strict), "SignatureDoesNotMatch");
  EXPECT_EQ(std::get<AwsError>(strict).http_status, 403);
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kAcceptAny, ExampleKeys(), 0)), "");

  Set(fields, "X-Amz-Credential", "AKIAUNKNOWN/20151229/us-east-1/s3/aws4_request");
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kStrict, ExampleKeys(), kExampleNow)),
            "InvalidAccessKeyId");
  auto any = AuthenticatePostForm(fields, AuthMode::kAcceptAny, ExampleKeys(), kExampleNow);
  ASSERT_TRUE(std::holds_alternative<AuthInfo>(any));
  EXPECT_EQ(std::get<AuthInfo>(any).access_key_id, "AKIAUNKNOWN");
}

TEST(S3PostPolicyTest, RefusesMalformedCredentialsInEveryMode) {
  for (auto [name, value] : std::initializer_list<std::pair<std::string_view, std::string>>{
           {"X-Amz-Algorithm", "AWS4-HMAC-SHA1"},
           {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/us-east-1/s3/aws4_request"},
           {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/ec2/aws4_request"},
           {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20151230/us-east-1/s3/aws4_request"},
           {"X-Amz-Date", "2015-12-29T00:00:00Z"}}) {
    FormFields fields = ExampleFields();
    Set(fields, name, value);
    EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kAcceptAny, ExampleKeys(), 0)),
              "AuthorizationQueryParametersError")
        << name << "=" << value;
  }
}

TEST(S3PostPolicyTest, NamesTheMissingFieldOfASignature) {
  FormFields fields = ExampleFields();
  std::erase_if(fields, [](const FormField& f) { return f.name == "X-Amz-Date"; });
  auto result = AuthenticatePostForm(fields, AuthMode::kAcceptAny, ExampleKeys(), 0);
  ASSERT_EQ(ErrorCode(result), "InvalidArgument");
  EXPECT_EQ(std::get<AwsError>(result).message,
            "Bucket POST must contain a field named 'X-Amz-Date'.  If it is specified, please "
            "check the order of the fields.");
  std::erase_if(fields, [](const FormField& f) { return f.name == "Policy"; });
  EXPECT_EQ(std::get<AwsError>(AuthenticatePostForm(fields, AuthMode::kAcceptAny, ExampleKeys(), 0))
                    .message.find("'policy'") != std::string::npos,
            true);
}

TEST(S3PostPolicyTest, AnonymousFormsPassOnlyOutsideStrictMode) {
  FormFields fields = {{"key", "k"}};
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kAcceptAny, ExampleKeys(), 0)), "");
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kStrict, ExampleKeys(), 0)),
            "AccessDenied");
  fields.push_back({"policy", "e30="});  // a policy without a signature
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kStrict, ExampleKeys(), 0)),
            "AccessDenied");
}

TEST(S3PostPolicyTest, VerifiesSigV2Signatures) {
  // Signature: base64 HMAC-SHA1("v2secret", policy), computed with Python's hmac module.
  const std::string policy =
      "eyJleHBpcmF0aW9uIjogIjIwMzAtMDEtMDFUMDA6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAiYi"
      "J9LCBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidS8iXV19";
  FormFields fields = {{"key", "u/1"},
                       {"AWSAccessKeyId", "V2KEY"},
                       {"policy", policy},
                       {"signature", "7K7r7NnKXUmzpnKticuFtEIqOlA="}};
  auto ok = AuthenticatePostForm(fields, AuthMode::kStrict, ExampleKeys(), 0);
  ASSERT_TRUE(std::holds_alternative<AuthInfo>(ok)) << std::get<AwsError>(ok).message;
  EXPECT_EQ(std::get<AuthInfo>(ok).account_id, "444455556666");
  Set(fields, "signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kStrict, ExampleKeys(), 0)),
            "SignatureDoesNotMatch");
}

TEST(S3PostPolicyTest, ChecksTemporaryCredentialsTokens) {
  KeyFinder keys = [](std::string_view) -> std::optional<AccessKey> {
    return AccessKey{"v2secret", "444455556666", "the-token", 0};
  };
  const std::string policy =
      "eyJleHBpcmF0aW9uIjogIjIwMzAtMDEtMDFUMDA6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAiYi"
      "J9LCBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidS8iXV19";
  FormFields fields = {{"AWSAccessKeyId", "V2KEY"},
                       {"policy", policy},
                       {"signature", "7K7r7NnKXUmzpnKticuFtEIqOlA="}};
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kStrict, keys, 0)),
            "InvalidAccessKeyId");
  fields.push_back({"x-amz-security-token", "other"});
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kStrict, keys, 0)), "InvalidToken");
  Set(fields, "x-amz-security-token", "the-token");
  EXPECT_EQ(ErrorCode(AuthenticatePostForm(fields, AuthMode::kStrict, keys, 0)), "");
}

TEST(S3PostPolicyTest, RefusesMalformedPolicies) {
  struct Case {
    std::string_view json;
    std::string_view message;
  };
  const Case cases[] = {
      {"not json", "Invalid Policy: Invalid JSON."},
      {"[]", "Invalid Policy: Invalid JSON."},
      {R"({"conditions": []})", "Invalid Policy: Policy missing expiration."},
      {R"({"expiration": "2030-01-01T00:00:00Z"})", "Invalid Policy: Policy missing conditions."},
      {R"({"expiration": "2030-01-01 00:00:00", "conditions": []})",
       "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00'"},
      {R"({"expiration": "2030-02-30T00:00:00Z", "conditions": []})",
       "Invalid Policy: Invalid 'expiration' value: '2030-02-30T00:00:00Z'"},
      {R"({"expiration": "2030-01-01T00:00:00+00:00", "conditions": []})",
       "Invalid Policy: Invalid 'expiration' value: '2030-01-01T00:00:00+00:00'"},
      {R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [{"a": "1", "b": "2"}]})",
       "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property "
       "specified."},
      {R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [{}]})",
       "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property "
       "specified."},
  };
  for (const Case& c : cases) {
    auto parsed = ParsePostPolicy(Base64Encode(c.json));
    ASSERT_TRUE(std::holds_alternative<AwsError>(parsed)) << c.json;
    EXPECT_EQ(std::get<AwsError>(parsed).code, "InvalidPolicyDocument");
    EXPECT_EQ(std::get<AwsError>(parsed).message, c.message);
  }
  for (std::string_view json : {
           R"({"expiration": "2030-01-01T00:00:00Z", "conditions": {}})",
           R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [{"acl": 1}]})",
           R"({"expiration": "2030-01-01T00:00:00Z", "conditions": ["bucket"]})",
           R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "$key"]]})",
           R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [["ends-with", "$k", "x"]]})",
           R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", 0]]})",
           R"({"expiration": "2030-01-01T00:00:00Z",
               "conditions": [["content-length-range", -1, 0]]})",
       }) {
    auto parsed = ParsePostPolicy(Base64Encode(json));
    ASSERT_TRUE(std::holds_alternative<AwsError>(parsed)) << json;
    EXPECT_EQ(std::get<AwsError>(parsed).code, "InvalidPolicyDocument") << json;
  }
  EXPECT_TRUE(std::holds_alternative<AwsError>(ParsePostPolicy("{policy}")));
}

TEST(S3PostPolicyTest, ChecksConditionsAsS3Does) {
  PostPolicy policy = Parse(R"({"expiration": "2030-01-01T00:00:00.000Z", "conditions": [
      {"Bucket": "b"}, ["StArTs-WiTh", "$KeY", "up/"], ["eq", "$acl", "private"],
      ["starts-with", "$Content-Type", "image/"], ["starts-with", "$x-amz-meta-tag", ""],
      ["content-length-range", "5", 10]]})");
  FormFields fields = {{"KEY", "up/a"},
                       {"Acl", "private"},
                       {"content-type", "image/png, image/gif"},
                       {"x-ignore-me", "1"},
                       {"policy", "p"}};
  EXPECT_FALSE(CheckPostPolicy(policy, fields, "b", 0));
  auto failed = [&](const FormFields& f) {
    auto e = CheckPostPolicy(policy, f, "b", 0);
    return e ? e->message : "";
  };
  FormFields other = fields;
  Set(other, "content-type", "image/png,text/html");
  EXPECT_EQ(failed(other),
            "Invalid according to Policy: Policy Condition failed: [\"starts-with\", "
            "\"$Content-Type\", \"image/\"]");
  other = fields;
  Set(other, "KEY", "down/a");
  EXPECT_EQ(failed(other),
            "Invalid according to Policy: Policy Condition failed: [\"StArTs-WiTh\", \"$KeY\", "
            "\"up/\"]");
  other = fields;
  other.push_back({"Expires", "0"});
  EXPECT_EQ(failed(other), "Invalid according to Policy: Extra input fields: expires");
  other = fields;
  std::erase_if(other, [](const FormField& f) { return f.name == "Acl"; });
  EXPECT_EQ(
      failed(other),
      "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$acl\", \"private\"]");

  PostPolicy no_bucket =
      Parse(R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "key", "k"]]})");
  auto e = CheckPostPolicy(no_bucket, {{"key", "k"}}, "b", 0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message,
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"key\", \"k\"]");
  PostPolicy only_key =
      Parse(R"({"expiration": "2030-01-01T00:00:00Z", "conditions": [{"key": "k"}]})");
  e = CheckPostPolicy(only_key, {{"key", "k"}}, "b", 0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "Invalid according to Policy: Extra input fields: bucket");

  EXPECT_EQ(PostMaxContentLength(policy).value_or(0), 10u);
  EXPECT_FALSE(CheckPostContentLength(policy, 5));
  EXPECT_FALSE(CheckPostContentLength(policy, 10));
  EXPECT_EQ(CheckPostContentLength(policy, 4)->code, "EntityTooSmall");
  EXPECT_EQ(CheckPostContentLength(policy, 11)->code, "EntityTooLarge");
  EXPECT_EQ(CheckPostContentLength(policy, 11)->http_status, 400);
}

}  // namespace
}  // namespace tidepool::protocol::s3post

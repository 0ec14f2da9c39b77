#include "protocol/rest/s3_post_form.h"

#include <gtest/gtest.h>

#include "core/encoding.h"
#include "protocol/http/query_string.h"

namespace tidepool::protocol {
namespace {

namespace bhttp = boost::beast::http;

class Collect : public BodyConsumer {
 public:
  void Write(std::string_view piece) override { bytes.append(piece); }
  std::string bytes;
};

std::string Body(const std::vector<std::pair<std::string, std::string>>& parts,
                 std::string_view filename = "dir\\photo.jpg") {
  std::string out;
  for (const auto& [name, value] : parts) {
    out += "--B\r\nContent-Disposition: form-data; name=\"" + name + "\"";
    if (name == "file") out += "; filename=\"" + std::string(filename) + "\"";
    out += "\r\n\r\n" + value + "\r\n";
  }
  return out + "--B--\r\n";
}

// A form whose opener records the fields it saw and hands the file to `sink`.
struct Harness {
  std::shared_ptr<Collect> sink = std::make_shared<Collect>();
  s3post::FormFields seen;
  int opened = 0;
  std::optional<AwsError> refuse;
  std::optional<s3post::PostPolicy> policy;
  S3PostForm form{"B",
                  [this](const s3post::FormFields& fields) -> std::variant<PostPrepared, AwsError> {
                    ++opened;
                    seen = fields;
                    if (refuse) return *refuse;
                    PostPrepared p;
                    p.consumer = sink;
                    p.policy = policy;
                    return p;
                  }};
};

TEST(S3PostFormTest, StreamsTheFileAndIgnoresFieldsAfterIt) {
  Harness h;
  std::string body = Body({{"key", "in/${filename}"},
                           {"x-amz-meta-names", "${filename},${filename}"},
                           {"file", std::string(100000, 'z')},
                           {"key", "other"},
                           {"file", "second"}});
  for (size_t i = 0; i < body.size(); i += 777) h.form.Write(std::string_view(body).substr(i, 777));
  EXPECT_FALSE(h.form.Finish());
  EXPECT_EQ(h.opened, 1);
  ASSERT_EQ(h.seen.size(), 2u);
  EXPECT_EQ(h.seen[0].value, "in/photo.jpg");
  EXPECT_EQ(h.seen[1].value, "photo.jpg,photo.jpg");
  EXPECT_EQ(h.sink->bytes, std::string(100000, 'z'));
  EXPECT_EQ(h.form.file_size(), 100000u);
}

TEST(S3PostFormTest, AnswersWhatIsWrongWithTheForm) {
  auto finish = [](std::string body, std::optional<AwsError> refuse = std::nullopt) {
    Harness h;
    h.refuse = refuse;
    h.form.Write(body);
    auto e = h.form.Finish();
    EXPECT_TRUE(h.sink->bytes.empty()) << body;
    return e ? e->code + ": " + e->message : "";
  };
  EXPECT_EQ(finish(Body({{"key", "k"}})),
            "InvalidArgument: POST requires exactly one file upload per request.");
  EXPECT_EQ(finish("key=k&file=x"),
            "MalformedPOSTRequest: The body of your POST request is not well-formed "
            "multipart/form-data.");
  std::string truncated = Body({{"key", "k"}, {"file", "x"}});
  EXPECT_EQ(finish(truncated.substr(0, truncated.size() - 12)).substr(0, 20),
            "MalformedPOSTRequest");
  EXPECT_EQ(
      finish(Body({{"x-ignore-a", std::string(20 * 1024, 'a')}, {"file", "x"}})).substr(0, 33),
      "MaxPostPreDataLengthExceededError");
  EXPECT_EQ(finish(Body({{"key", "k"}, {"file", "x"}}),
                   AwsError{"AccessDenied", "Access Denied", 403, true, {}}),
            "AccessDenied: Access Denied");
}

TEST(S3PostFormTest, DropsAFileLargerThanThePolicyAllows) {
  Harness h;
  h.policy = s3post::PostPolicy{};
  h.policy->conditions.push_back(s3post::PolicyCondition{
      s3post::PolicyCondition::Kind::kContentLengthRange, "", "", 1, 10, ""});
  h.form.Write(Body({{"key", "k"}, {"file", std::string(11, 'x')}}));
  auto e = h.form.Finish();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "EntityTooLarge");
  EXPECT_EQ(h.sink.use_count(), 1);  // the form let go of the consumer
}

TEST(S3PostFormTest, PercentEncodesAsRfc3986Asks) {
  EXPECT_EQ(http::PercentEncode("a/b c~-_.\xc3\xbc+"), "a%2Fb%20c~-_.%C3%BC%2B");
  EXPECT_EQ(http::PercentEncode("a/b c", "/"), "a/b%20c");
}

TEST(S3PostFormTest, AnswersAsTheFormAsks) {
  boost::json::object output{{"ETag", "\"abc\""}, {"VersionId", "v1"}};
  auto reply = [&](s3post::FormFields fields, bool virtual_host = false) {
    return PostObjectResponse(output, fields, "bkt", "a/b c", "localhost:4566", virtual_host);
  };
  auto plain = reply({});
  EXPECT_EQ(plain.result(), bhttp::status::no_content);
  EXPECT_EQ(plain[bhttp::field::location], "http://localhost:4566/bkt/a%2Fb%20c");
  EXPECT_EQ(plain[bhttp::field::etag], "\"abc\"");
  EXPECT_EQ(plain["x-amz-version-id"], "v1");
  EXPECT_TRUE(plain.body().empty());
  EXPECT_EQ(reply({{"success_action_status", "200"}}).result(), bhttp::status::ok);
  EXPECT_EQ(reply({{"success_action_status", "404"}}).result(), bhttp::status::no_content);

  auto created = reply({{"success_action_status", "201"}}, true);
  EXPECT_EQ(created.result(), bhttp::status::created);
  EXPECT_EQ(created[bhttp::field::location], "http://localhost:4566/a%2Fb%20c");
  EXPECT_NE(created.body().find("<PostResponse><Location>http://localhost:4566/a%2Fb%20c</Location>"
                                "<Bucket>bkt</Bucket><Key>a/b c</Key><ETag>&quot;abc&quot;</ETag>"),
            std::string::npos)
      << created.body();

  auto redirect = reply({{"success_action_redirect", "https://example.com/done?x=1"},
                         {"success_action_status", "201"}});
  EXPECT_EQ(redirect.result(), bhttp::status::see_other);
  EXPECT_EQ(redirect[bhttp::field::location],
            "https://example.com/done?x=1&bucket=bkt&key=a%2Fb%20c&etag=%22abc%22");
  EXPECT_EQ(reply({{"redirect", "http://example.com/old"}})[bhttp::field::location],
            "http://example.com/old?bucket=bkt&key=a%2Fb%20c&etag=%22abc%22");
  EXPECT_EQ(reply({{"redirect", "not a url"}, {"success_action_status", "201"}}).result(),
            bhttp::status::created);
}

}  // namespace
}  // namespace tidepool::protocol

#include "protocol/codec/rest_xml_codec.h"

#include <gtest/gtest.h>

#include "protocol/codec/xml_reader.h"
#include "protocol/http/query_string.h"
#include "protocol/model/models.h"
#include "protocol/rest/s3_routes.h"

namespace tidepool::protocol {
namespace {

namespace bhttp = boost::beast::http;

TEST(XmlReaderTest, ParsesElementsEntitiesAndCdata) {
  auto doc = xml::ParseXml(
      "<?xml version=\"1.0\"?><!-- c --><a:Root xmlns:a=\"x\"><K>1 &lt; 2 &#x41;</K>"
      "<E/><C><![CDATA[<raw>]]></C></a:Root>");
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(doc->name, "Root");
  EXPECT_EQ(doc->Child("K")->text, "1 < 2 A");
  EXPECT_EQ(doc->Child("C")->text, "<raw>");
  EXPECT_NE(doc->Child("E"), nullptr);
}

TEST(XmlReaderTest, RefusesMalformedAndDtds) {
  for (std::string_view bad : {"", "<a>", "<a></b>", "<!DOCTYPE a [<!ENTITY x \"y\">]><a/>",
                               "<a>&unknown;</a>", "<a/><b/>", "<a x=1/>"}) {
    EXPECT_FALSE(xml::ParseXml(bad).ok()) << bad;
  }
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<a>";
  EXPECT_FALSE(xml::ParseXml(deep).ok());
}

TEST(RestXmlCodecTest, Timestamps) {
  EXPECT_EQ(rest_xml_codec::FormatHttpDate(1445412480), "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(rest_xml_codec::ParseHttpDate("Wed, 21 Oct 2015 07:28:00 GMT"), 1445412480);
  EXPECT_EQ(rest_xml_codec::ParseIso8601("2015-10-21T07:28:00.500Z"), 1445412480.5);
  EXPECT_FALSE(rest_xml_codec::ParseHttpDate("yesterday"));
}

struct Decoded {
  S3Target target;
  std::variant<boost::json::object, AwsError> input;
};

Decoded Decode(bhttp::verb method, std::string target, std::string body = "",
               std::string host = "localhost:4566",
               std::vector<std::pair<std::string, std::string>> headers = {}) {
  static const S3Routes routes(model::S3Model());
  http::HttpRequest request(method, target, 11);
  request.set(bhttp::field::host, host);
  for (auto& [k, v] : headers) request.set(k, v);
  auto [path, query] = http::SplitTarget(request.target());
  Decoded d{routes.Resolve(request, path, query), AwsError{}};
  if (d.target.operation == nullptr) return d;
  rest_xml_codec::Labels labels;
  if (!d.target.bucket.empty()) labels.emplace_back("Bucket", d.target.bucket);
  if (!d.target.key.empty()) labels.emplace_back("Key", d.target.key);
  d.input = rest_xml_codec::DecodeRequest(model::S3Model(), *d.target.operation, labels, query,
                                          request, body);
  return d;
}

TEST(S3RoutesTest, PicksOperationsAsS3Does) {
  auto op = [](const Decoded& d) {
    return d.target.operation ? d.target.operation->name : std::string_view("none");
  };
  EXPECT_EQ(op(Decode(bhttp::verb::get, "/")), "ListBuckets");
  EXPECT_EQ(op(Decode(bhttp::verb::get, "/b")), "ListObjects");
  EXPECT_EQ(op(Decode(bhttp::verb::get, "/b?list-type=2")), "ListObjectsV2");
  EXPECT_EQ(op(Decode(bhttp::verb::put, "/b/k")), "PutObject");
  EXPECT_EQ(op(Decode(bhttp::verb::put, "/b/k?partNumber=1&uploadId=u")), "UploadPart");
  EXPECT_EQ(op(Decode(bhttp::verb::put, "/b/k", "", "localhost", {{"x-amz-copy-source", "/a/b"}})),
            "CopyObject");
  EXPECT_EQ(op(Decode(bhttp::verb::get, "/b/k?uploadId=u")), "ListParts");
  EXPECT_EQ(op(Decode(bhttp::verb::delete_, "/b/k?uploadId=u")), "AbortMultipartUpload");
  EXPECT_EQ(op(Decode(bhttp::verb::post, "/b/k?uploads")), "CreateMultipartUpload");
  EXPECT_EQ(op(Decode(bhttp::verb::get, "/b?lifecycle")), "GetBucketLifecycleConfiguration");
  EXPECT_EQ(op(Decode(bhttp::verb::post, "/b")), "none");
}

TEST(S3RoutesTest, AddressingKeepsKeysExact) {
  Decoded d = Decode(bhttp::verb::get, "/b/a//b/c%20d/");
  EXPECT_EQ(d.target.bucket, "b");
  EXPECT_EQ(d.target.key, "a//b/c d/");
  d = Decode(bhttp::verb::get, "/x/y", "", "bkt.s3.localhost.localstack.cloud:4566");
  EXPECT_EQ(d.target.bucket, "bkt");
  EXPECT_EQ(d.target.key, "x/y");
  EXPECT_EQ(VirtualHostBucket("bkt.localhost"), "bkt");
  EXPECT_EQ(VirtualHostBucket("localhost:4566"), "");
  EXPECT_EQ(VirtualHostBucket("s3.localhost.localstack.cloud:4566"), "");
  EXPECT_EQ(VirtualHostBucket("my.bucket.s3.us-west-2.amazonaws.com"), "my.bucket");
}

TEST(RestXmlCodecTest, DecodesHeadersQueryAndXmlBody) {
  Decoded d = Decode(bhttp::verb::put, "/b/k", "", "localhost",
                     {{"x-amz-meta-Color", "blue"},
                      {"Content-Type", "text/plain"},
                      {"If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"}});
  auto& in = std::get<boost::json::object>(d.input);
  EXPECT_EQ(in.at("Metadata").as_object().at("color"), "blue");
  EXPECT_EQ(in.at("ContentType"), "text/plain");
  d = Decode(bhttp::verb::post, "/b?delete",
             "<Delete><Object><Key>a</Key></Object><Object><Key>b</Key></Object>"
             "<Quiet>true</Quiet></Delete>");
  auto& del = std::get<boost::json::object>(d.input).at("Delete").as_object();
  EXPECT_EQ(del.at("Objects").as_array().size(), 2u);
  EXPECT_EQ(del.at("Quiet"), true);
  d = Decode(bhttp::verb::post, "/b?delete", "<Delete><Quiet>maybe</Quiet></Delete>");
  EXPECT_EQ(std::get<AwsError>(d.input).code, "MalformedXML");
}

TEST(RestXmlCodecTest, ErrorsInS3Shape) {
  auto response = rest_xml_codec::EncodeError(
      AwsError{"NoSuchKey", "The specified key does not exist.", 404, true, {}}, "req-1", false);
  EXPECT_EQ(response.result_int(), 404);
  EXPECT_NE(response.body().find("<Code>NoSuchKey</Code>"), std::string::npos);
  EXPECT_NE(response.body().find("<RequestId>req-1</RequestId>"), std::string::npos);
  EXPECT_NE(response.body().find("<HostId>"), std::string::npos);
  EXPECT_TRUE(rest_xml_codec::EncodeError(AwsError{"NoSuchKey", "", 404, true, {}}, "r", true)
                  .body()
                  .empty());
}

TEST(RestXmlCodecTest, ErrorExtraMembersAreHeaders) {
  AwsError error{"NoSuchKey", "gone", 404, true, {}};
  error.extra_json = R"("x-amz-delete-marker":"true","x-amz-version-id":"abc")";
  for (bool head : {false, true}) {
    auto response = rest_xml_codec::EncodeError(error, "r", head);
    EXPECT_EQ(response["x-amz-delete-marker"], "true");
    EXPECT_EQ(response["x-amz-version-id"], "abc");
  }
}

}  // namespace
}  // namespace tidepool::protocol

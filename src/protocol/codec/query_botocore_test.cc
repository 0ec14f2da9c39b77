// The query codec against botocore itself: requests botocore's QuerySerializer builds decode to
// the parameters it was given, and botocore's QueryParser reads our XML replies and errors.
// Skipped when python3 with botocore is not installed. SQS needs the query-era SQS model
// (botocore's sqs/2012-11-05 from before 2023): TIDEPOOL_SQS_QUERY_MODEL names its
// service-2.json, else a copy bundled with the Google Cloud SDK is used when present.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <unistd.h>

#include "protocol/codec/query_codec.h"
#include "protocol/model/models.h"

namespace tidepool::protocol::query_codec {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

// Loads a model (botocore's, or a service-2.json path for SQS), then either serializes the
// JSON params of argv[3] to a form body ("serialize") or parses the XML file argv[3] with the
// status argv[4] ("parse"; op "-" parses an error), printing the result as JSON.
constexpr std::string_view kScript = R"PY(
import json, sys
import botocore.loaders, botocore.model, botocore.parsers, botocore.serialize
mode, service, op_name = sys.argv[1], sys.argv[2], sys.argv[3]
if service.endswith('.json'):
    data = json.load(open(service))
else:
    data = botocore.loaders.Loader().load_service_model(service, 'service-2')
model = botocore.model.ServiceModel(data)
if mode == 'serialize':
    op = model.operation_model(op_name)
    params = json.loads(sys.argv[4])
    req = botocore.serialize.QuerySerializer().serialize_to_request(params, op)
    from urllib.parse import urlencode
    sys.stdout.write(urlencode(req['body']))
else:
    body = open(sys.argv[4], 'rb').read()
    status = int(sys.argv[5])
    shape = None if op_name == '-' else model.operation_model(op_name).output_shape
    parsed = botocore.parsers.QueryParser().parse(
        {'body': body, 'headers': {}, 'status_code': status}, shape)
    sys.stdout.write(json.dumps(parsed, default=str, sort_keys=True))
)PY";

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

class BotocoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("python3 -c 'import botocore' >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "python3 with botocore is not installed";
    }
    dir_ = fs::temp_directory_path() / ("tidepool_query_botocore_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "q.py") << kScript;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // The query-era SQS model, or nullopt (the SQS cases are then skipped).
  static std::optional<std::string> SqsQueryModel() {
    if (const char* p = std::getenv("TIDEPOOL_SQS_QUERY_MODEL"); p && fs::exists(p)) return p;
    std::string bundled =
        "/usr/lib/google-cloud-sdk/lib/third_party/botocore/data/sqs/2012-11-05/service-2.json";
    if (fs::exists(bundled)) return bundled;
    return std::nullopt;
  }

  std::string Run(const std::string& args) {
    std::string cmd = "python3 " + Quote((dir_ / "q.py").string()) + " " + args + " 2>&1";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    int rc = ::pclose(pipe);
    EXPECT_EQ(rc, 0) << out;
    return out;
  }

  // botocore's form body for `params` -> our decoded input object.
  json::object RoundTrip(const model::ServiceModel& model, const std::string& botocore_model,
                         std::string_view op_name, std::string_view params) {
    std::string body =
        Run("serialize " + Quote(botocore_model) + " " + Quote(op_name) + " " + Quote(params));
    auto form = form::Parse(body);
    EXPECT_TRUE(form.ok()) << body;
    const model::Operation* op = model.FindOperation(op_name);
    auto decoded = DecodeRequest(model, *op, *form);
    if (auto* e = std::get_if<AwsError>(&decoded)) {
      ADD_FAILURE() << body << " -> " << e->code << ": " << e->message;
      return {};
    }
    EXPECT_EQ(form->at("Action"), op_name);
    return std::get<json::object>(std::move(decoded));
  }

  // Our XML -> botocore's parsed dict.
  json::value Parse(const std::string& botocore_model, std::string_view op_name,
                    const std::string& xml, int status) {
    fs::path file = dir_ / "reply.xml";
    std::ofstream(file, std::ios::binary) << xml;
    std::string out = Run("parse " + Quote(botocore_model) + " " + Quote(op_name) + " " +
                          Quote(file.string()) + " " + std::to_string(status));
    boost::system::error_code ec;
    json::value v = json::parse(out, ec);
    EXPECT_FALSE(ec) << out;
    return v;
  }

  fs::path dir_;
};

TEST_F(BotocoreTest, SnsRequestsRoundTrip) {
  constexpr std::string_view kPublish = R"({"TopicArn":"arn:aws:sns:us-east-1:000000000000:t",
    "Message":"hi & bye +1 %","Subject":"s",
    "MessageAttributes":{"color":{"DataType":"String","StringValue":"r\u00e9d"},
                         "n":{"DataType":"Number","StringValue":"5"}}})";
  EXPECT_EQ(json::value(RoundTrip(model::SnsModel(), "sns", "Publish", kPublish)),
            json::parse(kPublish));
  constexpr std::string_view kCreate = R"({"Name":"t","Attributes":{"DisplayName":"d"},
    "Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]})";
  EXPECT_EQ(json::value(RoundTrip(model::SnsModel(), "sns", "CreateTopic", kCreate)),
            json::parse(kCreate));
  constexpr std::string_view kSubscribe = R"({"TopicArn":"t","Protocol":"sqs",
    "Endpoint":"arn:aws:sqs:us-east-1:000000000000:q","ReturnSubscriptionArn":true,
    "Attributes":{"RawMessageDelivery":"true"}})";
  EXPECT_EQ(json::value(RoundTrip(model::SnsModel(), "sns", "Subscribe", kSubscribe)),
            json::parse(kSubscribe));
  constexpr std::string_view kBatch = R"({"TopicArn":"t","PublishBatchRequestEntries":[
    {"Id":"1","Message":"a","MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}},
    {"Id":"2","Message":"b","MessageGroupId":"g"}]})";
  EXPECT_EQ(json::value(RoundTrip(model::SnsModel(), "sns", "PublishBatch", kBatch)),
            json::parse(kBatch));
}

TEST_F(BotocoreTest, SnsRepliesParse) {
  const model::ServiceModel& sns = model::SnsModel();
  std::string xml = EncodeResponse(sns, *sns.FindOperation("ListTopics"),
                                   json::parse(R"({"Topics":[{"TopicArn":"a"},{"TopicArn":"b"}],
                                                   "NextToken":"n"})")
                                       .as_object(),
                                   "req-1");
  json::value parsed = Parse("sns", "ListTopics", xml, 200);
  EXPECT_EQ(parsed.at("Topics"), json::parse(R"([{"TopicArn":"a"},{"TopicArn":"b"}])"));
  EXPECT_EQ(parsed.at("NextToken"), json::value("n"));
  EXPECT_EQ(parsed.at("ResponseMetadata").at("RequestId"), json::value("req-1"));

  xml = EncodeResponse(sns, *sns.FindOperation("GetSubscriptionAttributes"),
                       json::parse(R"({"Attributes":{"A":"x<y&z\"","B":""}})").as_object(), "r");
  parsed = Parse("sns", "GetSubscriptionAttributes", xml, 200);
  EXPECT_EQ(parsed.at("Attributes"), json::parse(R"({"A":"x<y&z\"","B":""})"));

  xml = EncodeResponse(sns, *sns.FindOperation("PublishBatch"),
                       json::parse(R"({"Successful":[{"Id":"1","MessageId":"m"}],
                         "Failed":[{"Id":"2","Code":"c","Message":"m","SenderFault":false}]})")
                           .as_object(),
                       "r");
  parsed = Parse("sns", "PublishBatch", xml, 200);
  EXPECT_EQ(parsed.at("Successful"), json::parse(R"([{"Id":"1","MessageId":"m"}])"));
  EXPECT_EQ(parsed.at("Failed"),
            json::parse(R"([{"Id":"2","Code":"c","Message":"m","SenderFault":false}])"));
}

TEST_F(BotocoreTest, ErrorsParse) {
  AwsError e{"NotFound", "Topic does not exist", 404, true, {}};
  json::value parsed = Parse("sns", "-", EncodeError(&model::SnsModel(), e, "r-9"), 404);
  EXPECT_EQ(parsed.at("Error").at("Code"), json::value("NotFound"));
  EXPECT_EQ(parsed.at("Error").at("Message"), json::value("Topic does not exist"));
  EXPECT_EQ(parsed.at("Error").at("Type"), json::value("Sender"));
  EXPECT_EQ(parsed.at("ResponseMetadata").at("RequestId"), json::value("r-9"));

  AwsError sqs{"QueueDoesNotExist", "The specified queue does not exist.", 400, true,
               "AWS.SimpleQueueService.NonExistentQueue"};
  parsed = Parse("sns", "-", EncodeError(&model::SqsModel(), sqs, "r-10"), 400);
  EXPECT_EQ(parsed.at("Error").at("Code"), json::value("AWS.SimpleQueueService.NonExistentQueue"));
  EXPECT_EQ(parsed.at("ResponseMetadata").at("RequestId"), json::value("r-10"));
}

TEST_F(BotocoreTest, SqsRequestsRoundTrip) {
  auto sqs_model = SqsQueryModel();
  if (!sqs_model) GTEST_SKIP() << "no query-protocol SQS model";
  constexpr std::string_view kSend = R"({"QueueUrl":"http://localhost:4566/000000000000/q",
    "MessageBody":"b","DelaySeconds":2,
    "MessageAttributes":{"a":{"DataType":"String","StringValue":"v"},
                         "l":{"DataType":"String.x","StringListValues":["p","q"]}},
    "MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"Root=1"}}})";
  EXPECT_EQ(json::value(RoundTrip(model::SqsModel(), *sqs_model, "SendMessage", kSend)),
            json::parse(kSend));
  constexpr std::string_view kBatch = R"({"QueueUrl":"u","Entries":[
    {"Id":"1","MessageBody":"a","MessageAttributes":{"k":{"DataType":"Number","StringValue":"1"}}},
    {"Id":"2","MessageBody":"b","MessageDeduplicationId":"d","MessageGroupId":"g"}]})";
  EXPECT_EQ(json::value(RoundTrip(model::SqsModel(), *sqs_model, "SendMessageBatch", kBatch)),
            json::parse(kBatch));
  constexpr std::string_view kReceive = R"({"QueueUrl":"u","AttributeNames":["All"],
    "MessageAttributeNames":["a","b"],"MaxNumberOfMessages":10,"WaitTimeSeconds":1})";
  EXPECT_EQ(json::value(RoundTrip(model::SqsModel(), *sqs_model, "ReceiveMessage", kReceive)),
            json::parse(kReceive));
  constexpr std::string_view kCreate = R"({"QueueName":"q.fifo",
    "Attributes":{"FifoQueue":"true","DelaySeconds":"1"},"tags":{"t":"v"}})";
  EXPECT_EQ(json::value(RoundTrip(model::SqsModel(), *sqs_model, "CreateQueue", kCreate)),
            json::parse(kCreate));
  constexpr std::string_view kTag = R"({"QueueUrl":"u","Tags":{"a":"1","b":"2"}})";
  EXPECT_EQ(json::value(RoundTrip(model::SqsModel(), *sqs_model, "TagQueue", kTag)),
            json::parse(kTag));
}

TEST_F(BotocoreTest, SqsRepliesParse) {
  auto sqs_model = SqsQueryModel();
  if (!sqs_model) GTEST_SKIP() << "no query-protocol SQS model";
  const model::ServiceModel& sqs = model::SqsModel();
  constexpr std::string_view kMessages = R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"r1",
    "MD5OfBody":"x","Body":"line1\r\nline2 \"q\" <&>",
    "Attributes":{"SenderId":"1","SentTimestamp":"2"},
    "MessageAttributes":{"a":{"StringValue":"v","DataType":"String"},
                         "b":{"BinaryValue":"\u0000\u0001","DataType":"Binary"},
                         "l":{"StringListValues":["p","q"],"DataType":"String"}}},
    {"MessageId":"m2","ReceiptHandle":"r2","MD5OfBody":"y","Body":""}]})";
  std::string xml = EncodeResponse(sqs, *sqs.FindOperation("ReceiveMessage"),
                                   json::parse(kMessages).as_object(), "r");
  json::value parsed = Parse(*sqs_model, "ReceiveMessage", xml, 200);
  // botocore returns blobs as bytes (printed as b'...') and drops empty bodies' text to "".
  json::value want = json::parse(kMessages);
  want.at("Messages").at(0).at("MessageAttributes").at("b").at("BinaryValue") = "b'\\x00\\x01'";
  EXPECT_EQ(parsed.at("Messages"), want.at("Messages")) << xml;

  xml = EncodeResponse(
      sqs, *sqs.FindOperation("GetQueueAttributes"),
      json::parse(R"({"Attributes":{"DelaySeconds":"0","QueueArn":"a"}})").as_object(), "r");
  parsed = Parse(*sqs_model, "GetQueueAttributes", xml, 200);
  EXPECT_EQ(parsed.at("Attributes"), json::parse(R"({"DelaySeconds":"0","QueueArn":"a"})"));

  xml = EncodeResponse(
      sqs, *sqs.FindOperation("SendMessageBatch"),
      json::parse(R"({"Successful":[{"Id":"1","MessageId":"m","MD5OfMessageBody":"d"}],
                         "Failed":[{"Id":"2","SenderFault":true,"Code":"c"}]})")
          .as_object(),
      "r");
  parsed = Parse(*sqs_model, "SendMessageBatch", xml, 200);
  EXPECT_EQ(parsed.at("Successful"),
            json::parse(R"([{"Id":"1","MessageId":"m","MD5OfMessageBody":"d"}])"));
  EXPECT_EQ(parsed.at("Failed"), json::parse(R"([{"Id":"2","SenderFault":true,"Code":"c"}])"));

  xml = EncodeResponse(sqs, *sqs.FindOperation("ListQueueTags"),
                       json::parse(R"({"Tags":{"a":"1"}})").as_object(), "r");
  parsed = Parse(*sqs_model, "ListQueueTags", xml, 200);
  EXPECT_EQ(parsed.at("Tags"), json::parse(R"({"a":"1"})"));
}

}  // namespace
}  // namespace tidepool::protocol::query_codec

// XML replies of the query codec (query_codec.h), byte for byte.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "protocol/codec/query_codec.h"
#include "protocol/codec/xml_writer.h"
#include "protocol/model/models.h"

namespace tidepool::protocol::query_codec {
namespace {

namespace json = boost::json;

std::string Encode(const model::ServiceModel& model, std::string_view op_name,
                   std::string_view output, std::string_view request_id) {
  const model::Operation* op = model.FindOperation(op_name);
  EXPECT_NE(op, nullptr) << op_name;
  if (op == nullptr) return {};
  return EncodeResponse(model, *op, json::parse(output).as_object(), request_id);
}

TEST(QueryEncoderSnsTest, CreateTopic) {
  EXPECT_EQ(Encode(model::SnsModel(), "CreateTopic",
                   R"({"TopicArn":"arn:aws:sns:us-east-2:123456789012:My-Topic"})",
                   "a8dec8b3-33a4-11df-8963-01868b7c937a"),
            "<CreateTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <CreateTopicResult>\n"
            "    <TopicArn>arn:aws:sns:us-east-2:123456789012:My-Topic</TopicArn>\n"
            "  </CreateTopicResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>a8dec8b3-33a4-11df-8963-01868b7c937a</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</CreateTopicResponse>\n");
}

TEST(QueryEncoderSnsTest, Publish) {
  EXPECT_EQ(Encode(model::SnsModel(), "Publish",
                   R"({"MessageId":"94f20ce6-13c5-43a0-9a9e-ca52d816e90b","Extra":"dropped"})",
                   "f187a3c1-376f-11df-8963-01868b7c937a"),
            "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <PublishResult>\n"
            "    <MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId>\n"
            "  </PublishResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</PublishResponse>\n");
}

TEST(QueryEncoderSnsTest, ListTopicsNonFlattenedList) {
  EXPECT_EQ(Encode(model::SnsModel(), "ListTopics",
                   R"({"Topics":[{"TopicArn":"arn:aws:sns:us-east-2:123456789012:My-Topic"},
                                 {"TopicArn":"arn:aws:sns:us-east-2:123456789012:Other"}]})",
                   "3f1478c7-33a9-11df-9540-99d0768312d3"),
            "<ListTopicsResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <ListTopicsResult>\n"
            "    <Topics>\n"
            "      <member>\n"
            "        <TopicArn>arn:aws:sns:us-east-2:123456789012:My-Topic</TopicArn>\n"
            "      </member>\n"
            "      <member>\n"
            "        <TopicArn>arn:aws:sns:us-east-2:123456789012:Other</TopicArn>\n"
            "      </member>\n"
            "    </Topics>\n"
            "  </ListTopicsResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>3f1478c7-33a9-11df-9540-99d0768312d3</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</ListTopicsResponse>\n");
}

TEST(QueryEncoderSnsTest, MapEntriesAndEmptyContainers) {
  EXPECT_EQ(Encode(model::SnsModel(), "GetTopicAttributes",
                   R"({"Attributes":{"Owner":"123456789012","DisplayName":"a<b"}})", "r"),
            "<GetTopicAttributesResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <GetTopicAttributesResult>\n"
            "    <Attributes>\n"
            "      <entry>\n"
            "        <key>Owner</key>\n"
            "        <value>123456789012</value>\n"
            "      </entry>\n"
            "      <entry>\n"
            "        <key>DisplayName</key>\n"
            "        <value>a&lt;b</value>\n"
            "      </entry>\n"
            "    </Attributes>\n"
            "  </GetTopicAttributesResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>r</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</GetTopicAttributesResponse>\n");
  EXPECT_EQ(Encode(model::SnsModel(), "ListTagsForResource", R"({"Tags":[]})", "r"),
            "<ListTagsForResourceResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <ListTagsForResourceResult>\n"
            "    <Tags/>\n"
            "  </ListTagsForResourceResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>r</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</ListTagsForResourceResponse>\n");
  EXPECT_EQ(Encode(model::SnsModel(), "ListTopics", "{}", "r"),
            "<ListTopicsResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <ListTopicsResult/>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>r</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</ListTopicsResponse>\n");
}

TEST(QueryEncoderSnsTest, NoOutputShapeHasNoResultElement) {
  EXPECT_EQ(Encode(model::SnsModel(), "DeleteTopic", "{}", "f3aa9ac9-3c3d-11df-8235-9dab105e9c32"),
            "<DeleteTopicResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>f3aa9ac9-3c3d-11df-8235-9dab105e9c32</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</DeleteTopicResponse>\n");
}

TEST(QueryEncoderSnsTest, BooleansInBatchFailures) {
  std::string xml = Encode(model::SnsModel(), "PublishBatch",
                           R"({"Successful":[{"Id":"1","MessageId":"m"}],
                               "Failed":[{"Id":"2","Code":"InvalidParameter","Message":"bad",
                                          "SenderFault":true}]})",
                           "r");
  EXPECT_NE(xml.find("<Failed>\n      <member>\n        <Id>2</Id>\n"
                     "        <Code>InvalidParameter</Code>\n        <Message>bad</Message>\n"
                     "        <SenderFault>true</SenderFault>\n      </member>\n    </Failed>"),
            std::string::npos)
      << xml;
}

TEST(QueryEncoderSnsTest, Error) {
  AwsError e{"NotFound", "Topic does not exist", 404, true, {}};
  EXPECT_EQ(EncodeError(&model::SnsModel(), e, "9b5d1c2f-8f0c-5e5a-9b42-1d7c3f1f0d11"),
            "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">\n"
            "  <Error>\n"
            "    <Type>Sender</Type>\n"
            "    <Code>NotFound</Code>\n"
            "    <Message>Topic does not exist</Message>\n"
            "  </Error>\n"
            "  <RequestId>9b5d1c2f-8f0c-5e5a-9b42-1d7c3f1f0d11</RequestId>\n"
            "</ErrorResponse>\n");
}

// ---- SQS: compact layout, names from the query-era model ----------------------------------

TEST(QueryEncoderSqsTest, CreateQueue) {
  EXPECT_EQ(Encode(model::SqsModel(), "CreateQueue",
                   R"({"QueueUrl":"https://sqs.us-east-2.amazonaws.com/770098461991/queue2"})",
                   "cb919c0a-9bce-4afe-9b48-9bdf2412bb67"),
            "<?xml version=\"1.0\"?><CreateQueueResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><CreateQueueResult><QueueUrl>"
            "https://sqs.us-east-2.amazonaws.com/770098461991/queue2</QueueUrl>"
            "</CreateQueueResult><ResponseMetadata><RequestId>"
            "cb919c0a-9bce-4afe-9b48-9bdf2412bb67</RequestId></ResponseMetadata>"
            "</CreateQueueResponse>");
}

TEST(QueryEncoderSqsTest, ReceiveMessageWithAttributes) {
  EXPECT_EQ(Encode(model::SqsModel(), "ReceiveMessage",
                   R"({"Messages":[{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274",
                 "ReceiptHandle":"MbZj6wDWli+JvwwJaBV+3dcjk2YW2vA3+STFFljTM8tJJg6HRG6PYSasuWXPJB+Cw",
                 "MD5OfBody":"fafb00f5732ab283681e124bf8747ed1",
                 "Body":"This is a \"test\" message & more\r\n",
                 "Attributes":{"SenderId":"195004372649","ApproximateReceiveCount":"5"},
                 "MD5OfMessageAttributes":"3ae8f24a165a8cedc005670c81a27295",
                 "MessageAttributes":{"color":{"StringValue":"red","DataType":"String"}}}]})",
                   "b6633655-283d-45b4-aee4-4e84e0ae6afa"),
            "<?xml version=\"1.0\"?><ReceiveMessageResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ReceiveMessageResult><Message>"
            "<MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId>"
            "<ReceiptHandle>MbZj6wDWli+JvwwJaBV+3dcjk2YW2vA3+STFFljTM8tJJg6HRG6PYSasuWXPJB+Cw"
            "</ReceiptHandle><MD5OfBody>fafb00f5732ab283681e124bf8747ed1</MD5OfBody>"
            "<Body>This is a &quot;test&quot; message &amp; more&#xD;\n</Body>"
            "<Attribute><Name>SenderId</Name><Value>195004372649</Value></Attribute>"
            "<Attribute><Name>ApproximateReceiveCount</Name><Value>5</Value></Attribute>"
            "<MD5OfMessageAttributes>3ae8f24a165a8cedc005670c81a27295</MD5OfMessageAttributes>"
            "<MessageAttribute><Name>color</Name><Value><StringValue>red</StringValue>"
            "<DataType>String</DataType></Value></MessageAttribute>"
            "</Message></ReceiveMessageResult><ResponseMetadata><RequestId>"
            "b6633655-283d-45b4-aee4-4e84e0ae6afa</RequestId></ResponseMetadata>"
            "</ReceiveMessageResponse>");
}

TEST(QueryEncoderSqsTest, FlattenedListsAndEmptyResult) {
  std::string xml = Encode(model::SqsModel(), "ListQueues",
                           R"({"QueueUrls":["http://h/1/a","http://h/1/b"]})", "r");
  EXPECT_NE(xml.find("<ListQueuesResult><QueueUrl>http://h/1/a</QueueUrl>"
                     "<QueueUrl>http://h/1/b</QueueUrl></ListQueuesResult>"),
            std::string::npos)
      << xml;
  xml = Encode(model::SqsModel(), "ReceiveMessage", R"({"Messages":[]})", "r");
  EXPECT_NE(xml.find("<ReceiveMessageResult/>"), std::string::npos) << xml;
}

TEST(QueryEncoderSqsTest, ErrorWithLegacyCodeAndDetail) {
  AwsError e{"QueueDoesNotExist", "The specified queue does not exist.", 400, true,
             "AWS.SimpleQueueService.NonExistentQueue"};
  EXPECT_EQ(EncodeError(&model::SqsModel(), e, "42d59b56-7407-4c4a-be0f-4c88daeea257"),
            "<?xml version=\"1.0\"?><ErrorResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender</Type>"
            "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
            "<Message>The specified queue does not exist for this wsdl version.</Message>"
            "<Detail/></Error>"
            "<RequestId>42d59b56-7407-4c4a-be0f-4c88daeea257</RequestId></ErrorResponse>");
  AwsError server{"InternalFailure", "boom", 500, false, {}};
  std::string xml = EncodeError(nullptr, server, "r");
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><ErrorResponse><Error><Type>Receiver</Type>"
            "<Code>InternalFailure</Code><Message>boom</Message></Error>"
            "<RequestId>r</RequestId></ErrorResponse>");
}

TEST(QueryEncoderTest, ScalarsOfEveryType) {
  // SQS ListMessageMoveTasks carries longs and doubles; wrong JSON types still render.
  std::string xml = Encode(model::SqsModel(), "ListMessageMoveTasks",
                           R"({"Results":[{"TaskHandle":"h","Status":"RUNNING",
                               "ApproximateNumberOfMessagesMoved":12,
                               "ApproximateNumberOfMessagesToMove":3.0,
                               "MaxNumberOfMessagesPerSecond":"7",
                               "StartedTimestamp":1700000000000}]})",
                           "r");
  EXPECT_NE(xml.find("<ListMessageMoveTasksResultEntry><TaskHandle>h</TaskHandle>"
                     "<Status>RUNNING</Status>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<ApproximateNumberOfMessagesMoved>12</ApproximateNumberOfMessagesMoved>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<ApproximateNumberOfMessagesToMove>3</ApproximateNumberOfMessagesToMove>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<MaxNumberOfMessagesPerSecond>7</MaxNumberOfMessagesPerSecond>"),
            std::string::npos)
      << xml;
}

TEST(XmlWriterTest, EscapesAndReplacesWhatXmlCannotCarry) {
  std::string out;
  xml::XmlWriter::AppendEscaped(std::string_view("a<b>&\"'\r\n\t\x01\x7f", 12), out);
  EXPECT_EQ(out, "a&lt;b&gt;&amp;&quot;'&#xD;\n\t\xEF\xBF\xBD\x7f");
  out.clear();
  // Valid multi-byte UTF-8 passes; malformed bytes, surrogates and U+FFFE do not.
  xml::XmlWriter::AppendEscaped("\xC3\xA9\xF0\x9F\x98\x80|\xC3|\xED\xA0\x80|\xEF\xBF\xBE|\xC0\xAF",
                                out);
  EXPECT_EQ(out,
            "\xC3\xA9\xF0\x9F\x98\x80|\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(XmlWriterTest, Layouts) {
  std::string out;
  xml::XmlWriter compact(out, false);
  compact.Open("A", "urn:x");
  compact.Element("B", "1");
  compact.Open("C");
  compact.Close();
  compact.Empty("D");
  compact.Finish();
  EXPECT_EQ(out, "<A xmlns=\"urn:x\"><B>1</B><C/><D/></A>");
  out.clear();
  xml::XmlWriter pretty(out, true);
  pretty.Open("A");
  pretty.Open("B");
  pretty.Element("C", "x");
  pretty.Finish();
  EXPECT_EQ(out, "<A>\n  <B>\n    <C>x</C>\n  </B>\n</A>\n");
}

}  // namespace
}  // namespace tidepool::protocol::query_codec

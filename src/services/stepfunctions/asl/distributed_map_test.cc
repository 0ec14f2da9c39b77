#include "services/stepfunctions/asl/distributed_map.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "services/stepfunctions/asl/definition.h"
#include "services/stepfunctions/asl/execution.h"

namespace tidepool::sfn::asl {
namespace {

namespace json = boost::json;

ItemReaderSpec Reader(std::string type) {
  ItemReaderSpec r;
  r.input_type = std::move(type);
  return r;
}

TEST(DistributedMapTest, DecodesJsonJsonlAndCsv) {
  EXPECT_EQ(json::value(DecodeItems(Reader("JSON"), "[1,{\"a\":2},3]", 2).value()),
            json::parse("[1,{\"a\":2}]"));
  EXPECT_FALSE(DecodeItems(Reader("JSON"), "{\"a\":1}", 0).ok());
  EXPECT_EQ(json::value(DecodeItems(Reader("JSONL"), "1\n\n{\"b\":true}\r\n", 0).value()),
            json::parse("[1,{\"b\":true}]"));
  EXPECT_FALSE(DecodeItems(Reader("JSONL"), "1\n{oops\n", 0).ok());
  auto csv = Reader("CSV");
  EXPECT_EQ(json::value(DecodeItems(csv, "a,b\n\"x,\"\"y\"\"\",1\nz\n", 0).value()),
            json::parse(R"([{"a":"x,\"y\"","b":"1"},{"a":"z","b":""}])"));
  csv.csv_header_location = "GIVEN";
  csv.csv_headers = {"k"};
  csv.csv_delimiter = '|';
  EXPECT_EQ(json::value(DecodeItems(csv, "p\nq\n", 1).value()), json::parse(R"([{"k":"p"}])"));
  EXPECT_FALSE(DecodeItems(csv, "p|too many\n", 0).ok());
}

TEST(DistributedMapTest, BatchesByCountAndBytes) {
  auto batches = BatchItems(json::parse("[1,2,3,4,5]").as_array(), 2, 0, json::value("in"));
  EXPECT_EQ(json::value(batches), json::parse(R"([{"Items":[1,2],"BatchInput":"in"},
      {"Items":[3,4],"BatchInput":"in"},{"Items":[5],"BatchInput":"in"}])"));
  // Each item is 5 bytes of JSON ("abc" with quotes): two fit in 10 bytes.
  batches = BatchItems(json::parse(R"(["abc","abc","abc"])").as_array(), 0, 10, std::nullopt);
  EXPECT_EQ(json::value(batches), json::parse(R"([{"Items":["abc","abc"]},{"Items":["abc"]}])"));
}

TEST(DistributedMapTest, ParsesAndDiagnoses) {
  std::vector<Diagnostic> diags;
  auto def = Definition::Parse(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "Label":"L","ToleratedFailureCount":1,
      "ItemReader":{"Resource":"arn:aws:states:::s3:getObject",
                    "ReaderConfig":{"InputType":"CSV","CSVDelimiter":"TAB","MaxItems":3},
                    "Parameters":{"Bucket":"b","Key":"k"}},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},
                       "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})",
                               &diags);
  ASSERT_TRUE(def) << InvalidDefinitionMessage(diags);
  const auto& d = *def->top().Find("M")->distributed;
  EXPECT_EQ(d.execution_type, "EXPRESS");
  EXPECT_EQ(d.label, "L");
  EXPECT_EQ(d.reader->csv_delimiter, '\t');
  EXPECT_EQ(json::parse(d.processor_definition),
            json::parse(R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})"));
  for (const char* bad : {
           R"("ItemBatcher":{},)",                                             // no limit
           R"("ToleratedFailurePercentage":-1,)",                              // out of range
           R"("Label":"a b",)",                                                // a space
           R"("ResultWriter":{"Resource":"arn:aws:states:::s3:putObject"},)",  // no Parameters
           R"("ResultWriter":{},)",                                            // empty
           R"("ResultWriter":{"WriterConfig":{"Transformation":"SQUASH"}},)",  // unknown
           R"("ResultWriter":{"WriterConfig":{"OutputType":"CSV"}},)",         // unknown
           R"("ResultWriter":{"Parameters":{"Bucket":"b"}},)",                 // no Resource
       }) {
    std::string text = std::string(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,)") +
                       bad +
                       R"("ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED",
                           "ExecutionType":"STANDARD"},"StartAt":"P",
                           "States":{"P":{"Type":"Pass","End":true}}}}}})";
    EXPECT_FALSE(Definition::Parse(text, &diags)) << bad;
  }
}

TEST(DistributedMapTest, ItemsPointerSelectsTheArrayInsideAJsonDocument) {
  auto r = Reader("JSON");
  r.items_pointer = "/data/items";
  EXPECT_EQ(json::value(DecodeItems(r, R"({"data":{"items":[1,2,3]},"n":3})", 2).value()),
            json::parse("[1,2]"));
  EXPECT_FALSE(DecodeItems(r, R"({"data":{"items":{"a":1}}})", 0).ok());  // not an array
  EXPECT_FALSE(DecodeItems(r, R"({"data":{}})", 0).ok());                 // nothing there
  r.items_pointer = "/a~1b/0";                                            // RFC 6901 escapes
  EXPECT_EQ(json::value(DecodeItems(r, R"({"a/b":[["x"]]})", 0).value()), json::parse(R"(["x"])"));
  std::vector<Diagnostic> diags;
  auto parse = [&](std::string_view config) {
    return Definition::Parse(std::string(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
        "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","Parameters":{"Bucket":"b",
        "Key":"k"},"ReaderConfig":)") +
                                 std::string(config) +
                                 R"(},"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED",
        "ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})",
                             &diags);
  };
  auto def = parse(R"({"InputType":"JSON","ItemsPointer":"/items"})");
  ASSERT_TRUE(def) << InvalidDefinitionMessage(diags);
  EXPECT_EQ(def->top().Find("M")->distributed->reader->items_pointer, "/items");
  EXPECT_FALSE(parse(R"({"InputType":"JSON","ItemsPointer":"items"})"));  // not a pointer
  EXPECT_FALSE(parse(R"({"InputType":"CSV","ItemsPointer":"/items"})"));  // JSON only
}

TEST(DistributedMapTest, WriterConfigTransformsAndSerializesResults) {
  auto children = json::parse(R"([
      {"status":"SUCCEEDED","entry":{"Output":"[1,2]"},"output":[1,2]},
      {"status":"FAILED","entry":{"Error":"E"},"output":{"Error":"E","Cause":""}},
      {"status":"SUCCEEDED","entry":{"Output":"3"},"output":3}])")
                      .as_array();
  EXPECT_EQ(json::value(TransformResults(children, "NONE")),
            json::parse(R"([{"Output":"[1,2]"},{"Error":"E"},{"Output":"3"}])"));
  EXPECT_EQ(json::value(TransformResults(children, "COMPACT")),
            json::parse(R"([[1,2],{"Error":"E"},3])"));
  EXPECT_EQ(json::value(TransformResults(children, "FLATTEN")),
            json::parse(R"([1,2,{"Error":"E"},3])"));
  EXPECT_EQ(SerializeResults(json::parse("[1,[2]]").as_array(), "JSONL"), "1\n[2]\n");
  EXPECT_EQ(SerializeResults(json::parse("[1,[2]]").as_array(), "JSON"), "[1,[2]]");
  std::vector<Diagnostic> diags;
  auto def = Definition::Parse(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ResultWriter":{"WriterConfig":{"Transformation":"FLATTEN","OutputType":"JSONL"}},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})",
                               &diags);
  ASSERT_TRUE(def) << InvalidDefinitionMessage(diags);
  const auto& w = *def->top().Find("M")->distributed->writer;
  EXPECT_EQ(w.resource, "");
  EXPECT_EQ(w.transformation, "FLATTEN");
  EXPECT_EQ(w.output_type, "JSONL");
  def = Definition::Parse(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject",
                      "Parameters":{"Bucket":"b"}},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})",
                          &diags);
  ASSERT_TRUE(def) << InvalidDefinitionMessage(diags);
  EXPECT_EQ(def->top().Find("M")->distributed->writer->transformation, "NONE");  // exported
}

TEST(DistributedMapTest, ExecutionDispatchesAMapRunAndTakesItsResult) {
  std::vector<Diagnostic> diags;
  auto def = Definition::Parse(R"({"StartAt":"M","States":{"M":{"Type":"Map","End":true,
      "ItemsPath":"$.xs","ItemSelector":{"v.$":"$$.Map.Item.Value"},
      "ItemBatcher":{"MaxItemsPerBatch":2},
      "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},
                       "StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}}}})",
                               &diags);
  ASSERT_TRUE(def) << InvalidDefinitionMessage(diags);
  ExecutionInfo info{
      "arn:aws:states:us-east-1:123:execution:m:e", "e", "", "arn", "m", "us-east-1", 0};
  Execution ex(def, info, {});
  Effects fx = ex.Start(json::parse(R"({"xs":[1,2,3]})"), 0);
  ASSERT_EQ(fx.map_runs.size(), 1u);
  const MapRunDispatch& d = fx.map_runs[0];
  EXPECT_EQ(d.map_run_arn,
            "arn:aws:states:us-east-1:123:mapRun:m/M:00000000-0000-0000-0000-"
            "000000000001");
  StatesError err;
  auto inputs = ex.MapRunInputs(d.frame, d.epoch, d.request.at("items").as_array(), &err);
  ASSERT_TRUE(inputs);
  EXPECT_EQ(json::value(*inputs),
            json::parse(R"([{"Items":[{"v":1},{"v":2}]},{"Items":[{"v":3}]}])"));
  // Resume after a restore re-dispatches the same Map Run.
  auto restored = Execution::Restore(def, info, {}, ex.Snapshot());
  ASSERT_TRUE(restored.ok());
  Effects again = (*restored)->Resume(0);
  ASSERT_EQ(again.map_runs.size(), 1u);
  EXPECT_EQ(again.map_runs[0].map_run_arn, d.map_run_arn);
  fx = ex.OnMapRunResult(d.frame, d.epoch, {true, json::parse("[1,2]"), {}}, 1);
  EXPECT_EQ(ex.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(*ex.output(), json::parse("[1,2]"));
  std::vector<std::string> types;
  for (const auto& e : fx.events) types.emplace_back(e.at("type").as_string());
  EXPECT_EQ(types, (std::vector<std::string>{"MapRunSucceeded", "MapStateSucceeded",
                                             "MapStateExited", "ExecutionSucceeded"}));
}

}  // namespace
}  // namespace tidepool::sfn::asl

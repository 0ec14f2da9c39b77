#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "protocol/codec/yaml_reader.h"
#include "services/cloudformation/dependencies.h"
#include "services/cloudformation/intrinsics.h"
#include "services/cloudformation/parameters.h"
#include "services/cloudformation/template.h"

namespace tidepool::cloudformation {
namespace {

namespace json = boost::json;

Template Parse(std::string_view body) {
  auto t = ParseTemplate(body);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(t).value() : Template{};
}

std::string ErrorOf(std::string_view body) {
  auto t = ParseTemplate(body);
  return t.ok() ? "" : t.status().message();
}

// Resolves resources to "<id>-physical" and attributes to "<id>.<attr>".
class FakeResolver : public ResourceResolver {
 public:
  Result<json::value> Ref(const std::string& id) const override {
    return json::value(id + "-physical");
  }
  Result<json::value> GetAtt(const std::string& id, const std::string& attr) const override {
    if (attr == "Missing") return Status::InvalidArgument("no attribute " + attr);
    return json::value(id + "." + attr);
  }
  Result<json::value> ImportValue(const std::string& name) const override {
    if (name == "shared-vpc") return json::value("vpc-123");
    return Status::InvalidArgument("No export named " + name + " found.");
  }
};

TEST(TemplateTest, ReadsYamlWithShortFormsAndJson) {
  Template t = Parse(R"(
AWSTemplateFormatVersion: "2010-09-09"
Description: a queue
Parameters:
  Name: {Type: String, Default: q}
Resources:
  Queue:
    Type: AWS::SQS::Queue
    DeletionPolicy: Retain
    Properties:
      QueueName: !Sub "${Name}-${AWS::Region}"
      Arn: !GetAtt Other.Arn
  Other:
    Type: AWS::SNS::Topic
Outputs:
  Url: {Value: !Ref Queue, Export: {Name: !Sub "${AWS::StackName}-url"}}
)");
  ASSERT_EQ(t.resources.size(), 2u);
  EXPECT_EQ(t.resources[0].logical_id, "Queue");
  EXPECT_EQ(t.resources[0].deletion_policy, "Retain");
  EXPECT_EQ(json::serialize(t.resources[0].properties.at("Arn")),
            R"({"Fn::GetAtt":["Other","Arn"]})");
  ASSERT_EQ(t.outputs.size(), 1u);
  EXPECT_TRUE(t.outputs[0].export_name.is_object());
  Template j = Parse(R"({"Resources":{"T":{"Type":"AWS::SNS::Topic"}}})");
  EXPECT_EQ(j.resources[0].type, "AWS::SNS::Topic");
}

TEST(TemplateTest, StructureErrorsAreAwsTexts) {
  EXPECT_EQ(ErrorOf("Description: x\n"),
            "Template format error: At least one Resources member must be defined.");
  EXPECT_EQ(ErrorOf("Resources:\n  A: {Properties: {}}\n"),
            "Template format error: Every Resources object must contain a Type member.");
  EXPECT_EQ(ErrorOf("Resources:\n  A: 3\n"),
            "Template format error: Every Resources member must be an object.");
  EXPECT_EQ(ErrorOf("Resource:\n  A: {Type: X}\nFoo: 1\n"),
            "Template format error: Invalid template property or properties [Foo, Resource]");
  EXPECT_EQ(ErrorOf("Resources:\n  A: {Type: X}\nOutputs:\n  O: {Description: d}\n"),
            "Template format error: Every Outputs member must contain a Value object");
  EXPECT_EQ(ErrorOf("Resources:\n  a-b: {Type: X}\n"),
            "Template format error: Resource name a-b is non alphanumeric.");
  EXPECT_NE(ErrorOf("{\"Resources\": "), "");
  EXPECT_NE(ErrorOf("Resources: [\n"), "");
  EXPECT_EQ(ErrorOf("AWSTemplateFormatVersion: 2012-01-01\nResources:\n  A: {Type: X}\n")
                .rfind("Template format error: Unsupported AWSTemplateFormatVersion", 0),
            0u);
  // A transform (SAM) may supply the resources.
  EXPECT_EQ(ErrorOf("Transform: AWS::Serverless-2016-10-31\nGlobals: {}\n"), "");
}

TEST(ParametersTest, DefaultsGivenValuesAndMissing) {
  Template t = Parse(R"(
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}
  Count: {Type: Number, MinValue: 1, MaxValue: 5}
  Subnets: {Type: CommaDelimitedList, Default: "a,b,c"}
  Secret: {Type: String, NoEcho: true, Default: s}
Resources:
  A: {Type: X}
)");
  auto missing = ResolveParameters(t, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "Parameters: [Count] must have values");
  auto p = ResolveParameters(t, {{"Count", {std::string("3"), false}}});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->values.at("Env"), "dev");
  EXPECT_EQ(p->values.at("Count"), "3");
  EXPECT_EQ(json::serialize(p->values.at("Subnets")), R"(["a","b","c"])");
  EXPECT_EQ(p->no_echo.count("Secret"), 1u);
  auto bad = ResolveParameters(t, {{"Count", {std::string("9"), false}}});
  EXPECT_EQ(bad.status().message(), "Parameter 'Count' must be a number not greater than 5");
  bad = ResolveParameters(t, {{"Count", {std::string("x"), false}}});
  EXPECT_EQ(bad.status().message(), "Parameter 'Count' must be a number.");
  bad = ResolveParameters(
      t, {{"Count", {std::string("2"), false}}, {"Env", {std::string("qa"), false}}});
  EXPECT_EQ(bad.status().message(), "Parameter 'Env' must be one of AllowedValues");
  bad = ResolveParameters(t, {{"Nope", {std::string("1"), false}}});
  EXPECT_EQ(bad.status().message(), "Parameters: [Nope] do not exist in the template");
  auto prev = ResolveParameters(t, {{"Count", {std::nullopt, true}}}, {{"Count", "4"}});
  ASSERT_TRUE(prev.ok());
  EXPECT_EQ(prev->values.at("Count"), "4");
}

TEST(ParametersTest, PatternsLengthsAndConstraintDescription) {
  Template t = Parse(R"(
Parameters:
  Bucket: {Type: String, AllowedPattern: "[a-z0-9-]+", MaxLength: 8,
           ConstraintDescription: "lower case, at most 8"}
  Plain: {Type: String, MinLength: 2, Default: ab}
Resources:
  A: {Type: X}
)");
  auto r = ResolveParameters(t, {{"Bucket", {std::string("UPPER"), false}}});
  EXPECT_EQ(r.status().message(),
            "Parameter 'Bucket' failed to satisfy constraint: lower case, at most 8");
  Template no_ssm = Parse(R"(
Parameters:
  Plain: {Type: String, MinLength: 2}
  Weird: {Type: Strin}
Resources:
  A: {Type: X}
)");
  r = ResolveParameters(no_ssm, {{"Plain", {std::string("a"), false}}});
  EXPECT_EQ(r.status().message(), "Template format error: Unrecognized parameter type: Strin");
  r = ResolveParameters(t, {{"Bucket", {std::string("ok-1"), false}}});
  EXPECT_TRUE(r.ok()) << r.status().message();
  Template ssm = Parse(R"(
Parameters:
  Ssm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /x}
Resources:
  A: {Type: X}
)");
  r = ResolveParameters(ssm, {});
  EXPECT_NE(r.status().message().find("Systems Manager"), std::string::npos);
}

struct Fixture {
  Template t;
  ParameterValues params;
  std::unique_ptr<Evaluator> eval;
  FakeResolver resolver;
  explicit Fixture(std::string_view body, std::map<std::string, GivenParameter> given = {}) {
    t = Parse(body);
    auto p = ResolveParameters(t, given);
    EXPECT_TRUE(p.ok()) << p.status().message();
    if (p.ok()) params = std::move(p).value();
    StackContext ctx;
    ctx.stack_name = "demo";
    ctx.stack_id = "arn:aws:cloudformation:us-east-1:000000000000:stack/demo/1";
    eval = std::make_unique<Evaluator>(t, params, ctx);
    eval->set_resolver(&resolver);
  }
  std::string Eval(std::string_view yaml_value) {
    protocol::yaml::YamlOptions options;
    options.on_tag = protocol::yaml::CloudFormationShortForm;
    auto doc = protocol::yaml::ParseYaml(yaml_value, options);
    if (!doc.ok()) return "parse error: " + doc.status().message();
    auto v = eval->Evaluate(*doc);
    if (!v.ok()) return "error: " + v.status().message();
    return v->has_value() ? json::serialize(**v) : "<novalue>";
  }
};

constexpr std::string_view kBase = R"(
Parameters:
  Env: {Type: String, Default: prod}
  Zones: {Type: CommaDelimitedList, Default: "x,y"}
Mappings:
  Sizes: {prod: {Memory: 1024}, dev: {Memory: 128}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [1, "1"]]
  Either: !Or [!Condition IsDev, !Condition Both]
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Topic: {Type: AWS::SNS::Topic, Condition: IsDev}
)";

TEST(IntrinsicsTest, ConditionsEvaluateOnce) {
  Fixture f(kBase);
  ASSERT_TRUE(f.eval->conditions_status().ok()) << f.eval->conditions_status().message();
  EXPECT_TRUE(f.eval->Condition("IsProd"));
  EXPECT_FALSE(f.eval->Condition("IsDev"));
  EXPECT_TRUE(f.eval->Condition("Both"));
  EXPECT_TRUE(f.eval->Condition("Either"));
  Fixture dev(kBase, {{"Env", {std::string("dev"), false}}});
  EXPECT_FALSE(dev.eval->Condition("IsProd"));
  EXPECT_TRUE(dev.eval->Condition("IsDev"));
}

TEST(IntrinsicsTest, RefSubGetAttJoinSelectSplit) {
  Fixture f(kBase);
  EXPECT_EQ(f.Eval("!Ref Env"), R"("prod")");
  EXPECT_EQ(f.Eval("!Ref Zones"), R"(["x","y"])");
  EXPECT_EQ(f.Eval("!Ref Queue"), R"("Queue-physical")");
  EXPECT_EQ(f.Eval("!Ref AWS::StackName"), R"("demo")");
  EXPECT_EQ(f.Eval("!Sub '${Env}-${AWS::Region}-${Queue}-${Queue.Arn}-${!Literal}'"),
            R"("prod-us-east-1-Queue-physical-Queue.Arn-${Literal}")");
  EXPECT_EQ(f.Eval("!Sub ['${A}/${Env}', {A: !Ref Queue}]"), R"("Queue-physical/prod")");
  EXPECT_EQ(f.Eval("!GetAtt Queue.QueueName"), R"("Queue.QueueName")");
  EXPECT_EQ(f.Eval("{'Fn::GetAtt': [Queue, !Ref Env]}"), R"("Queue.prod")");
  EXPECT_EQ(f.Eval("!Join [':', [a, !Ref Env, 3]]"), R"("a:prod:3")");
  EXPECT_EQ(f.Eval("!Select [1, !Ref Zones]"), R"("y")");
  EXPECT_EQ(f.Eval("!Select ['0', !Split [',', 'p,q']]"), R"("p")");
  EXPECT_EQ(f.Eval("!Select [2, [a]]"),
            "error: Template error: Fn::Select cannot select nonexistent value at index 2");
  EXPECT_EQ(f.Eval("!Split ['|', 'a||b']"), R"(["a","","b"])");
  EXPECT_EQ(f.Eval("!Base64 hi"), R"("aGk=")");
  EXPECT_EQ(f.Eval("!GetAZs ''"), R"(["us-east-1a","us-east-1b","us-east-1c"])");
  EXPECT_EQ(f.Eval("!ImportValue shared-vpc"), R"("vpc-123")");
  EXPECT_EQ(f.Eval("!ImportValue nope"), "error: No export named nope found.");
  EXPECT_EQ(f.Eval("!Cidr ['10.0.0.0/16', 3, 8]"),
            R"(["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"])");
}

TEST(IntrinsicsTest, IfNoValueAndFindInMap) {
  Fixture f(kBase);
  EXPECT_EQ(f.Eval("!If [IsProd, big, small]"), R"("big")");
  EXPECT_EQ(f.Eval("{A: !If [IsDev, x, !Ref AWS::NoValue], B: 1}"), R"({"B":1})");
  EXPECT_EQ(f.Eval("[a, !If [IsDev, x, !Ref AWS::NoValue]]"), R"(["a"])");
  EXPECT_EQ(f.Eval("!FindInMap [Sizes, !Ref Env, Memory]"), "1024");
  EXPECT_EQ(f.Eval("!FindInMap [Sizes, qa, Memory]"),
            "error: Template error: Unable to get mapping for Sizes::qa::Memory");
  // Plain objects with one key that is no function stay data.
  EXPECT_EQ(f.Eval("{Condition: {StringEquals: {a: b}}}"),
            R"({"Condition":{"StringEquals":{"a":"b"}}})");
}

TEST(IntrinsicsTest, Errors) {
  Fixture f(kBase);
  EXPECT_EQ(f.Eval("!Ref Nope"),
            "error: Template format error: Unresolved resource dependencies [Nope] in the "
            "Resources block of the template");
  EXPECT_EQ(f.Eval("!GetAtt Nope.Arn"),
            "error: Template error: instance of Fn::GetAtt references undefined resource Nope");
  EXPECT_EQ(f.Eval("!Sub '${bad name}'"),
            "error: Template error: variable names in Fn::Sub syntax must contain only "
            "alphanumeric characters, underscores, periods, and colons");
  EXPECT_EQ(f.Eval("!Length [a]"),
            "error: Template error: Fn::Length needs the AWS::LanguageExtensions transform");
  EXPECT_EQ(f.Eval("!GetAtt Queue.Missing"), "error: no attribute Missing");
  Fixture bad(R"(
Conditions:
  A: !Condition B
  B: !Condition A
  C: !Equals [!Ref Res, x]
Resources:
  Res: {Type: X}
)");
  EXPECT_FALSE(bad.eval->conditions_status().ok());
  Fixture res(R"(
Conditions:
  C: !Equals [!Ref Res, x]
Resources:
  Res: {Type: X}
)");
  EXPECT_EQ(res.eval->conditions_status().message(),
            "Template format error: Unresolved dependencies [Res]. Cannot reference resources in "
            "the Conditions block of the template");
}

TEST(DependenciesTest, OrdersByReferencesAndDependsOn) {
  Template t = Parse(R"(
Parameters:
  P: {Type: String, Default: x}
Resources:
  Fn: {Type: AWS::Lambda::Function, Properties: {Role: !GetAtt Role.Arn, Env: !Sub "${Table}-${P}"}}
  Mapping: {Type: AWS::Lambda::EventSourceMapping, Properties: {FunctionName: !Ref Fn}, DependsOn: Queue}
  Role: {Type: AWS::IAM::Role}
  Table: {Type: AWS::DynamoDB::Table}
  Queue: {Type: AWS::SQS::Queue}
)");
  auto g = ResolveDependenciesOf(t, {"Fn", "Mapping", "Role", "Table", "Queue"});
  ASSERT_TRUE(g.ok()) << g.status().message();
  auto pos = [&](const std::string& id) {
    return std::find(g->order.begin(), g->order.end(), id) - g->order.begin();
  };
  EXPECT_EQ(g->order.size(), 5u);
  EXPECT_LT(pos("Role"), pos("Fn"));
  EXPECT_LT(pos("Table"), pos("Fn"));
  EXPECT_LT(pos("Fn"), pos("Mapping"));
  EXPECT_LT(pos("Queue"), pos("Mapping"));
  EXPECT_EQ(g->needs.at("Fn"), (std::set<std::string>{"Role", "Table"}));
}

TEST(DependenciesTest, CyclesAndUnresolvedNames) {
  Template cycle = Parse(R"(
Resources:
  A: {Type: X, Properties: {B: !Ref B}}
  B: {Type: X, Properties: {C: !GetAtt C.Arn}}
  C: {Type: X, DependsOn: [A]}
)");
  auto g = ResolveDependenciesOf(cycle, {"A", "B", "C"});
  EXPECT_EQ(g.status().message(), "Circular dependency between resources: [A, B, C]");
  Template unresolved = Parse(R"(
Resources:
  A: {Type: X, Properties: {B: !Ref Ghost}, DependsOn: Phantom}
)");
  g = ResolveDependenciesOf(unresolved, {"A"});
  EXPECT_EQ(g.status().message(),
            "Template format error: Unresolved resource dependencies [Ghost, Phantom] in the "
            "Resources block of the template");
  Template condition = Parse("Resources:\n  A: {Type: X, Condition: Nope}\n");
  g = ResolveDependenciesOf(condition, {});
  EXPECT_EQ(g.status().message(),
            "Template format error: Unresolved condition dependencies [Nope] in the Resources "
            "block of the template");
}

}  // namespace
}  // namespace tidepool::cloudformation

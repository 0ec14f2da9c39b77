#include "patterns/filter_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tidepool::patterns {
namespace {

using Attr = FilterInput::Attribute;

struct AttrCase {
  std::string policy;
  std::vector<Attr> attributes;
  bool match;
};

bool MatchAttrs(const std::string& policy, const std::vector<Attr>& attrs) {
  auto p = FilterPolicy::Parse(policy, FilterScope::kMessageAttributes);
  EXPECT_TRUE(p.ok()) << policy << ": " << p.status().ToString();
  if (!p.ok()) return false;
  return (*p)->Matches(FilterInput::FromAttributes(attrs));
}

bool MatchBody(const std::string& policy, const std::string& body) {
  auto p = FilterPolicy::Parse(policy, FilterScope::kMessageBody);
  EXPECT_TRUE(p.ok()) << policy << ": " << p.status().ToString();
  if (!p.ok()) return false;
  return (*p)->Matches(FilterInput::FromBody(body));
}

TEST(FilterPolicyTest, AttributeMatchingTable) {
  const std::vector<AttrCase> cases = {
      // Exact strings, String.Array elements (AWS docs: customer_interests).
      {R"({"customer_interests":["rugby","tennis"]})",
       {{"customer_interests", "String", "rugby"}},
       true},
      {R"({"customer_interests":["rugby","tennis"]})",
       {{"customer_interests", "String.Array", R"(["rugby","tennis"])"}},
       true},
      {R"({"customer_interests":["rugby","tennis"]})",
       {{"customer_interests", "String", "baseball"}},
       false},
      {R"({"customer_interests":["rugby","tennis"]})",
       {{"customer_interests", "String.Array", R"(["baseball"])"}},
       false},
      {R"({"customer_interests":["rugby"]})", {}, false},
      {R"({"customer_interests":["rugby"]})", {{"other", "String", "rugby"}}, false},
      // Custom String types and Binary attributes.
      {R"({"a":["x"]})", {{"a", "String.custom", "x"}}, true},
      {R"({"a":["x"]})", {{"a", "Binary", "x"}}, false},
      {R"({"a":[{"exists":false}]})", {{"a", "Binary", "x"}}, true},
      // Numbers: exact, and strings never equal numbers.
      {R"({"price":[100]})", {{"price", "Number", "100"}}, true},
      {R"({"price":[100]})", {{"price", "Number", "1.0e2"}}, true},
      {R"({"price":[100]})", {{"price", "String", "100"}}, false},
      {R"({"price":["100"]})", {{"price", "Number", "100"}}, false},
      {R"({"price":[100]})", {{"price", "Number.float", "100.0"}}, true},
      // Prefix / suffix / equals-ignore-case.
      {R"({"customer_interests":[{"prefix":"bas"}]})",
       {{"customer_interests", "String", "baseball"}},
       true},
      {R"({"customer_interests":[{"prefix":"bas"}]})",
       {{"customer_interests", "String", "rugby"}},
       false},
      {R"({"customer_interests":[{"suffix":"ball"}]})",
       {{"customer_interests", "String", "baseball"}},
       true},
      {R"({"customer_interests":[{"suffix":"ball"}]})",
       {{"customer_interests", "String", "rugby"}},
       false},
      {R"({"customer_interests":[{"equals-ignore-case":"tennis"}]})",
       {{"customer_interests", "String", "TeNnIs"}},
       true},
      {R"({"customer_interests":[{"equals-ignore-case":"tennis"}]})",
       {{"customer_interests", "String", "tennis2"}},
       false},
      // anything-but: list, single value, number, prefix, suffix, String.Array.
      {R"({"customer_interests":[{"anything-but":["rugby","tennis"]}]})",
       {{"customer_interests", "String", "baseball"}},
       true},
      {R"({"customer_interests":[{"anything-but":["rugby","tennis"]}]})",
       {{"customer_interests", "String", "rugby"}},
       false},
      {R"({"customer_interests":[{"anything-but":["rugby","tennis"]}]})",
       {{"customer_interests", "String.Array", R"(["rugby","baseball"])"}},
       true},
      {R"({"customer_interests":[{"anything-but":["rugby","tennis"]}]})",
       {{"customer_interests", "String.Array", R"(["rugby","tennis"])"}},
       false},
      {R"({"customer_interests":[{"anything-but":["rugby","tennis"]}]})", {}, false},
      {R"({"customer_interests":[{"anything-but":"rugby"}]})",
       {{"customer_interests", "String", "rugby"}},
       false},
      {R"({"price":[{"anything-but":[100,500]}]})", {{"price", "Number", "100"}}, false},
      {R"({"price":[{"anything-but":[100,500]}]})", {{"price", "Number", "200"}}, true},
      {R"({"price":[{"anything-but":100}]})", {{"price", "Number", "100.0"}}, false},
      {R"({"event":[{"anything-but":{"prefix":"order-"}}]})",
       {{"event", "String", "order-cancelled"}},
       false},
      {R"({"event":[{"anything-but":{"prefix":"order-"}}]})",
       {{"event", "String", "data-x"}},
       true},
      {R"({"event":[{"anything-but":{"suffix":"-cancelled"}}]})",
       {{"event", "String", "order-cancelled"}},
       false},
      {R"({"event":[{"anything-but":{"suffix":"-cancelled"}}]})",
       {{"event", "String", "order-placed"}},
       true},
      // Numeric comparisons and ranges.
      {R"({"price_usd":[{"numeric":["=",301.5]}]})", {{"price_usd", "Number", "301.5"}}, true},
      {R"({"price_usd":[{"numeric":["=",301.5]}]})", {{"price_usd", "Number", "301.6"}}, false},
      {R"({"price_usd":[{"numeric":["<",0]}]})", {{"price_usd", "Number", "-1"}}, true},
      {R"({"price_usd":[{"numeric":["<",0]}]})", {{"price_usd", "Number", "0"}}, false},
      {R"({"price_usd":[{"numeric":["<=",0]}]})", {{"price_usd", "Number", "0"}}, true},
      {R"({"price_usd":[{"numeric":[">",0]}]})", {{"price_usd", "Number", "0"}}, false},
      {R"({"price_usd":[{"numeric":[">=",0]}]})", {{"price_usd", "Number", "0"}}, true},
      {R"({"price_usd":[{"numeric":[">",0,"<=",150]}]})", {{"price_usd", "Number", "150"}}, true},
      {R"({"price_usd":[{"numeric":[">",0,"<=",150]}]})", {{"price_usd", "Number", "0"}}, false},
      {R"({"price_usd":[{"numeric":[">",0,"<",150]}]})", {{"price_usd", "Number", "150"}}, false},
      {R"({"price_usd":[{"numeric":[">",0,"<",150]}]})", {{"price_usd", "String", "10"}}, false},
      {R"({"price_usd":[{"numeric":[">",0,"<",150]}]})",
       {{"price_usd", "String.Array", "[200, 10]"}},
       true},
      // exists.
      {R"({"store":[{"exists":true}]})", {{"store", "String", "x"}}, true},
      {R"({"store":[{"exists":true}]})", {{"other", "String", "x"}}, false},
      {R"({"store":[{"exists":false}]})", {{"other", "String", "x"}}, true},
      {R"({"store":[{"exists":false}]})", {{"store", "String", "x"}}, false},
      {R"({"store":[{"anything-but":"x"},{"exists":false}]})", {}, true},
      // cidr.
      {R"({"source_ip":[{"cidr":"10.0.0.0/24"}]})", {{"source_ip", "String", "10.0.0.255"}}, true},
      {R"({"source_ip":[{"cidr":"10.0.0.0/24"}]})", {{"source_ip", "String", "10.0.1.0"}}, false},
      {R"({"source_ip":[{"cidr":"10.0.0.0/24"}]})", {{"source_ip", "String", "nope"}}, false},
      {R"({"source_ip":[{"cidr":"2001:db8::/32"}]})",
       {{"source_ip", "String", "2001:db8:1::1"}},
       true},
      {R"({"source_ip":[{"cidr":"2001:db8::/32"}]})",
       {{"source_ip", "String", "2001:db9::1"}},
       false},
      // AND across keys, OR inside a key, $or across keys.
      {R"({"a":["1"],"b":["2"]})", {{"a", "String", "1"}, {"b", "String", "2"}}, true},
      {R"({"a":["1"],"b":["2"]})", {{"a", "String", "1"}, {"b", "String", "3"}}, false},
      {R"({"a":["1",{"prefix":"x"}]})", {{"a", "String", "xyz"}}, true},
      {R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]})",
       {{"source", "String", "aws.cloudwatch"}, {"namespace", "String", "AWS/EC2"}},
       true},
      {R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]})",
       {{"source", "String", "aws.cloudwatch"}, {"namespace", "String", "AWS/S3"}},
       false},
      {R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization"]},{"namespace":["AWS/EC2"]}]})",
       {{"namespace", "String", "AWS/EC2"}},
       false},
      // Empty policy matches everything.
      {R"({})", {}, true},
  };
  for (const auto& c : cases) {
    std::string attrs;
    for (const auto& a : c.attributes)
      attrs += std::string(a.name) + "=" + std::string(a.value) + " ";
    EXPECT_EQ(MatchAttrs(c.policy, c.attributes), c.match) << c.policy << " vs " << attrs;
  }
}

TEST(FilterPolicyTest, BodyMatchingTable) {
  struct Case {
    std::string policy, body;
    bool match;
  };
  const std::vector<Case> cases = {
      {R"({"customer_interests":["rugby","tennis"]})", R"({"customer_interests":"rugby"})", true},
      {R"({"customer_interests":["rugby","tennis"]})", R"({"customer_interests":"baseball"})",
       false},
      {R"({"customer_interests":["rugby"]})", R"({"customer_interests":["baseball","rugby"]})",
       true},
      // Nested keys (AWS docs: payload-based filtering example).
      {R"({"store":["example_corp"],"event":[{"anything-but":"order_cancelled"}],"customer_interests":["basketball","baseball"],"price_usd":[{"numeric":[">=",100]}]})",
       R"({"store":"example_corp","event":"order_placed","customer_interests":["soccer","baseball"],"price_usd":100.5})",
       true},
      {R"({"a":{"b":{"c":["x"]}}})", R"({"a":{"b":{"c":"x"}}})", true},
      {R"({"a":{"b":{"c":["x"]}}})", R"({"a":{"b":{"c":"y"}}})", false},
      {R"({"a":{"b":["x"]}})", R"({"a":[{"b":"y"},{"b":"x"}]})", true},
      {R"({"a.b":["x"]})", R"({"a":{"b":"x"}})", true},
      // Types in bodies: numbers, booleans, null.
      {R"({"n":[5]})", R"({"n":5.0})", true},
      {R"({"n":[5]})", R"({"n":"5"})", false},
      {R"({"flag":[true]})", R"({"flag":true})", true},
      {R"({"flag":[true]})", R"({"flag":"true"})", false},
      {R"({"v":[null]})", R"({"v":null})", true},
      {R"({"v":[null]})", R"({"v":0})", false},
      {R"({"v":[{"anything-but":[null]}]})", R"({"v":"x"})", true},
      // exists on nested keys; objects are not leaves.
      {R"({"a":{"b":[{"exists":true}]}})", R"({"a":{"b":1}})", true},
      {R"({"a":{"b":[{"exists":false}]}})", R"({"a":{"c":1}})", true},
      {R"({"a":[{"exists":true}]})", R"({"a":{"b":1}})", false},
      // $or inside nested objects.
      {R"({"a":{"$or":[{"b":["1"]},{"c":["2"]}]}})", R"({"a":{"c":"2"}})", true},
      {R"({"a":{"$or":[{"b":["1"]},{"c":["2"]}]}})", R"({"a":{"c":"3"}})", false},
      // Bodies that are not JSON objects match no non-empty policy.
      {R"({"a":["x"]})", "plain text", false},
      {R"({"a":[{"exists":false}]})", "[1,2]", false},
      {R"({})", "plain text", true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MatchBody(c.policy, c.body), c.match) << c.policy << " vs " << c.body;
  }
}

TEST(FilterPolicyTest, ValidationErrorsTable) {
  struct Case {
    std::string policy;
    FilterScope scope;
    std::string error;
  };
  const auto A = FilterScope::kMessageAttributes;
  const auto B = FilterScope::kMessageBody;
  const std::vector<Case> cases = {
      {"not json", A, "FilterPolicy: failed to parse JSON."},
      {"[1]", A, "FilterPolicy: failed to parse JSON."},
      {R"({"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]})", A,
       "FilterPolicy: Filter policy can not have more than 5 keys"},
      {R"({"a":[]})", A, "FilterPolicy: Empty arrays are not allowed"},
      {R"({"a":"x"})", A, "FilterPolicy: \"a\" must be an object or an array"},
      {R"({"a":5})", B, "FilterPolicy: \"a\" must be an object or an array"},
      {R"({"a":{"b":["x"]}})", A,
       "Filter policy scope MessageAttributes does not support nested filter policy"},
      {R"({"a":[1,2,3,4,5,6,7,8,9,10],"b":[1,2,3,4,5,6,7,8,9,10],"c":[1,2]})", A,
       "FilterPolicy: Filter policy is too complex"},
      {R"({"a":[[1]]})", A,
       "FilterPolicy: Match value must be String, number, true, false, or null"},
      {R"({"a":[{"prefix":"x","suffix":"y"}]})", A,
       "FilterPolicy: Only one key allowed in match expression"},
      {R"({"a":[{"prefix":5}]})", A, "FilterPolicy: prefix match pattern must be a string"},
      {R"({"a":[{"suffix":true}]})", A, "FilterPolicy: suffix match pattern must be a string"},
      {R"({"a":[{"equals-ignore-case":1}]})", A,
       "FilterPolicy: equals-ignore-case match pattern must be a string"},
      {R"({"a":[{"anything-but":{"wildcard":"x"}}]})", A,
       "FilterPolicy: Unsupported anything-but pattern: wildcard"},
      {R"({"a":[{"anything-but":{"prefix":1}}]})", A,
       "FilterPolicy: prefix match pattern must be a string"},
      {R"({"a":[{"exists":"yes"}]})", A,
       "FilterPolicy: exists match pattern must be either true or false."},
      {R"({"a":[{"wildcard":"x*"}]})", A, "FilterPolicy: Unrecognized match type wildcard"},
      {R"({"a":[{"numeric":[]}]})", A, "FilterPolicy: Invalid member in numeric match: ]"},
      {R"({"a":[{"numeric":[5]}]})", A, "FilterPolicy: Invalid member in numeric match: 5"},
      {R"({"a":[{"numeric":["!",5]}]})", A, "FilterPolicy: Unrecognized numeric range operator: !"},
      {R"({"a":[{"numeric":["=","x"]}]})", A, "FilterPolicy: Value of equals must be numeric"},
      {R"({"a":[{"numeric":["<"]}]})", A, "FilterPolicy: Value of < must be numeric"},
      {R"({"a":[{"numeric":["<",1,">",0]}]})", A,
       "FilterPolicy: Too many elements in numeric expression"},
      {R"({"a":[{"numeric":[">",1,5,0]}]})", A, "FilterPolicy: Bad value in numeric range: 5"},
      {R"({"a":[{"numeric":[">",1,">",0]}]})", A, "FilterPolicy: Bad numeric range operator: >"},
      {R"({"a":[{"numeric":[">",1,"<","x"]}]})", A, "FilterPolicy: Value of < must be numeric"},
      {R"({"a":[{"numeric":[">",5,"<",1]}]})", A, "FilterPolicy: Bottom must be less than top"},
      {R"({"a":[{"numeric":[">",0,"<",1,"x"]}]})", A,
       "FilterPolicy: Too many terms in numeric range expression"},
      {R"({"a":[{"cidr":5}]})", A, "FilterPolicy: prefix match pattern must be a string"},
      {R"({"a":[{"cidr":"10.0.0.0"}]})", A, "FilterPolicy: Malformed CIDR, one '/' required"},
      {R"({"a":[{"cidr":"10.0.0.0/x"}]})", A,
       "FilterPolicy: Malformed CIDR, mask bits must be an integer"},
      {R"({"a":[{"cidr":"10.0.0.300/24"}]})", A,
       "FilterPolicy: Nonstandard IP address: 10.0.0.300"},
      {R"({"$or":[]})", A, "FilterPolicy: Empty arrays are not allowed"},
  };
  for (const auto& c : cases) {
    auto p = FilterPolicy::Parse(c.policy, c.scope);
    ASSERT_FALSE(p.ok()) << c.policy;
    EXPECT_EQ(p.status().message(), c.error) << c.policy;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(FilterPolicyTest, ComplexityCountsDepthAndOrBranches) {
  // AWS docs: 4 values at depth 3 and 3 values at depth 2: 3 x 4 x 2 x 3 = 72 (accepted).
  EXPECT_TRUE(
      FilterPolicy::Parse(
          R"({"key_a":{"key_b":{"key_c":["v1","v2","v3","v4"]}},"key_d":{"key_e":["v1","v2","v3"]}})",
          FilterScope::kMessageBody)
          .ok());
  // 10 x 15 = 150 is the limit.
  std::string fifteen = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]";
  EXPECT_TRUE(FilterPolicy::Parse(R"({"a":[1,2,3,4,5,6,7,8,9,10],"b":)" + fifteen + "}",
                                  FilterScope::kMessageAttributes)
                  .ok());
  std::string sixteen = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]";
  EXPECT_FALSE(FilterPolicy::Parse(R"({"a":[1,2,3,4,5,6,7,8,9,10],"b":)" + sixteen + "}",
                                   FilterScope::kMessageAttributes)
                   .ok());
}

}  // namespace
}  // namespace tidepool::patterns

namespace tidepool::patterns {
namespace {

bool EventMatches(std::string_view pattern, std::string_view event) {
  auto policy = FilterPolicy::Parse(pattern, FilterScope::kEventPattern);
  EXPECT_TRUE(policy.ok()) << policy.status().ToString();
  return policy.ok() && (*policy)->Matches(FilterInput::FromBody(event));
}

TEST(EventPatternTest, NestedKeysWithoutTheSnsKeyLimit) {
  const char* pattern =
      R"({"data":{"a":[1],"b":["x"]},"c":[{"exists":true}],"d":[{"prefix":"p"}],"e":[true],)"
      R"("f":[null],"g":["y"]})";
  EXPECT_TRUE(EventMatches(pattern,
                           R"({"data":{"a":1,"b":"x"},"c":0,"d":"pq","e":true,"f":null,"g":"y"})"));
  EXPECT_FALSE(EventMatches(
      pattern, R"({"data":{"a":2,"b":"x"},"c":0,"d":"pq","e":true,"f":null,"g":"y"})"));
  EXPECT_FALSE(FilterPolicy::Parse(pattern, FilterScope::kMessageBody).ok());
}

TEST(EventPatternTest, WildcardOnlyInEventPatterns) {
  EXPECT_TRUE(EventMatches(R"({"key":[{"wildcard":"dir/*.png"}]})", R"({"key":"dir/a/b.png"})"));
  EXPECT_TRUE(EventMatches(R"({"key":[{"wildcard":"*"}]})", R"({"key":""})"));
  EXPECT_FALSE(EventMatches(R"({"key":[{"wildcard":"dir/*.png"}]})", R"({"key":"dir/a.jpg"})"));
  EXPECT_FALSE(EventMatches(R"({"key":[{"wildcard":"a*b*c"}]})", R"({"key":"abxb"})"));
  EXPECT_TRUE(EventMatches(R"({"key":[{"wildcard":"a*b*c"}]})", R"({"key":"aXbYbc"})"));
  EXPECT_FALSE(FilterPolicy::Parse(R"({"k":[{"wildcard":"a*"}]})", FilterScope::kMessageBody).ok());
}

TEST(EventPatternTest, ANonObjectEventMatchesOnlyTheEmptyPattern) {
  EXPECT_FALSE(EventMatches(R"({"data":["x"]})", "\"x\""));
  EXPECT_TRUE(EventMatches(R"({})", "\"x\""));
}

}  // namespace
}  // namespace tidepool::patterns

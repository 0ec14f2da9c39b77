// libFuzzer target: the event pattern parser and matcher (SNS filter policies and Lambda
// event filtering). The input is a policy, a NUL byte,
// then a message body. The policy is parsed in every scope; each policy that parses is
// matched against the body (MessageBody scope) and against message attributes derived from
// the body's top-level members (MessageAttributes scope).
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "patterns/filter_policy.h"

using tidepool::patterns::FilterInput;
using tidepool::patterns::FilterPolicy;
using tidepool::patterns::FilterScope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\0');
  std::string_view policy = input.substr(0, split);
  std::string_view body = split == std::string_view::npos ? "" : input.substr(split + 1);

  std::vector<std::string> storage;
  std::vector<FilterInput::Attribute> attributes;
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(body, ec);
  if (!ec && root.is_object()) {
    storage.reserve(root.get_object().size());
    for (const auto& [k, v] : root.get_object()) {
      if (v.is_string()) {
        attributes.push_back({k, "String", v.get_string()});
      } else if (v.is_array()) {
        storage.push_back(boost::json::serialize(v));
        attributes.push_back({k, "String.Array", storage.back()});
      } else {
        storage.push_back(boost::json::serialize(v));
        attributes.push_back({k, "Number", storage.back()});
      }
    }
  }
  const FilterInput from_attributes = FilterInput::FromAttributes(attributes);
  const FilterInput from_body = FilterInput::FromBody(body);

  for (FilterScope scope :
       {FilterScope::kMessageAttributes, FilterScope::kMessageBody, FilterScope::kEventPattern}) {
    auto parsed = FilterPolicy::Parse(policy, scope);
    if (!parsed.ok()) continue;
    (void)(*parsed)->Matches(scope == FilterScope::kMessageAttributes ? from_attributes
                                                                      : from_body);
  }
  return 0;
}

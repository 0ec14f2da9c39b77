// TestState's mock.fieldValidationMode: a mocked Task result checked against the output shape
// of the operation its Resource calls, with the messages AWS gives ("Mock result schema
// validation error: Field 'StartDate' must be a string", "... Required field 'ExecutionArn'
// is missing"). Members the shape does not have are not checked, as on AWS.
#include <fmt/format.h>
#include <boost/json.hpp>

#include <cctype>

#include "engine/state_machine_tasks.h"

namespace tidepool::engine {
namespace json = boost::json;
using protocol::model::ServiceModel;
using protocol::model::ShapeType;

namespace {

constexpr std::string_view kPrefix = "arn:aws:states:::";

std::string Pascal(std::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string Problem(std::string_view field, std::string_view what) {
  return fmt::format("Mock result schema validation error: Field '{}' {}", field, what);
}

// The first way `v` (member `field`) does not conform to shape `index`; nullopt when it does.
std::optional<std::string> Check(const ServiceModel& model, uint16_t index, std::string_view field,
                                 const json::value& v, bool strict, int depth) {
  if (index == protocol::model::kNoShape || depth > 32) return std::nullopt;
  const auto& shape = model.shape(index);
  using protocol::model::kNoLimit;
  switch (shape.type) {
    case ShapeType::kStructure:
    case ShapeType::kUnion: {
      if (!v.is_object()) return Problem(field, "must be an object");
      const json::object& o = v.get_object();
      for (const auto& m : model.MembersOf(shape)) {
        const std::string name = Pascal(m.name);
        const json::value* child = o.if_contains(name);
        if (child == nullptr || child->is_null()) {
          if (strict && m.required) {
            return fmt::format(
                "Mock result schema validation error: Required field '{}' is "
                "missing",
                name);
          }
          continue;
        }
        if (auto p = Check(model, m.shape, name, *child, strict, depth + 1)) return p;
      }
      return std::nullopt;
    }
    case ShapeType::kList: {
      if (!v.is_array()) return Problem(field, "must be an array");
      const auto n = static_cast<int64_t>(v.get_array().size());
      if (shape.min != kNoLimit && n < shape.min) {
        return Problem(field, "is smaller than the minimum length");
      }
      if (shape.max != kNoLimit && n > shape.max)
        return Problem(field, "exceeds the maximum length");
      for (const auto& e : v.get_array()) {
        if (auto p = Check(model, shape.member, field, e, strict, depth + 1)) return p;
      }
      return std::nullopt;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) return Problem(field, "must be an object");
      for (const auto& kv : v.get_object()) {
        if (auto p = Check(model, shape.member, kv.key(), kv.value(), strict, depth + 1)) return p;
      }
      return std::nullopt;
    }
    case ShapeType::kString:
    case ShapeType::kBlob: {
      if (!v.is_string()) return Problem(field, "must be a string");
      std::string_view s = v.get_string();
      const auto n = static_cast<int64_t>(s.size());
      if (shape.min != kNoLimit && n < shape.min) {
        return Problem(field, "is smaller than the minimum length");
      }
      if (shape.max != kNoLimit && n > shape.max)
        return Problem(field, "exceeds the maximum length");
      auto values = model.EnumOf(shape);
      if (!values.empty() && !model.aws_query_compatible &&
          std::find(values.begin(), values.end(), s) == values.end()) {
        return Problem(field, "is not an expected value");
      }
      return std::nullopt;
    }
    case ShapeType::kTimestamp:
      // A Task result's timestamps are date strings.
      if (!v.is_string()) return Problem(field, "must be a string");
      return std::nullopt;
    case ShapeType::kBoolean:
      if (!v.is_bool()) return Problem(field, "must be a boolean");
      return std::nullopt;
    case ShapeType::kInteger:
    case ShapeType::kLong:
    case ShapeType::kFloat:
    case ShapeType::kDouble: {
      if (!v.is_number()) return Problem(field, "must be a number");
      const bool whole = shape.type == ShapeType::kInteger || shape.type == ShapeType::kLong;
      if (whole && !v.is_int64() && !v.is_uint64()) return Problem(field, "must be an integer");
      const double n = v.to_number<double>();
      if (shape.min != kNoLimit && n < static_cast<double>(shape.min)) {
        return Problem(field, "is less than the minimum value");
      }
      if (shape.max != kNoLimit && n > static_cast<double>(shape.max)) {
        return Problem(field, "exceeds the maximum value");
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> StateMachineTasks::CheckMockResult(std::string_view resource,
                                                              const json::value& result,
                                                              bool strict) const {
  if (!resource.starts_with(kPrefix)) return std::nullopt;  // a function or activity ARN
  std::string_view rest = resource.substr(kPrefix.size());
  if (rest.starts_with("aws-sdk:")) rest.remove_prefix(8);
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view service_name = rest.substr(0, colon);
  std::string_view action = rest.substr(colon + 1);
  // .sync results are the job's description, .waitForTaskToken's what SendTaskSuccess gives.
  if (action.empty() || action.find('.') != std::string_view::npos) return std::nullopt;
  if (service_name == "states" || service_name == "stepfunctions") service_name = "sfn";
  auto it = services_.find(service_name);
  if (it == services_.end()) return std::nullopt;
  const ServiceModel& model = it->second->Model();
  std::string op_name(action);
  op_name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(op_name[0])));
  const auto* op = model.FindOperation(op_name);
  if (op == nullptr || op->output == protocol::model::kNoShape) return std::nullopt;
  if (!result.is_object()) {
    return std::string(
        "Mock result schema validation error: The mock result must be a JSON "
        "object");
  }
  return Check(model, op->output, op_name, result, strict, 0);
}

}  // namespace tidepool::engine

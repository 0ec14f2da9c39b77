// Parsing of the JSONata-mode fields of a state (and Assign, which both languages have).
#include <fmt/format.h>
#include <boost/json.hpp>

#include "services/stepfunctions/asl/query.h"

namespace tidepool::sfn::asl {
namespace json = boost::json;

const std::set<std::string_view>& JsonataFields(StateType t) {
  static const std::set<std::string_view> pass = {"Next", "End", "Output", "Assign"};
  static const std::set<std::string_view> task = {
      "Next",  "End",      "Output",         "Assign",           "Arguments",  "Retry",
      "Catch", "Resource", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"};
  static const std::set<std::string_view> choice = {"Choices", "Default", "Output", "Assign"};
  static const std::set<std::string_view> wait = {"Next",   "End",     "Output",
                                                  "Assign", "Seconds", "Timestamp"};
  static const std::set<std::string_view> succeed = {"Output"};
  static const std::set<std::string_view> fail = {"Error", "Cause"};
  static const std::set<std::string_view> parallel = {"Next",      "End",   "Output", "Assign",
                                                      "Arguments", "Retry", "Catch",  "Branches"};
  static const std::set<std::string_view> map = {"Next",
                                                 "End",
                                                 "Output",
                                                 "Assign",
                                                 "Items",
                                                 "ItemSelector",
                                                 "ItemProcessor",
                                                 "Iterator",
                                                 "MaxConcurrency",
                                                 "Retry",
                                                 "Catch",
                                                 "ItemReader",
                                                 "ItemBatcher",
                                                 "ResultWriter",
                                                 "ToleratedFailurePercentage",
                                                 "ToleratedFailureCount",
                                                 "Label"};
  switch (t) {
    case StateType::kPass:
      return pass;
    case StateType::kTask:
      return task;
    case StateType::kChoice:
      return choice;
    case StateType::kWait:
      return wait;
    case StateType::kSucceed:
      return succeed;
    case StateType::kFail:
      return fail;
    case StateType::kParallel:
      return parallel;
    case StateType::kMap:
      return map;
  }
  return pass;
}

namespace {

// Takes field `name` of `o` into `*dst` when present, checking its expressions compile.
void Take(const json::object& o, std::string_view name, const std::string& loc,
          std::optional<json::value>* dst,
          const std::function<void(std::string, std::string)>& schema) {
  const auto* v = o.if_contains(name);
  if (!v) return;
  if (auto problem = ValidateQueryField(*v)) {
    schema(*problem, loc + "/" + std::string(name));
    return;
  }
  *dst = *v;
}

void TakeAssign(const json::object& o, const std::string& loc, std::optional<json::value>* dst,
                const std::function<void(std::string, std::string)>& schema) {
  const auto* v = o.if_contains("Assign");
  if (!v) return;
  if (!v->is_object()) {
    schema("The value for the field 'Assign' must be an OBJECT", loc + "/Assign");
    return;
  }
  Take(o, "Assign", loc, dst, schema);
}

// A number, or under JSONata an expression string, for a field the JSONPath parser reads as
// a number: the expression goes to `*expr`.
void TakeNumberOrExpression(const json::object& o, std::string_view name, const std::string& loc,
                            std::optional<json::value>* expr,
                            const std::function<void(std::string, std::string)>& schema) {
  const auto* v = o.if_contains(name);
  if (v && IsQueryExpression(*v)) Take(o, name, loc, expr, schema);
}

}  // namespace

void ParseQueryFields(const json::object& o, State& s, const std::string& loc,
                      const std::function<void(std::string, std::string)>& schema) {
  if (s.type != StateType::kSucceed && s.type != StateType::kFail) {
    TakeAssign(o, loc, &s.assign, schema);
  }
  const auto* catches = o.if_contains("Catch");
  if (catches && catches->is_array() && catches->get_array().size() == s.catchers.size()) {
    for (size_t i = 0; i < s.catchers.size(); ++i) {
      const auto* co = catches->get_array()[i].if_object();
      if (!co) continue;
      std::string here = fmt::format("{}/Catch/{}", loc, i);
      TakeAssign(*co, here, &s.catchers[i].assign, schema);
      if (s.jsonata) {
        Take(*co, "Output", here, &s.catchers[i].output, schema);
      } else if (co->contains("Output")) {
        schema("The field 'Output' is supported only with the JSONata query language",
               here + "/Output");
      }
    }
  }
  if (!s.jsonata) return;
  Take(o, "Output", loc, &s.output, schema);
  std::optional<json::value> selector;
  Take(o, s.type == StateType::kMap ? "ItemSelector" : "Arguments", loc, &selector, schema);
  if (selector) s.parameters = std::move(selector);
  Take(o, "Items", loc, &s.items, schema);
  if (s.items && !s.items->is_array() && !IsQueryExpression(*s.items)) {
    schema("The value for the field 'Items' must be an ARRAY or a JSONata expression",
           loc + "/Items");
  }
  TakeNumberOrExpression(o, "Seconds", loc, &s.seconds_expr, schema);
  TakeNumberOrExpression(o, "Timestamp", loc, &s.timestamp_expr, schema);
  TakeNumberOrExpression(o, "TimeoutSeconds", loc, &s.timeout_expr, schema);
  TakeNumberOrExpression(o, "HeartbeatSeconds", loc, &s.heartbeat_expr, schema);
  TakeNumberOrExpression(o, "Error", loc, &s.error_expr, schema);
  TakeNumberOrExpression(o, "Cause", loc, &s.cause_expr, schema);
}

}  // namespace tidepool::sfn::asl

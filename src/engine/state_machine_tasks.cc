#include "engine/state_machine_tasks.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <cctype>

#include "core/encoding.h"
#include "engine/service_client.h"
#include "protocol/codec/json_codec.h"
#include "protocol/http/responder.h"

namespace tidepool::engine {
namespace json = boost::json;
using sfn::asl::TaskResult;

namespace {

constexpr std::string_view kStatesPrefix = "arn:aws:states:::";

TaskResult Failure(std::string error, std::string cause) {
  return {false, nullptr, {std::move(error), std::move(cause)}};
}

std::string ErrorName(std::string_view service_id, std::string_view code) {
  size_t hash = code.rfind('#');  // "com.amazonaws.sqs#QueueDoesNotExist"
  if (hash != std::string_view::npos) code.remove_prefix(hash + 1);
  std::string name = fmt::format("{}.{}", service_id, code);
  if (!code.ends_with("Exception")) name += "Exception";
  return name;
}

// The Task error for the service error `code` of `op`, as Step Functions names it. DynamoDB's
// are spelled two ways (AWS: "DynamoDb" for the SDK integration, "DynamoDB" for the optimized
// one, whose errors outside the operation's modelled ones, ValidationException among them, are
// the Java SDK's base "DynamoDB.AmazonDynamoDBException").
std::string TaskErrorName(const protocol::model::ServiceModel& model,
                          const protocol::model::Operation& op, bool optimized,
                          std::string_view code) {
  if (model.service_id != "DynamoDB") return ErrorName(model.service_id, code);
  if (!optimized) return ErrorName("DynamoDb", code);
  size_t hash = code.rfind('#');
  if (hash != std::string_view::npos) code.remove_prefix(hash + 1);
  for (uint32_t i = 0; i < op.errors_count; ++i) {
    const auto& shape = model.shape(model.operation_errors[op.errors_begin + i]);
    if (shape.error_code == code || shape.name == code) return ErrorName("DynamoDB", code);
  }
  return "DynamoDB.AmazonDynamoDBException";
}

bool HasMember(const protocol::model::ServiceModel& model, uint16_t shape, std::string_view name) {
  if (shape == protocol::model::kNoShape) return false;
  for (const auto& m : model.MembersOf(model.shape(shape))) {
    if (m.name == name) return true;
  }
  return false;
}

// The largest Task result (AWS's 256 KiB quota on a state's data): a streamed payload beyond
// it fails the Task rather than being held in memory.
constexpr uint64_t kMaxResultBytes = 256 * 1024;

// The output of an operation of a REST service as a Task result: its members as the service
// gives them (header and status-code members included, timestamps in epoch seconds), with a
// blob payload (S3 GetObject's Body, Lambda Invoke's Payload) as its text, as the AWS SDK
// integrations give it.
TaskResult RestResult(const protocol::model::ServiceModel& model,
                      const protocol::model::Operation& op, bool optimized,
                      protocol::Outcome outcome) {
  if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
    return Failure(TaskErrorName(model, op, optimized, err->code), err->message);
  }
  if (auto* encoded = std::get_if<protocol::EncodedJson>(&outcome)) {
    boost::system::error_code ec;
    json::value v = json::parse(encoded->body, ec);
    return {true, ec ? json::value(json::object()) : std::move(v), {}};
  }
  if (auto* streamed = std::get_if<protocol::StreamedOutput>(&outcome)) {
    std::string_view member;
    if (op.output != protocol::model::kNoShape) member = model.shape(op.output).payload;
    // The body's size is the reply's Content-Length (GetObject's and HeadObject's member).
    if (streamed->body && !streamed->output.contains("ContentLength") &&
        HasMember(model, op.output, "ContentLength")) {
      streamed->output["ContentLength"] = streamed->body->size();
    }
    if (streamed->body && !member.empty()) {
      std::optional<std::string> payload = ReadBody(*streamed->body, kMaxResultBytes);
      if (!payload) {
        return Failure("States.DataLimitExceeded",
                       fmt::format("The {} of {} is over the {} bytes a Task result may hold",
                                   member, op.name, kMaxResultBytes));
      }
      streamed->output[member] = std::move(*payload);
    }
    return {true, std::move(streamed->output), {}};
  }
  return {true, std::move(std::get<json::object>(outcome)), {}};
}

// A REST service's operation (Lambda, S3) with the Task's parameters as its decoded input:
// URI, header and query members come from the parameters by their model names, and a blob
// payload (S3 PutObject's Body, Lambda Invoke's Payload) is given as text or as JSON, which
// is sent serialized.
void RunDecoded(protocol::Service& service, const protocol::model::Operation& op, bool optimized,
                sfn::TaskRequest& request, std::function<void(TaskResult)> done) {
  const auto& model = service.Model();
  json::object input;
  if (auto* o = request.input.if_object()) input = std::move(*o);
  std::optional<std::string> body;
  if (op.input != protocol::model::kNoShape) {
    std::string_view member = model.shape(op.input).payload;
    if (auto* p = member.empty() ? nullptr : input.if_contains(member)) {
      body = p->is_string() ? std::string(p->get_string()) : json::serialize(*p);
      input.erase(member);
    }
  }
  InvokeDecoded(service, op, std::move(input), request.account_id, request.region, std::move(body),
                [&model, &op, optimized, done](protocol::Outcome outcome) {
                  done(RestResult(model, op, optimized, std::move(outcome)));
                });
}

std::string Pascal(std::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// Task parameters as Step Functions' callers write them -> the operation's input as the JSON
// codec reads it: member names in PascalCase are accepted for models that spell them in
// camelCase (Step Functions' own API), and blob members given as text (Kinesis PutRecord's
// Data) are base64-encoded as on the wire.
void AdaptInput(const protocol::model::ServiceModel& model, uint16_t shape_index, json::value& v,
                int depth = 0) {
  using protocol::model::ShapeType;
  if (shape_index == protocol::model::kNoShape || depth > 32) return;
  const auto& shape = model.shape(shape_index);
  switch (shape.type) {
    case ShapeType::kBlob:
      if (v.is_string()) v = json::string(Base64Encode(v.get_string()));
      return;
    case ShapeType::kStructure:
    case ShapeType::kUnion:
      if (auto* o = v.if_object()) {
        for (const auto& m : model.MembersOf(shape)) {
          if (!o->contains(m.name)) {
            std::string pascal = Pascal(m.name);
            if (auto* p = o->if_contains(pascal)) {
              json::value moved = std::move(*p);
              o->erase(pascal);
              (*o)[m.name] = std::move(moved);
            }
          }
          if (auto* child = o->if_contains(m.name)) AdaptInput(model, m.shape, *child, depth + 1);
        }
      }
      return;
    case ShapeType::kList:
      if (auto* a = v.if_array()) {
        for (auto& e : *a) AdaptInput(model, shape.member, e, depth + 1);
      }
      return;
    case ShapeType::kMap:
      if (auto* o = v.if_object()) {
        for (auto& kv : *o) AdaptInput(model, shape.member, kv.value(), depth + 1);
      }
      return;
    default:
      return;
  }
}

// The operation's output as a Task result: structure member names in PascalCase, as the AWS
// SDK integrations return them.
void AdaptOutput(const protocol::model::ServiceModel& model, uint16_t shape_index, json::value& v,
                 int depth = 0) {
  using protocol::model::ShapeType;
  if (shape_index == protocol::model::kNoShape || depth > 32) return;
  const auto& shape = model.shape(shape_index);
  if (shape.type == ShapeType::kStructure || shape.type == ShapeType::kUnion) {
    auto* o = v.if_object();
    if (!o) return;
    for (const auto& m : model.MembersOf(shape)) {
      auto* child = o->if_contains(m.name);
      if (!child) continue;
      AdaptOutput(model, m.shape, *child, depth + 1);
      std::string pascal = Pascal(m.name);
      if (pascal != m.name) {
        json::value moved = std::move(*child);
        o->erase(m.name);
        (*o)[pascal] = std::move(moved);
      }
    }
  } else if (shape.type == ShapeType::kList) {
    if (auto* a = v.if_array()) {
      for (auto& e : *a) AdaptOutput(model, shape.member, e, depth + 1);
    }
  } else if (shape.type == ShapeType::kMap) {
    if (auto* o = v.if_object()) {
      for (auto& kv : *o) AdaptOutput(model, shape.member, kv.value(), depth + 1);
    }
  }
}

}  // namespace

void StateMachineTasks::Run(sfn::TaskRequest request, std::function<void(TaskResult)> done) {
  std::string_view r = request.resource;
  std::string_view service_name, action;
  bool optimized = false;
  if (r.starts_with(kStatesPrefix)) {
    std::string_view rest = r.substr(kStatesPrefix.size());
    optimized = !rest.starts_with("aws-sdk:");
    if (!optimized) rest.remove_prefix(8);
    size_t colon = rest.find(':');
    if (colon != std::string_view::npos) {
      service_name = rest.substr(0, colon);
      action = rest.substr(colon + 1);
    }
  }
  // A function ARN and the optimized lambda:invoke run the function itself; the SDK
  // integration's lambda:<action> (invoke included) calls the Lambda API like any service.
  if (r.starts_with("arn:aws:lambda:") || (optimized && service_name == "lambda")) {
    if (lambda_ == nullptr || (service_name == "lambda" && action != "invoke")) {
      return done(Failure("Lambda.ResourceNotFoundException",
                          fmt::format("Function not found: {} (not runnable here)", r)));
    }
    return RunLambda(request, service_name == "lambda", std::move(done));
  }
  if ((service_name == "states" || service_name == "stepfunctions") && optimized &&
      (action == "startExecution.sync" || action == "startExecution.sync:2")) {
    return RunNested(std::move(request), action.ends_with(":2"), std::move(done));
  }
  if (optimized && service_name == "apigateway" && action == "invoke") {
    return RunApiGateway(request, std::move(done));
  }
  if (service_name == "states" || service_name == "stepfunctions") service_name = "sfn";
  auto it = services_.find(service_name);
  if (service_name.empty() || action.empty() || it == services_.end()) {
    // Any pattern (.sync, .sync:2, request-response; .waitForTaskToken is stripped) of a
    // service whose Tasks tidepool does not run: accepted in a definition, fails here.
    return done(Failure("States.TaskFailed",
                        fmt::format("The resource {} cannot be reached: tidepool does not run "
                                    "Tasks of the service '{}'",
                                    r, service_name)));
  }
  if (action.find('.') != std::string_view::npos) {
    return done(
        Failure("States.Runtime",
                fmt::format("The integration pattern of {} is not supported by tidepool", r)));
  }
  if (optimized && service_name == "dynamodb") {
    // AWS's optimized DynamoDB integration: these four actions, request-response only.
    if (action != "getItem" && action != "putItem" && action != "updateItem" &&
        action != "deleteItem") {
      return done(Failure("States.Runtime",
                          fmt::format("{}: the optimized DynamoDB integration offers getItem, "
                                      "putItem, updateItem and deleteItem; other actions are "
                                      "arn:aws:states:::aws-sdk:dynamodb:<action>",
                                      r)));
    }
    if (!request.task_token.empty()) {
      return done(Failure("States.Runtime",
                          fmt::format("{}.waitForTaskToken: the DynamoDB integration does not "
                                      "support the callback pattern",
                                      r)));
    }
  }
  protocol::Service& service = *it->second;
  std::string op_name(action);
  op_name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(op_name[0])));
  const auto& model = service.Model();
  const auto* op = model.FindOperation(op_name);
  std::string service_id(model.service_id);
  if (op == nullptr) {
    return done(Failure(ErrorName(service_id, "InvalidAction"),
                        fmt::format("{} has no operation {}", service_id, op_name)));
  }
  using protocol::model::Protocol;
  if (model.protocol == Protocol::kRestJson || model.protocol == Protocol::kRestXml) {
    return RunDecoded(service, *op, optimized, request, std::move(done));
  }
  // The optimized sqs:sendMessage, sns:publish and states:startExecution take a JSON body and
  // send its text.
  if (optimized && service_name != "dynamodb" && request.input.is_object()) {
    for (std::string_view field : {"MessageBody", "Message", "Input"}) {
      auto* v = request.input.get_object().if_contains(field);
      if (v && !v->is_string()) *v = json::string(json::serialize(*v));
    }
  }
  AdaptInput(model, op->input, request.input);
  CallService(
      service, op_name, request.input, request.account_id, request.region,
      [done, op, &model, optimized](ServiceOutcome outcome) {
        if (auto* err = std::get_if<protocol::AwsError>(&outcome)) {
          return done(Failure(TaskErrorName(model, *op, optimized, err->code), err->message));
        }
        json::value v = std::move(std::get<json::value>(outcome));
        AdaptOutput(model, op->output, v);
        done({true, std::move(v), {}});
      });
}

json::object StateMachineTasks::SfnOutput(std::string_view operation, json::value v) const {
  auto it = services_.find("sfn");
  if (it != services_.end()) {
    const auto& model = it->second->Model();
    if (const auto* op = model.FindOperation(operation)) AdaptOutput(model, op->output, v);
  }
  return v.is_object() ? std::move(v.get_object()) : json::object();
}

void StateMachineTasks::RunLambda(const sfn::TaskRequest& request, bool optimized,
                                  std::function<void(TaskResult)> done) {
  std::string function = request.resource;
  json::value payload = request.input;
  if (optimized) {
    const json::object* in = request.input.if_object();
    const json::value* name = in ? in->if_contains("FunctionName") : nullptr;
    if (name == nullptr || !name->is_string()) {
      return done(Failure("States.Runtime", "lambda:invoke needs a FunctionName string"));
    }
    function = std::string(name->get_string());
    const json::value* p = in->if_contains("Payload");
    payload = p ? *p : json::value(json::object());
  }
  functions::Invocation invocation;
  invocation.payload = json::serialize(payload);
  lambda_->InvokeFunction(
      function, request.account_id, request.region, std::move(invocation),
      [done = std::move(done), optimized](functions::InvokeOutcome outcome) {
        using Kind = functions::InvokeOutcome::Kind;
        boost::system::error_code ec;
        json::value result = json::parse(outcome.payload, ec);
        if (ec) result = json::string(outcome.payload);
        switch (outcome.kind) {
          case Kind::kSuccess:
            if (!optimized) return done({true, std::move(result), {}});
            return done({true,
                         json::object{{"ExecutedVersion", "$LATEST"},
                                      {"Payload", std::move(result)},
                                      {"StatusCode", 200}},
                         {}});
          case Kind::kFunctionError: {
            const json::object* o = result.if_object();
            const json::value* type = o ? o->if_contains("errorType") : nullptr;
            std::string error = type && type->is_string() ? std::string(type->get_string())
                                                          : std::string("Lambda.Unknown");
            return done(Failure(std::move(error), outcome.payload));
          }
          case Kind::kThrottled:
            return done(Failure("Lambda.TooManyRequestsException", outcome.message));
          case Kind::kServiceError:
            if (outcome.message.rfind("Function not found", 0) == 0) {
              return done(Failure("Lambda.ResourceNotFoundException", outcome.message));
            }
            return done(Failure("Lambda.ServiceException", outcome.message));
        }
      });
}

}  // namespace tidepool::engine

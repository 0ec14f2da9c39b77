// StateMachineTasks: the flow of a state machine's Task to the services of this process
// (source: a Task state -> invoke: the service's Invoke with a constructed Call -> outcome:
// the Task's result or error). Implements sfn::TaskRunner; src/main/serve.cc binds it.
//
// Resources it runs:
//   arn:aws:states:::aws-sdk:<service>:<action>   any operation of a bound service
//   arn:aws:states:::sqs:sendMessage, sns:publish  the optimized integrations (same calls)
//   arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem  (same calls)
//   arn:aws:lambda:<region>:<account>:function:<name>  the function (its output is the result)
//   arn:aws:states:::lambda:invoke                 FunctionName + Payload (result: Payload,
//                                                  StatusCode, ExecutedVersion)
//   arn:aws:states:::apigateway:invoke             a deployed API (state_machine_apigateway.cc)
// A function error fails the Task with the function's errorType as the error and its error
// JSON as the cause, as AWS maps them (a bare ARN keeps errorType; lambda:invoke too).
// The input is the operation's input (model member names, e.g. QueueUrl, MessageBody); the
// output is the operation's output as the JSON protocol encodes it. REST services (Lambda's
// API through aws-sdk:lambda:<action>, S3) take URI, header and query members from the input
// too, and their blob payload (PutObject/GetObject's Body, Invoke's Payload) is text both ways.
// A service error becomes the error "<ServiceId>.<Code>" with "Exception" appended when the
// code lacks it ("SQS.QueueDoesNotExistException", "S3.NoSuchKeyException"), cause = message;
// DynamoDB's are "DynamoDb." (SDK) or "DynamoDB." (optimized) as AWS spells them.
// A resource of a service not bound here (ECS, Glue, EventBridge...) fails the Task with
// States.TaskFailed and a cause that names the resource and the service, in any pattern
// (.sync, .sync:2, .waitForTaskToken included); nothing silently succeeds.
//
// Thread-safety: AddService before the first Run; Run is thread-safe. Bound services must
// outlive it.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/clock.h"
#include "engine/service_client.h"
#include "protocol/http/responder.h"

#include "protocol/service.h"
#include "services/lambda/lambda_service.h"
#include "services/stepfunctions/task_runner.h"

namespace tidepool::engine {

class StateMachineTasks final : public sfn::TaskRunner {
 public:
  // `name`: the service as resources spell it ("sqs", "sns", "kinesis", "sfn", "dynamodb",
  // "lambda", "s3").
  void AddService(std::string name, protocol::Service* service) { services_[name] = service; }
  // Lambda functions as Task resources; without it they fail Lambda.ResourceNotFoundException.
  void SetLambda(lambda::LambdaService* lambda) { lambda_ = lambda; }
  // Timers for states:startExecution.sync (state_machine_nested.cc: the child is watched on
  // them); without them .sync fails States.Runtime. Both must outlive this.
  void SetTimers(sfn::TimerService* timers, const Clock* clock) {
    timers_ = timers;
    clock_ = clock;
  }
  // API Gateway's execute-api endpoint for arn:aws:states:::apigateway:invoke
  // (state_machine_apigateway.cc); without it such a Task fails States.TaskFailed.
  using ExecuteApi = std::function<void(protocol::http::HttpRequest&&, protocol::RequestContext,
                                        protocol::http::Responder)>;
  void SetExecuteApi(ExecuteApi execute_api) { execute_api_ = std::move(execute_api); }
  void Run(sfn::TaskRequest request, std::function<void(sfn::asl::TaskResult)> done) override;
  // (state_machine_mock_check.cc) Checks the resources of bound services: SDK and optimized
  // integrations and lambda:invoke; a function ARN, .sync, .waitForTaskToken and other
  // services' resources are not checked.
  std::optional<std::string> CheckMockResult(std::string_view resource,
                                             const boost::json::value& result,
                                             bool strict) const override;

 private:
  struct NestedRun;
  // states:startExecution.sync (`json_output`: .sync:2) (state_machine_nested.cc).
  void RunNested(sfn::TaskRequest request, bool json_output,
                 std::function<void(sfn::asl::TaskResult)> done);
  void Watch(const std::shared_ptr<NestedRun>& run);
  // Calls the Step Functions `operation`; `then` runs from a timer, never inline.
  void Call(const std::shared_ptr<NestedRun>& run, std::string_view operation,
            boost::json::value input, std::function<void(ServiceOutcome)> then);
  void Later(int64_t delay_micros, std::function<void()> fn);
  // The Step Functions `operation`'s output `v` with PascalCase members, as Task results are.
  boost::json::object SfnOutput(std::string_view operation, boost::json::value v) const;

  void RunLambda(const sfn::TaskRequest& request, bool optimized,
                 std::function<void(sfn::asl::TaskResult)> done);
  void RunApiGateway(const sfn::TaskRequest& request,
                     std::function<void(sfn::asl::TaskResult)> done);

  std::map<std::string, protocol::Service*, std::less<>> services_;
  lambda::LambdaService* lambda_ = nullptr;
  ExecuteApi execute_api_;
  sfn::TimerService* timers_ = nullptr;
  const Clock* clock_ = nullptr;
};

}  // namespace tidepool::engine

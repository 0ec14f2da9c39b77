#include "services/iam/aws_managed_policies.h"

#include <iterator>

namespace tidepool::iam {
namespace {

// Sorted by name (the order ListPolicies lists them in).
constexpr AwsManagedPolicy kPolicies[] = {
    {"AdministratorAccess", "/", "ANPAIWMBCKSKIEE64ZLYK", "v1",
     "Provides full access to AWS services and resources.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"R"
     "esource\":\"*\"}]}"},
    {"AmazonAPIGatewayAdministrator", "/", "ANPAJ4PT6VY5NLKTNUYSI", "v1",
     "Provides full access to create/edit/delete APIs in Amazon API Gateway via the "
     "AWS Management Console.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"apig"
     "ateway:*\"],\"Resource\":\"arn:aws:apigateway:*::/*\"}]}"},
    {"AmazonAPIGatewayInvokeFullAccess", "/", "ANPAIIWAX2NOOQJ4AIEQ6", "v1",
     "Provides full access to invoke APIs in Amazon API Gateway.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"exec"
     "ute-api:Invoke\",\"execute-api:ManageConnections\"],\"Resource\":\"arn:aws:e"
     "xecute-api:*:*:*\"}]}"},
    {"AmazonAPIGatewayPushToCloudWatchLogs", "/service-role/", "ANPAIK4GFO7HLKYN64ASK", "v1",
     "Allows API Gateway to push logs to user's account.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs"
     ":CreateLogGroup\",\"logs:CreateLogStream\",\"logs:DescribeLogGroups\",\"logs"
     ":DescribeLogStreams\",\"logs:PutLogEvents\",\"logs:GetLogEvents\",\"logs:Fil"
     "terLogEvents\"],\"Resource\":\"*\"}]}"},
    {"AmazonDynamoDBFullAccess", "/", "ANPAINUGF2JSOSUY76KYA", "v1",
     "Provides full access to Amazon DynamoDB via the AWS Management Console.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dyna"
     "modb:*\"],\"Resource\":\"*\"}]}"},
    {"AmazonDynamoDBReadOnlyAccess", "/", "ANPAIY2XFNA232XJ6J7X2", "v1",
     "Provides read only access to Amazon DynamoDB via the AWS Management Console.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dyna"
     "modb:BatchGetItem\",\"dynamodb:Describe*\",\"dynamodb:List*\",\"dynamodb:Get"
     "Item\",\"dynamodb:Query\",\"dynamodb:Scan\",\"dynamodb:PartiQLSelect\"],\"Reso"
     "urce\":\"*\"}]}"},
    {"AmazonKinesisFullAccess", "/", "ANPAIVF32HAMOXCUYRAYE", "v1",
     "Provides full access to all streams via the AWS Management Console.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"kines"
     "is:*\",\"Resource\":\"*\"}]}"},
    {"AmazonS3FullAccess", "/", "ANPAIFIR6V6BVTRAHWINE", "v1",
     "Provides full access to all buckets via the AWS Management Console.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*"
     "\",\"s3-object-lambda:*\"],\"Resource\":\"*\"}]}"},
    {"AmazonS3ReadOnlyAccess", "/", "ANPAIZTJ4DXE7G6AGAE6M", "v1",
     "Provides read only access to all buckets via the AWS Management Console.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:G"
     "et*\",\"s3:List*\",\"s3-object-lambda:Get*\",\"s3-object-lambda:List*\"],\"Res"
     "ource\":\"*\"}]}"},
    {"AmazonSNSFullAccess", "/", "ANPAJWEKLCXXUNT2SOLSG", "v1",
     "Provides full access to Amazon SNS via the AWS Management Console.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sns:"
     "*\"],\"Resource\":\"*\"}]}"},
    {"AmazonSQSFullAccess", "/", "ANPAI65L554VRJ33ECQS6", "v1",
     "Provides full access to Amazon SQS via the AWS Management Console.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sqs:"
     "*\"],\"Resource\":\"*\"}]}"},
    {"AWSLambda_FullAccess", "/", "ANPAZKAPJZG4LCXT5TQPG", "v1",
     "Grants full access to AWS Lambda service, AWS Lambda console features, and other "
     "related AWS services.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"lamb"
     "da:*\",\"logs:*\",\"iam:GetRole\",\"iam:ListRoles\",\"iam:PassRole\"],\"Resource"
     "\":\"*\"}]}"},
    {"AWSLambdaBasicExecutionRole", "/service-role/", "ANPAJNCQGXC42545SKXIK", "v1",
     "Provides write permissions to CloudWatch Logs.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs"
     ":CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Resource"
     "\":\"*\"}]}"},
    {"AWSLambdaDynamoDBExecutionRole", "/service-role/", "ANPAIP7WNAGMIPYNW4WQG", "v1",
     "Provides list and read access to DynamoDB streams and write permissions to "
     "CloudWatch logs.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dyna"
     "modb:DescribeStream\",\"dynamodb:GetRecords\",\"dynamodb:GetShardIterator\""
     ",\"dynamodb:ListStreams\",\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\""
     "logs:PutLogEvents\"],\"Resource\":\"*\"}]}"},
    {"AWSLambdaExecute", "/", "ANPAJE5FX7FQZSU5XAKGO", "v1",
     "Provides Put, Get access to S3 and full access to CloudWatch Logs.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs"
     ":*\"],\"Resource\":\"arn:aws:logs:*:*:*\"},{\"Effect\":\"Allow\",\"Action\":[\"s3:"
     "GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::*\"}]}"},
    {"AWSLambdaInvocation-DynamoDB", "/", "ANPAJTHQ3EKCQALQDYG5G", "v1",
     "Provides read access to DynamoDB Streams.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"lamb"
     "da:InvokeFunction\"],\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":[\"dynam"
     "odb:DescribeStream\",\"dynamodb:GetRecords\",\"dynamodb:GetShardIterator\","
     "\"dynamodb:ListStreams\"],\"Resource\":\"*\"}]}"},
    {"AWSLambdaKinesisExecutionRole", "/service-role/", "ANPAJHOLKJPXV4GBRMJUQ", "v2",
     "Provides list and read access to Kinesis streams and write permissions to "
     "CloudWatch Logs.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"kine"
     "sis:DescribeStream\",\"kinesis:DescribeStreamSummary\",\"kinesis:GetRecord"
     "s\",\"kinesis:GetShardIterator\",\"kinesis:ListShards\",\"kinesis:ListStream"
     "s\",\"kinesis:SubscribeToShard\",\"logs:CreateLogGroup\",\"logs:CreateLogStr"
     "eam\",\"logs:PutLogEvents\"],\"Resource\":\"*\"}]}"},
    {"AWSLambdaRole", "/service-role/", "ANPAJX4DPCRGTC4NFDUXI", "v1",
     "Default policy for AWS Lambda service role.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"lamb"
     "da:InvokeFunction\"],\"Resource\":[\"*\"]}]}"},
    {"AWSLambdaSQSQueueExecutionRole", "/service-role/", "ANPAJFWJZI6JNND4TSELK", "v2",
     "Provides receive message, delete message, and read attribute access to SQS "
     "queues, and write permissions to CloudWatch logs.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sqs:"
     "ReceiveMessage\",\"sqs:DeleteMessage\",\"sqs:GetQueueAttributes\",\"logs:Cre"
     "ateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Resource\":\"*"
     "\"}]}"},
    {"AWSLambdaVPCAccessExecutionRole", "/service-role/", "ANPAJVTME3YLVNL72YR2K", "v3",
     "Provides minimum permissions for a Lambda function to execute while accessing a "
     "resource within a VPC.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs"
     ":CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\",\"ec2:Creat"
     "eNetworkInterface\",\"ec2:DescribeNetworkInterfaces\",\"ec2:DeleteNetworkI"
     "nterface\",\"ec2:AssignPrivateIpAddresses\",\"ec2:UnassignPrivateIpAddress"
     "es\"],\"Resource\":\"*\"}]}"},
    {"AWSStepFunctionsFullAccess", "/", "ANPAJXKA6VP3UFBVHDPPA", "v1",
     "An access policy for providing a user/role/etc access to the AWS StepFunctions "
     "API.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"state"
     "s:*\",\"Resource\":\"*\"}]}"},
    {"AWSXrayWriteOnlyAccess", "/", "ANPAIAACM4LMYSRGBCTM6", "v1",
     "AWS X-Ray write only managed policy",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"xray"
     ":PutTraceSegments\",\"xray:PutTelemetryRecords\",\"xray:GetSamplingRules\","
     "\"xray:GetSamplingTargets\",\"xray:GetSamplingStatisticSummaries\"],\"Resou"
     "rce\":[\"*\"]}]}"},
    {"CloudWatchLogsFullAccess", "/", "ANPAJ3ZGNWK2R5HW5BQFO", "v1",
     "Provides full access to CloudWatch Logs",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"logs"
     ":*\"],\"Resource\":\"*\"}]}"},
    {"ReadOnlyAccess", "/", "ANPAILL3HVNFSB6DCOWYQ", "v1",
     "Provides read-only access to AWS services and resources.",
     "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dyna"
     "modb:Describe*\",\"dynamodb:Get*\",\"dynamodb:List*\",\"kinesis:Describe*\",\""
     "kinesis:Get*\",\"kinesis:List*\",\"lambda:Get*\",\"lambda:List*\",\"s3:Get*\",\""
     "s3:List*\",\"sns:Get*\",\"sns:List*\",\"sqs:Get*\",\"sqs:List*\",\"states:Descri"
     "be*\",\"states:List*\"],\"Resource\":\"*\"}]}"},
};

}  // namespace

std::span<const AwsManagedPolicy> AwsManagedPolicies() { return kPolicies; }

}  // namespace tidepool::iam

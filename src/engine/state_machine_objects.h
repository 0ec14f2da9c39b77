// StateMachineObjects: the flow of a Distributed Map's items and results to the S3 service of
// this process (source: an ItemReader's getObject / listObjectsV2, sink: a ResultWriter's
// putObject). Implements sfn::ObjectStore; src/main/serve.cc binds it.
//
// Reads go through S3Service::ReadObjectBytes (on an io thread), listings and writes through
// the S3 operations themselves, called with their decoded input (ListObjectsV2; PutObject with
// its body handed to the body consumer S3 opens for it), so what a Map Run reads and writes is
// what a client would see.
// A failure's message is "<S3 error code>: <message>".
//
// Thread-safety: all methods are thread-safe; `done` runs on an io thread, never inline. The
// S3 service and the io_context must outlive it.
#pragma once

#include <boost/asio/io_context.hpp>

#include <optional>
#include <string>

#include "services/s3/s3_service.h"
#include "services/stepfunctions/task_runner.h"

namespace tidepool::engine {

class StateMachineObjects final : public sfn::ObjectStore {
 public:
  StateMachineObjects(boost::asio::io_context& io, s3::S3Service& s3) : io_(io), s3_(s3) {}

  void Get(const std::string& account, const std::string& region, const std::string& bucket,
           const std::string& key, std::function<void(Result<std::string>)> done) override;
  void List(const std::string& account, const std::string& region, const std::string& bucket,
            const std::string& prefix,
            std::function<void(Result<boost::json::array>)> done) override;
  void Put(const std::string& account, const std::string& region, const std::string& bucket,
           const std::string& key, std::string body, std::function<void(Status)> done) override;

 private:
  // One page of a listing from `token`, appended to `items`; the next page follows.
  void ListPage(std::string account, std::string region, std::string bucket, std::string prefix,
                std::string token, std::shared_ptr<boost::json::array> items,
                std::function<void(Result<boost::json::array>)> done);

  // Runs S3 `operation` with the decoded `input` (and `body` through the upload consumer);
  // `done` runs on an io thread.
  void Invoke(std::string_view operation, boost::json::object input, const std::string& account,
              const std::string& region, std::function<void(protocol::Outcome)> done,
              std::optional<std::string> body = std::nullopt);

  boost::asio::io_context& io_;
  s3::S3Service& s3_;
};

}  // namespace tidepool::engine

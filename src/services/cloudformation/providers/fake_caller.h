// Test support: a ServiceCaller that records every call and answers from a script, for
// providers' unit tests (what a provider sends for given properties, what it makes of the
// answers). Integration tests deploy against the real services.
#pragma once

#include <boost/json/object.hpp>

#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "services/cloudformation/provider.h"

namespace tidepool::cloudformation {

class FakeCaller : public ServiceCaller {
 public:
  struct Sent {
    std::string service;
    std::string operation;
    boost::json::object input;
  };
  using Reply = std::variant<boost::json::object, ServiceError>;

  // The next call of `service`/`operation` gets `answer`; unscripted calls get an empty output.
  void Answer(const std::string& service, const std::string& operation, Reply answer) {
    script_[{service, operation}].push_back(std::move(answer));
  }

  Reply Call(std::string_view service, std::string_view operation,
             boost::json::object input) override {
    sent_.push_back({std::string(service), std::string(operation), std::move(input)});
    auto it = script_.find({std::string(service), std::string(operation)});
    if (it == script_.end() || it->second.empty()) return boost::json::object();
    Reply answer = std::move(it->second.front());
    it->second.pop_front();
    return answer;
  }

  const std::vector<Sent>& sent() const { return sent_; }
  // The calls of `operation`, in order.
  std::vector<const Sent*> Calls(std::string_view operation) const {
    std::vector<const Sent*> out;
    for (const auto& s : sent_) {
      if (s.operation == operation) out.push_back(&s);
    }
    return out;
  }

 private:
  std::map<std::pair<std::string, std::string>, std::deque<Reply>> script_;
  std::vector<Sent> sent_;
};

}  // namespace tidepool::cloudformation

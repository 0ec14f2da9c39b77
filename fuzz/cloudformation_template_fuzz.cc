// libFuzzer target: CloudFormation templates. The input is a template body (JSON or YAML with
// the short-form tags); one that reads is taken through what CreateStack does before it
// creates anything: parameters from their defaults, conditions, the dependency order, and
// every active resource's properties and every output evaluated (resources resolve to fixed
// text).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/cloudformation/dependencies.h"
#include "services/cloudformation/intrinsics.h"
#include "services/cloudformation/parameters.h"
#include "services/cloudformation/template.h"

namespace {

using namespace tidepool;
using namespace tidepool::cloudformation;

class FixedResolver : public ResourceResolver {
 public:
  Result<boost::json::value> Ref(const std::string& id) const override {
    return boost::json::value(id + "-id");
  }
  Result<boost::json::value> GetAtt(const std::string& id, const std::string& a) const override {
    return boost::json::value(id + "." + a);
  }
  Result<boost::json::value> ImportValue(const std::string& name) const override {
    return Status::InvalidArgument("No export named " + name + " found.");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (body.size() > kMaxTemplateUrlBytes) return 0;
  auto t = ParseTemplate(body);
  if (!t.ok()) return 0;
  auto params = ResolveParameters(*t, {});
  if (!params.ok()) return 0;
  Evaluator eval(*t, *params, StackContext{});
  if (!eval.conditions_status().ok()) return 0;
  FixedResolver resolver;
  eval.set_resolver(&resolver);
  auto graph = ResolveDependencies(*t, [&](const std::string& c) { return eval.Active(c); });
  if (!graph.ok()) return 0;
  for (const auto& id : graph->order) (void)eval.Properties(*t->FindResource(id));
  for (const auto& o : t->outputs) {
    if (eval.Active(o.condition)) (void)eval.Evaluate(o.value);
  }
  return 0;
}

// libFuzzer target: the serverless resource providers' reading of template properties. The
// input is one byte choosing the type (of ServerlessProviders()) followed by its Properties as
// JSON; an object is taken through Create, Update (from itself and from no properties),
// RequiresReplacement and Delete against a caller that answers every call with an empty
// output, and through DefinitionSubstitutions' "${Name}" replacement as definition text.
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "services/cloudformation/providers/fake_caller.h"
#include "services/cloudformation/providers/providers.h"
#include "services/cloudformation/providers/serverless_stepfunctions.h"

using namespace tidepool::cloudformation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 64 * 1024) return 0;
  auto providers = ServerlessProviders();
  const ProviderEntry& entry = providers[data[0] % providers.size()];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  boost::json::object substitutions{{"Name", "value"}, {"N", 7}, {"Flag", true}};
  (void)serverless::SubstituteDefinition(text, substitutions);

  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return 0;
  ResourceRequest r;
  r.logical_id = "Fuzz";
  r.type = std::string(entry.type);
  r.stack_name = "fuzz";
  r.account_id = "000000000000";
  r.region = "us-east-1";
  r.properties = parsed.as_object();

  FakeCaller caller;
  auto created = entry.provider->Create(caller, r);
  r.physical_id = created.ok() ? created->physical_id : "arn:aws:lambda:us-east-1:0:function:f:1";
  r.previous_properties = r.properties;
  (void)entry.provider->RequiresReplacement(r.previous_properties, r.properties);
  (void)entry.provider->RequiresReplacement({}, r.properties);
  if (!entry.provider->RequiresReplacement(r.previous_properties, r.properties)) {
    (void)entry.provider->Update(caller, r);
  }
  (void)entry.provider->Delete(caller, r);
  return 0;
}

// libFuzzer target: the YAML reader (protocol/codec/yaml_reader.h) in plain and CloudFormation
// modes, and the writer against it. Any input must parse or be refused with a Status, never
// crash or run away (aliases are bounded); a parsed value written back as YAML must read back
// as the same value.
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/codec/yaml_reader.h"
#include "protocol/codec/yaml_writer.h"

namespace yaml = tidepool::protocol::yaml;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  yaml::YamlOptions options;
  options.max_expansion = 1 << 20;
  auto plain = yaml::ParseYaml(text, options);
  options.on_tag = yaml::CloudFormationShortForm;
  auto tagged = yaml::ParseYaml(text, options);
  if (plain.ok() && !tagged.ok()) __builtin_trap();  // tags only add what plain mode refuses
  if (!plain.ok()) return 0;
  auto again = yaml::ParseYaml(yaml::WriteYaml(*plain));
  if (!again.ok() || *again != *plain) __builtin_trap();
  return 0;
}

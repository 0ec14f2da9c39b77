// libFuzzer target: the PartiQL parser (services/dynamodb/partiql.h). The input is a
// statement, parsed with two parameters; whatever parses must join its WHERE terms and have
// every placeholder it emitted defined.
#include <boost/json.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "services/dynamodb/partiql.h"

using namespace tidepool::dynamodb;  // NOLINT(google-build-using-namespace): a fuzz driver

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const boost::json::array kParameters =
      boost::json::parse(R"([{"S":"x"},{"N":"1"}])").as_array();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const boost::json::array* params :
       {&kParameters, static_cast<const boost::json::array*>(nullptr)}) {
    auto st = ParsePartiql(text, params);
    if (!st.ok()) continue;
    std::vector<const PartiqlStatement::Term*> terms;
    for (const auto& t : st->where) terms.push_back(&t);
    const std::string where = JoinTerms(terms);
    const std::string* expressions[] = {&where, &st->update, &st->projection};
    for (const std::string* expr : expressions) {
      for (size_t at = expr->find_first_of("#:"); at != std::string::npos;
           at = expr->find_first_of("#:", at + 1)) {
        size_t end = at + 1;
        while (end < expr->size() && (std::isalnum(static_cast<unsigned char>((*expr)[end])))) {
          ++end;
        }
        const std::string placeholder = expr->substr(at, end - at);
        const auto& map = (*expr)[at] == '#' ? st->names : st->values;
        if (placeholder.size() > 1 && !map.contains(placeholder)) std::abort();
      }
    }
  }
  return 0;
}

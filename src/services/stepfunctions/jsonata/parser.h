// Parser of JSONata expressions: a tokenizer, a Pratt (top-down operator precedence) parser,
// and the post-parse pass that builds paths, predicates and parent references.
// Throws JsonataError with the reference implementation's S0xxx codes; jsonata.h wraps it.
// Thread-safe (no shared state).
#pragma once

#include <string_view>

#include "services/stepfunctions/jsonata/ast.h"

namespace tidepool::sfn::jsonata {

NodePtr ParseExpression(std::string_view text);

}  // namespace tidepool::sfn::jsonata

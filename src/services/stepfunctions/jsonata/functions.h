// Internal to the JSONata library: how the built-ins are defined.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "services/stepfunctions/jsonata/function.h"
#include "services/stepfunctions/jsonata/regex.h"
#include "services/stepfunctions/jsonata/value.h"

namespace tidepool::sfn::jsonata {

using Library = std::unordered_map<std::string, Value>;

const Value& Arg(const std::vector<Value>& args, size_t i);
void Define(Library& lib, const std::string& name, const char* signature, NativeFn fn);
[[noreturn]] void Fail(const char* code, std::string message, Value value);
double RoundHalfEven(double arg, double precision);
// `x` times 10^places, shifted through the number's decimal text as JavaScript does.
double ShiftDecimal(double x, int places);
const Regex& RegexOf(const Value& v);

void DefineCoreFunctions(Library& lib);            // functions.cc
void DefineCollectionFunctions(Library& lib);      // functions_collections.cc
void DefineNumberPictureFunctions(Library& lib);   // picture_number.cc
void DefineIntegerPictureFunctions(Library& lib);  // picture_integer.cc

}  // namespace tidepool::sfn::jsonata

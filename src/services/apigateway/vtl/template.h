// A Velocity Template Language subset: API Gateway's mapping templates.
//
// Text with references and directives:
//   $name $!name ${name} $a.b $a.m(x, 'y') $a[0] $a['k']   references (a property of a map is
//                                                         its member; `!`: render nothing
//                                                         when undefined instead of the text)
//   #set($x = expr)  #if(expr) ... #elseif(expr) ... #else ... #end
//   #foreach($x in expr) ... #end  (with $foreach.index/count/hasNext/first/last and
//                                   $velocityCount)
//   ## line comment   #* block comment *#   \$ and \# for literal characters
// Expressions: 'text' "text with $refs" numbers true false null [a, b] [1..5] {'k': v}
//   ! && || and or not == != < > <= >= eq ne lt gt le ge + - * / % and parentheses.
// Values are JSON values. A line that holds only a directive (and blanks) renders nothing,
// its newline included. Methods on strings, lists and maps follow Java's (length, size,
// isEmpty, contains, startsWith, endsWith, indexOf, substring, replace, replaceAll, split,
// matches, trim, toLowerCase, toUpperCase, toString, equals, get, containsKey, keySet,
// values); `$util` is built in (escapeJavaScript, parseJson, urlEncode, urlDecode,
// base64Encode, base64Decode); other host objects ($input, $context...) come from the
// Environment.
//
// Rendering is bounded: 10 MB of output, 100,000 loop iterations, 64 levels of nesting;
// beyond them Render fails. Thread-safety: a parsed Template is immutable; Render is const.
#pragma once

#include <boost/json/value.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::apigateway::vtl {

// What a template's host objects are, for one rendering.
class Environment {
 public:
  virtual ~Environment() = default;
  // The value of variable `name` ("context", "stageVariables"), when the environment has it.
  virtual std::optional<boost::json::value> Variable(std::string_view name) const = 0;
  // `$object.method(args)` on a host object ("input"); nullopt when `object` is not one of
  // the environment's host objects. A property (`$input.body`) is a call without arguments.
  virtual std::optional<Result<boost::json::value>> Call(
      std::string_view object, std::string_view method,
      const std::vector<boost::json::value>& args) const = 0;
};

struct Node;  // the parsed template (template.cc)

class Template {
 public:
  Template();
  ~Template();
  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;

  // InvalidArgument naming the position for text that does not parse.
  static Result<Template> Parse(std::string_view text);
  Result<std::string> Render(const Environment& env) const;

 private:
  std::shared_ptr<const std::vector<Node>> nodes_;
};

// Renders `value` as Velocity prints it: strings as they are, maps "{a=1, b=x}", lists
// "[1, 2]", numbers and booleans as JSON.
std::string ToText(const boost::json::value& value);

}  // namespace tidepool::apigateway::vtl

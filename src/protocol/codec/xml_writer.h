// A small streaming XML writer for AWS replies (query protocol now, rest-xml later). Element
// names and the namespace come from the service model and are written as given; text is
// escaped, and characters XML 1.0 cannot carry (control characters other than tab, newline
// and carriage return, U+FFFE/U+FFFF, malformed UTF-8) become U+FFFD, so the document always
// parses whatever bytes a value holds.
//
// Two layouts: compact (no whitespace between elements, SQS) and pretty (each element on its
// own line, indented by two spaces per level, closing with a newline, SNS).
//
// Not thread-safe; one writer per document. Appends to a caller-owned string.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tidepool::protocol::xml {

class XmlWriter {
 public:
  XmlWriter(std::string& out, bool pretty) : out_(out), pretty_(pretty) {}

  // <?xml version="1.0"?> (before the root element).
  void Declaration();
  // <name> or <name xmlns="ns">. `name` must stay valid until the matching Close().
  void Open(std::string_view name, std::string_view xmlns = {});
  // Closes the innermost open element; one that got no children becomes <name/>.
  void Close();
  // <name>escaped text</name>
  void Element(std::string_view name, std::string_view text);
  // <name/>
  void Empty(std::string_view name);
  // Ends the document (pretty layout: the final newline). Closes elements left open.
  void Finish();

  // Appends `text` escaped for element content: & < > " and carriage return as entities,
  // characters XML cannot carry as U+FFFD.
  static void AppendEscaped(std::string_view text, std::string& out);

 private:
  void StartLine();

  std::string& out_;
  bool pretty_;
  struct OpenElement {
    std::string_view name;
    bool has_children;
  };
  std::vector<OpenElement> open_;  // outermost first
};

}  // namespace tidepool::protocol::xml

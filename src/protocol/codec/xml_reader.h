// A small XML reader for the documents AWS clients send (S3 configurations: notification,
// CORS, lifecycle, tagging, multipart completion, multi-object delete). It builds a tree of
// elements with their character data; attributes are read and dropped, namespace prefixes are
// stripped from element names. DTDs and processing instructions other than the declaration
// are refused (no entity expansion), as are documents nested deeper than 64 elements or with
// more than 100,000 elements. Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::protocol::xml {

struct XmlElement {
  std::string name;  // local name, without a namespace prefix
  std::string text;  // character data directly inside the element, entities decoded
  std::vector<XmlElement> children;

  // The first child named `name`; nullptr when none.
  const XmlElement* Child(std::string_view child_name) const;
};

// Parses `document` (one root element, optionally preceded by an XML declaration, comments and
// whitespace). InvalidArgument with a short reason when it is not well-formed.
Result<XmlElement> ParseXml(std::string_view document);

}  // namespace tidepool::protocol::xml

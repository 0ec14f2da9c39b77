// REST API documentation: documentation parts (a location in the API and a JSON content map)
// and the rules API Gateway applies to them, shared by the management operations
// (documentation_ops.cc), the OpenAPI importer (`x-amazon-apigateway-documentation`) and
// GetExport.
//
// A location is {type, path, method, statusCode, name}. Which members a type takes:
//
//   type                                          path  method  statusCode  name
//   API                                            -     -       -           -
//   AUTHORIZER, MODEL                              -     -       -           required
//   RESOURCE                                       /     -       -           -
//   METHOD                                         /     *       -           -
//   PATH_PARAMETER, QUERY_PARAMETER, REQUEST_HEADER /    *       -           required
//   REQUEST_BODY                                   /     *       -           optional
//   RESPONSE, RESPONSE_BODY                        /     *       *           -
//   RESPONSE_HEADER                                /     *       *           required
//
// ("/" and "*": taken, with that default when absent; "-": not applicable, BadRequest when
// given.) Two parts of an API may not share a location (after defaults): ConflictException
// "Documentation part already exists for the specified location: type 'METHOD', path '/',
// method 'GET'."
//
// Thread-safety: pure functions.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tidepool::apigateway {

// `location` (the input member; null or absent is an error) checked against the table above,
// with the defaults filled in and the inapplicable members left out.
Result<boost::json::object> CanonicalDocumentationLocation(const boost::json::value* location);

// "type 'METHOD', path '/pets', method 'GET'": the members of a canonical location, in
// the order of the table.
std::string DescribeDocumentationLocation(const boost::json::object& location);

// A part's `properties`: a JSON object as text (BadRequest otherwise).
Status CheckDocumentationProperties(const boost::json::value* properties);

// GetDocumentationParts' filters (empty: any). `location_status` DOCUMENTED keeps parts whose
// properties are a non-empty object, UNDOCUMENTED the others. BadRequest for an unknown type
// or status.
struct DocumentationFilter {
  std::string type;
  std::string name_query;  // a substring of the location's name
  std::string path;        // the location's path, exactly
  std::string location_status;
};
Result<DocumentationFilter> DocumentationFilterOf(const boost::json::object& input);
bool DocumentationPartMatches(const boost::json::object& part, const DocumentationFilter& filter);

// The parts of an OpenAPI definition's `x-amazon-apigateway-documentation` member
// ({"version", "documentationParts": [{"location", "properties": object}]}), as
// DocumentationParts without ids (properties as text). A part whose location or properties
// fail the checks above is left out with a warning naming its index and the reason.
struct ImportedDocumentation {
  std::string version;  // the member's "version" ("" when none)
  std::vector<boost::json::object> parts;
  std::vector<std::string> warnings;
};
Result<ImportedDocumentation> ReadDocumentationExtension(const boost::json::object& definition);

// Adds `imported` to `parts` (id -> DocumentationPart). `overwrite` first removes every part;
// otherwise a part at an imported location gets the imported properties and keeps its id.
// Returns the ids of the imported parts, in order; `new_id` makes ids for new parts.
std::vector<std::string> MergeDocumentationParts(boost::json::object& parts,
                                                 const std::vector<boost::json::object>& imported,
                                                 bool overwrite, std::string (*new_id)(size_t));

// The `x-amazon-apigateway-documentation` object of a documentation version ({"version",
// "createdDate", "parts": {id: DocumentationPart}}): parts ordered by type, then location;
// properties as objects.
boost::json::object DocumentationExtension(const boost::json::object& version);

// Writes the content of `parts` (id -> DocumentationPart) into an exported OpenAPI document
// `exported` (oas30, or swagger when `swagger`): each member of a part's properties is set on
// the object the location names, where the document has it: API -> `info` (a member "info"
// is merged into it), RESOURCE -> the path item, METHOD -> the operation (a `*` method: every
// operation of the path), PATH_PARAMETER / QUERY_PARAMETER / REQUEST_HEADER -> the parameter
// of that name and place, REQUEST_BODY -> the request body (swagger: the body parameter),
// RESPONSE -> the response of that status code (`*`: every response), RESPONSE_HEADER -> its
// header, MODEL -> the schema. A member the export already wrote is replaced.
void ApplyDocumentationToExport(const boost::json::object& parts, bool swagger,
                                boost::json::object& exported);

// A stage's `documentationVersion` (when set) must name a version of `doc` (a RestApiRecord):
// BadRequest otherwise.
Status CheckStageDocumentationVersion(const boost::json::object& doc,
                                      const boost::json::object& stage);

}  // namespace tidepool::apigateway

// A parser for the common shape of HTTP/1.x request that the AWS SDKs send: a known method, an
// origin-form target, HTTP/1.0 or 1.1, plain header fields, and either no body or a
// Content-Length body that has arrived whole. It exists because Beast's general parser costs
// several thousand instructions per small request; it never replaces it.
//
// Contract: ParseCommonRequest either accepts, producing exactly the message (method, target,
// version, fields in order with their spelling, body) and byte count that Beast's
// request_parser<string_body> with the same header and body limits would produce for the same
// input, or declines. It declines everything it is not sure about: an incomplete request, a
// field it would have to interpret (Transfer-Encoding, Upgrade, Proxy-Connection, a Connection
// other than a single token, a Content-Length other than one plain number), obs-fold, bytes
// outside printable ASCII, an unknown method, limits reached. The caller then hands the same
// bytes to Beast, which produces the answer (including every error) as before. So bad input
// gets exactly Beast's verdict. fuzz/http_request_fuzz.cc checks the contract differentially.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/http/responder.h"

namespace tidepool::protocol::http {

// Parses one request from the front of `in`. `out` must be a default-constructed request. On
// acceptance, fills *out and returns the number of bytes the request spans (> 0). Returns 0 when
// it declines, leaving *out untouched.
// `header_limit` and `body_limit` are the limits Beast would enforce (request line plus fields,
// in bytes; body bytes).
size_t ParseCommonRequest(std::string_view in, uint32_t header_limit, uint64_t body_limit,
                          HttpRequest* out);

}  // namespace tidepool::protocol::http

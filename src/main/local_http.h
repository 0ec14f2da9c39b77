// Blocking HTTP GETs to a running tidepool, for the CLI's client commands (`tidepool
// reconcile`, `tidepool trace`). Not for the server's own request path.
#pragma once

#include <string>

#include "core/result.h"

namespace tidepool::cli {

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

// GET `target` ("/_tidepool/...") from `endpoint` ("http://host:port"). InvalidArgument for an
// endpoint that cannot be read, Unavailable when the server cannot be reached.
Result<HttpAnswer> LocalGet(const std::string& endpoint, const std::string& target);

}  // namespace tidepool::cli

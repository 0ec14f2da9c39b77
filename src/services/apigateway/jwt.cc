#include "services/apigateway/jwt.h"

namespace tidepool::apigateway {

void JwksCache::Keys(const std::string&, int64_t, bool, KeysDone done) {
  done(Status::Unavailable("not yet"));
}

}  // namespace tidepool::apigateway

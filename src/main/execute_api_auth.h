// Binds API Gateway's AWS_IAM authorization (services/apigateway/iam_auth.h) to the server's
// SigV4 verification and IAM's identities.
#pragma once

#include <string>

#include "core/clock.h"
#include "protocol/authenticator.h"
#include "services/apigateway/iam_auth.h"
#include "services/iam/iam_service.h"

namespace tidepool {

// A verifier that checks every signature by a key the server knows (the credentials file, or
// keys IAM and STS issued) as --auth strict does, in either mode. In --auth accept-any
// (`mode` kAcceptAny) a key the server does not know passes unchecked, as it does on every
// other API; in strict mode it is refused. The caller is IAM's identity of the key (the root of
// the key's account for keys IAM did not issue). `iam` and `clock` must outlive the verifier.
apigateway::IamVerifier MakeExecuteApiVerifier(protocol::AuthMode mode,
                                               protocol::CredentialMap credentials,
                                               const Clock* clock, const iam::IamService* iam,
                                               std::string default_account);

}  // namespace tidepool

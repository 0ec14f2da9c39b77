// StsService: AWS Security Token Service over the identities IamService stores. It lives in
// the IAM folder because it reads IAM's roles, users and keys and writes the credentials it
// issues into IAM's keyspace (keyspace.h 's'): the two are one directory seen through two
// APIs, and splitting them would need a third component that both call.
//
// Served: GetCallerIdentity (root of the request's account for keys tidepool did not issue),
// AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken, GetAccessKeyInfo. Issued
// credentials (ASIA...) are stored until they expire and accepted by the router (see
// IamService::FindCredential); nothing is evaluated: any role ARN may be assumed, existing
// or not (docs/differences.md). Other operations fail with InvalidAction.
//
// Thread-safety: as IamService.
#pragma once

#include <boost/json/object.hpp>

#include "core/clock.h"
#include "core/result.h"
#include "protocol/service.h"
#include "services/iam/iam_service.h"

namespace tidepool::iam {

class StsService final : public protocol::Service {
 public:
  StsService(IamService& iam, const Clock& clock) : iam_(iam), clock_(clock) {}
  StsService(const StsService&) = delete;
  StsService& operator=(const StsService&) = delete;

  std::string_view Name() const override { return "sts"; }
  const protocol::model::ServiceModel& Model() const override;
  void Invoke(protocol::CallPtr call) override;
  boost::json::object Health() const override;

 private:
  using Handler = void (StsService::*)(protocol::CallPtr);
  friend struct StsServiceTable;
  // The credentials and reply of an AssumeRole* call, not yet stored.
  struct RoleSession {
    StoredAccessKey key;
    boost::json::object output;  // Credentials and AssumedRoleUser
  };

  // Checks RoleArn, Policy and DurationSeconds (against an existing role's
  // MaxSessionDuration) and issues the session's credentials.
  Result<RoleSession> StartRoleSession(const boost::json::object& in) const;

  void GetCallerIdentity(protocol::CallPtr call);
  void AssumeRole(protocol::CallPtr call);
  void AssumeRoleWithWebIdentity(protocol::CallPtr call);
  void GetSessionToken(protocol::CallPtr call);
  void GetAccessKeyInfo(protocol::CallPtr call);

  IamService& iam_;
  const Clock& clock_;
};

}  // namespace tidepool::iam

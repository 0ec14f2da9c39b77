// Object ACLs as S3 writes them: the grants a canned ACL (x-amz-acl) or the x-amz-grant-*
// headers stand for, in GetObjectAcl's shape ([{Grantee: {ID | URI | EmailAddress, Type,
// DisplayName?}, Permission}]). Stored and returned; nothing evaluates them. Pure functions;
// thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <string_view>

#include "core/result.h"
#include "services/s3/records.h"

namespace tidepool::s3 {

// The Owner element of account `account` ({ID, DisplayName}).
boost::json::object Owner(std::string_view account);

// The grants of the ACL that `in` (an operation's decoded input) asks for: its ACL member
// (a canned ACL) or its Grant* members (GrantFullControl, GrantRead, GrantReadACP,
// GrantWrite, GrantWriteACP: `id="..."`, `uri="..."`, `emailAddress="..."` lists), with
// `owner` as the object's owner; nullopt when it asks for none. InvalidArgument for an unknown
// canned ACL or a malformed grant list, InvalidRequest for both kinds at once.
Result<std::optional<boost::json::array>> RequestedGrants(const boost::json::object& in,
                                                          std::string_view owner);

// The grants of an object owned by `owner` that was given none: FULL_CONTROL to its owner.
boost::json::array OwnerGrants(std::string_view owner);

// Sets `record`'s grants from the ACL `in` asks for (RequestedGrants; none: the owner's
// default) and drops the ACL members from its stored headers (StoredHeaders keeps them for a
// multipart upload until its completion).
Status ApplyRequestedAcl(const boost::json::object& in, std::string_view owner,
                         ObjectRecord* record);

}  // namespace tidepool::s3

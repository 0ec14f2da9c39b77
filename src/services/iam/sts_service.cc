#include "services/iam/sts_service.h"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>

#include "core/encoding.h"
#include "protocol/input.h"
#include "protocol/model/models.h"
#include "services/iam/iam_errors.h"
#include "services/iam/ids.h"
#include "services/iam/policy_document.h"

namespace tidepool::iam {
namespace json = boost::json;
using protocol::CallPtr;
using protocol::InputInt;
using protocol::InputStringView;

// The registration table: operation name -> handler.
struct StsServiceTable {
  struct Entry {
    std::string_view operation;
    StsService::Handler handler;
  };
  static constexpr std::array<Entry, 5> kEntries{{
      {"AssumeRole", &StsService::AssumeRole},
      {"AssumeRoleWithWebIdentity", &StsService::AssumeRoleWithWebIdentity},
      {"GetAccessKeyInfo", &StsService::GetAccessKeyInfo},
      {"GetCallerIdentity", &StsService::GetCallerIdentity},
      {"GetSessionToken", &StsService::GetSessionToken},
  }};

  static StsService::Handler Find(std::string_view operation) {
    auto it =
        std::lower_bound(kEntries.begin(), kEntries.end(), operation,
                         [](const Entry& e, std::string_view op) { return e.operation < op; });
    return (it != kEntries.end() && it->operation == operation) ? it->handler : nullptr;
  }
};

namespace {

void Fail(const CallPtr& call, const Status& status) { call->Fail(ToAwsError(status)); }

Status Validation(std::string message) {
  return IamStatus(IamError::kValidationError, std::move(message));
}

struct RoleArn {
  std::string account;
  std::string name;
};

// arn:aws:iam::<12 digits>:role/[path/]name
Result<RoleArn> ParseRoleArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:aws:iam::";
  if (!arn.starts_with(kPrefix) || arn.size() < kPrefix.size() + 13) {
    return Validation(fmt::format("{} is invalid", arn));
  }
  RoleArn out;
  out.account = std::string(arn.substr(kPrefix.size(), 12));
  std::string_view resource = arn.substr(kPrefix.size() + 12);
  if (!std::all_of(out.account.begin(), out.account.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !resource.starts_with(":role/") || resource.back() == '/') {
    return Validation(fmt::format("{} is invalid", arn));
  }
  out.name = std::string(resource.substr(resource.rfind('/') + 1));
  return out;
}

// A stable AROA id for a role that does not exist (any role ARN may be assumed).
std::string SyntheticRoleId(std::string_view arn) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string id = "AROA";
  const std::string digest = Sha256(arn);
  for (size_t i = 0; i < 17; ++i)
    id.push_back(kAlphabet[static_cast<unsigned char>(digest[i]) & 31]);
  return id;
}

json::object CredentialsReply(const StoredAccessKey& key) {
  return json::object{{"AccessKeyId", key.id},
                      {"SecretAccessKey", key.secret},
                      {"SessionToken", key.session_token},
                      {"Expiration", key.expires}};
}

StoredAccessKey NewSession(std::string account, std::string arn, std::string user_id, double now,
                           int64_t duration_seconds) {
  StoredAccessKey key;
  key.id = NewId("ASIA", 20);
  key.secret = NewSecretAccessKey();
  key.session_token = NewSessionToken();
  key.account = std::move(account);
  key.arn = std::move(arn);
  key.user_id = std::move(user_id);
  key.created = now;
  key.expires = now + static_cast<double>(duration_seconds);
  return key;
}

// The claims of a JWT's payload; nullopt when `token` is not header.payload.signature with a
// base64url JSON object in the middle.
std::optional<json::object> JwtClaims(std::string_view token) {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::string payload(token.substr(first + 1, second - first - 1));
  for (char& c : payload) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (payload.size() % 4 != 0) payload.push_back('=');
  auto decoded = Base64Decode(payload);
  if (!decoded) return std::nullopt;
  boost::system::error_code ec;
  json::value claims = json::parse(*decoded, ec);
  if (ec || !claims.is_object()) return std::nullopt;
  return std::move(claims.get_object());
}

std::string Claim(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_array() && !v->get_array().empty() && v->get_array()[0].is_string()) {
    return std::string(v->get_array()[0].get_string());  // "aud" may be a list
  }
  return {};
}

}  // namespace

const protocol::model::ServiceModel& StsService::Model() const {
  return protocol::model::StsModel();
}

void StsService::Invoke(CallPtr call) {
  const Handler handler = StsServiceTable::Find(call->operation().name);
  if (handler == nullptr) {
    return Fail(call, IamStatus(IamError::kInvalidAction,
                                fmt::format("The action {} is not implemented by tidepool (STS "
                                            "serves GetCallerIdentity, AssumeRole, "
                                            "AssumeRoleWithWebIdentity, GetSessionToken and "
                                            "GetAccessKeyInfo).",
                                            call->operation().name)));
  }
  (this->*handler)(std::move(call));
}

json::object StsService::Health() const { return json::object{{"status", "running"}}; }

void StsService::GetCallerIdentity(CallPtr call) {
  const CallerIdentity who = iam_.IdentityOf(call->context());
  call->Reply(json::object{{"UserId", who.user_id}, {"Account", who.account}, {"Arn", who.arn}});
}

Result<StsService::RoleSession> StsService::StartRoleSession(const json::object& in) const {
  const std::string_view role_arn = InputStringView(in, "RoleArn").value_or("");
  const std::string session(InputStringView(in, "RoleSessionName").value_or(""));
  auto arn = ParseRoleArn(role_arn);
  if (!arn.ok()) return arn.status();
  if (auto policy = InputStringView(in, "Policy")) {
    TP_RETURN_IF_ERROR(ValidatePolicyDocument(*policy, PolicyKind::kIdentity));
  }
  const int64_t duration = InputInt(in, "DurationSeconds").value_or(3600);
  std::string role_id = SyntheticRoleId(role_arn);
  if (auto role = iam_.FindRole(arn->account, arn->name)) {
    if (duration > role->max_session_seconds) {
      return Validation(
          "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    role_id = role->role_id;
  }
  RoleSession out;
  const std::string assumed_arn =
      fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", arn->account, arn->name, session);
  const std::string assumed_id = role_id + ":" + session;
  out.key = NewSession(arn->account, assumed_arn, assumed_id, clock_.NowSeconds(), duration);
  out.output = json::object{
      {"Credentials", CredentialsReply(out.key)},
      {"AssumedRoleUser", json::object{{"AssumedRoleId", assumed_id}, {"Arn", assumed_arn}}}};
  return out;
}

void StsService::AssumeRole(CallPtr call) {
  const json::object& in = call->input();
  auto session = StartRoleSession(in);
  if (!session.ok()) return Fail(call, session.status());
  json::object& output = session->output;
  if (in.contains("Policy") || in.contains("PolicyArns") || in.contains("Tags")) {
    output["PackedPolicySize"] = 6;
  }
  if (auto source = InputStringView(in, "SourceIdentity")) output["SourceIdentity"] = *source;
  iam_.CommitSession(std::move(session->key), std::move(call), std::move(output));
}

void StsService::AssumeRoleWithWebIdentity(CallPtr call) {
  const json::object& in = call->input();
  auto claims = JwtClaims(InputStringView(in, "WebIdentityToken").value_or(""));
  if (!claims) {
    return Fail(call, IamStatus(IamError::kInvalidIdentityToken,
                                "The ID Token provided is not a valid JWT. (You may see this "
                                "error if you sent an Access Token)"));
  }
  auto session = StartRoleSession(in);
  if (!session.ok()) return Fail(call, session.status());
  json::object& output = session->output;
  output["SubjectFromWebIdentityToken"] = Claim(*claims, "sub");
  output["Audience"] = Claim(*claims, "aud");
  std::string provider(InputStringView(in, "ProviderId").value_or(Claim(*claims, "iss")));
  if (!provider.empty()) output["Provider"] = provider;
  iam_.CommitSession(std::move(session->key), std::move(call), std::move(output));
}

void StsService::GetSessionToken(CallPtr call) {
  const CallerIdentity who = iam_.IdentityOf(call->context());
  if (auto own = iam_.FindCredential(call->context().access_key_id);
      own && !own->session_token.empty()) {
    return Fail(call, IamStatus(IamError::kAccessDenied,
                                "Cannot call GetSessionToken with session credentials"));
  }
  const int64_t duration = InputInt(call->input(), "DurationSeconds").value_or(43200);
  StoredAccessKey key =
      NewSession(who.account, who.arn, who.user_id, clock_.NowSeconds(), duration);
  json::object output{{"Credentials", CredentialsReply(key)}};
  iam_.CommitSession(std::move(key), std::move(call), std::move(output));
}

void StsService::GetAccessKeyInfo(CallPtr call) {
  const std::string_view id = InputStringView(call->input(), "AccessKeyId").value_or("");
  auto key = iam_.FindCredential(id);
  call->Reply(json::object{{"Account", key ? key->account_id : call->context().account_id}});
}

}  // namespace tidepool::iam

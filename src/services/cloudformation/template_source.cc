#include "services/cloudformation/template_source.h"

#include <boost/json.hpp>

#include <algorithm>

#include "services/cloudformation/dependencies.h"
#include "services/cloudformation/sam_transform.h"

namespace tidepool::cloudformation {
namespace json = boost::json;

namespace {

Status UrlError() {
  return Status::InvalidArgument(
      "TemplateURL must be a supported URL: an object of this tidepool's S3 "
      "(http://localhost:4566/BUCKET/KEY or https://BUCKET.s3.amazonaws.com/KEY).");
}

// The IAM types and the property that names each.
struct IamType {
  std::string_view type;
  std::string_view name_property;
};
constexpr IamType kIamTypes[] = {
    {"AWS::IAM::Role", "RoleName"},   {"AWS::IAM::ManagedPolicy", "ManagedPolicyName"},
    {"AWS::IAM::Policy", ""},         {"AWS::IAM::User", "UserName"},
    {"AWS::IAM::Group", "GroupName"}, {"AWS::IAM::InstanceProfile", "InstanceProfileName"},
};

// Every Fn::GetAtt of `v` with a literal resource and attribute must name an attribute the
// resource's type documents: "Template error: resource X does not support attribute type Y in
// Fn::GetAtt".
Status CheckAttributes(const Template& t, const json::value& v) {
  if (const json::array* a = v.if_array()) {
    for (const auto& e : *a) TP_RETURN_IF_ERROR(CheckAttributes(t, e));
    return Status::Ok();
  }
  const json::object* o = v.if_object();
  if (o == nullptr) return Status::Ok();
  if (o->size() == 1 && o->begin()->key() == "Fn::GetAtt") {
    const json::value& arg = o->begin()->value();
    std::string resource, attribute;
    if (arg.is_string()) {
      std::string_view text = arg.get_string();
      size_t dot = text.find('.');
      if (dot == std::string_view::npos) return Status::Ok();
      resource = text.substr(0, dot);
      attribute = text.substr(dot + 1);
    } else if (arg.is_array() && arg.get_array().size() == 2 && arg.get_array()[0].is_string() &&
               arg.get_array()[1].is_string()) {
      resource = arg.get_array()[0].get_string();
      attribute = arg.get_array()[1].get_string();
    } else {
      return Status::Ok();
    }
    const Resource* r = t.FindResource(resource);
    const ProviderEntry* entry = r ? FindProvider(r->type) : nullptr;
    if (entry == nullptr || entry->attributes.empty()) return Status::Ok();
    if (std::find(entry->attributes.begin(), entry->attributes.end(), attribute) ==
        entry->attributes.end()) {
      return TemplateError("resource " + resource + " does not support attribute type " +
                           attribute + " in Fn::GetAtt");
    }
    return Status::Ok();
  }
  for (const auto& [_, member] : *o) TP_RETURN_IF_ERROR(CheckAttributes(t, member));
  return Status::Ok();
}

}  // namespace

Result<std::pair<std::string, std::string>> ParseTemplateUrl(const std::string& url) {
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return UrlError();
  }
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return UrlError();
  std::string_view host = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  if (size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  if (size_t colon = host.find(':'); colon != std::string_view::npos) host = host.substr(0, colon);
  // Virtual-hosted: BUCKET.s3[.-region].amazonaws.com
  if (size_t at = host.find(".s3");
      at != std::string_view::npos && at > 0 && host.ends_with(".amazonaws.com")) {
    if (path.empty()) return UrlError();
    return std::pair{std::string(host.substr(0, at)), std::string(path)};
  }
  size_t key_at = path.find('/');
  if (key_at == std::string_view::npos || key_at == 0 || key_at + 1 == path.size()) {
    return UrlError();
  }
  return std::pair{std::string(path.substr(0, key_at)), std::string(path.substr(key_at + 1))};
}

Result<std::string> TemplateText(ServiceCaller& s3, const std::string& body,
                                 const std::string& url) {
  if (!body.empty() && !url.empty()) {
    return Status::InvalidArgument("Specify exactly one of TemplateBody or TemplateUrl.");
  }
  if (!body.empty()) {
    if (body.size() > kMaxTemplateBodyBytes) {
      return Status::InvalidArgument(
          "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: "
          "Member must have length less than or equal to 51200");
    }
    return body;
  }
  if (url.empty()) {
    return Status::InvalidArgument("Either Template URL or Template Body must be specified.");
  }
  auto location = ParseTemplateUrl(url);
  if (!location.ok()) return location.status();
  auto answer = s3.Call("s3", "GetObject",
                        json::object{{"Bucket", location->first}, {"Key", location->second}});
  if (auto* e = std::get_if<ServiceError>(&answer)) {
    return Status::InvalidArgument("S3 error: Access Denied (" + e->code + ": " + e->message + ")");
  }
  const auto& out = std::get<json::object>(answer);
  const json::value* text = out.if_contains("Body");
  if (text == nullptr || !text->is_string()) return Status::InvalidArgument("S3 error: empty");
  if (text->get_string().size() > kMaxTemplateUrlBytes) {
    return Status::InvalidArgument("Template may not exceed 1000000 bytes in size.");
  }
  return std::string(text->get_string());
}

std::string RequiredCapability(const Template& t) {
  std::string needed;
  for (const auto& r : t.resources) {
    for (const auto& iam : kIamTypes) {
      if (r.type != iam.type) continue;
      const json::object* p = r.properties.if_object();
      if (!iam.name_property.empty() && p && p->contains(iam.name_property)) {
        return "CAPABILITY_NAMED_IAM";
      }
      needed = "CAPABILITY_IAM";
    }
  }
  return needed;
}

Result<PreparedTemplate> PrepareTemplate(const std::string& body, const std::string& stack,
                                         const std::string& account, const std::string& region,
                                         const std::map<std::string, GivenParameter>& given,
                                         const std::map<std::string, std::string>& previous,
                                         const std::vector<std::string>& capabilities,
                                         bool check_parameters) {
  auto document = ParseTemplateBody(body);
  if (!document.ok()) return document.status();
  auto original = ReadTemplate(*document);
  if (!original.ok()) return original.status();
  json::value processed = *document;
  for (const auto& transform : original->transforms) {
    if (transform == kSamTransform) {
      SamContext context;
      context.region = region;
      context.account_id = account;
      context.stack_name = stack;
      for (const auto& [name, p] : given) {
        if (p.value) context.parameters[name] = *p.value;
      }
      auto out = RunSamTransform(processed, context);
      if (!out.ok()) return out.status();
      processed = std::move(*out);
    } else if (transform != "AWS::LanguageExtensions") {
      return Status::InvalidArgument("Template format error: Unsupported transform " + transform +
                                     ": tidepool runs the AWS::Serverless-2016-10-31 and "
                                     "AWS::LanguageExtensions transforms, no macros");
    }
  }
  auto parsed = ReadTemplate(processed);
  if (!parsed.ok()) return parsed.status();
  std::vector<std::string> unknown;
  for (const auto& r : parsed->resources) {
    if (FindProvider(r.type) == nullptr &&
        std::find(unknown.begin(), unknown.end(), r.type) == unknown.end()) {
      unknown.push_back(r.type);
    }
  }
  if (!unknown.empty()) {
    std::string list;
    for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
    return TemplateFormatError("Unrecognized resource types: [" + list + "]");
  }
  std::set<std::string> all;
  for (const auto& r : parsed->resources) all.insert(r.logical_id);
  if (auto graph = ResolveDependenciesOf(*parsed, all); !graph.ok()) return graph.status();
  for (const auto& r : parsed->resources)
    TP_RETURN_IF_ERROR(CheckAttributes(*parsed, r.properties));
  for (const auto& o : parsed->outputs) TP_RETURN_IF_ERROR(CheckAttributes(*parsed, o.value));
  PreparedTemplate out;
  out.deployed.body = body;
  if (check_parameters) {
    auto values = ResolveParameters(*parsed, given, previous);
    if (!values.ok()) return values.status();
    out.deployed.parameters = std::move(*values);
    std::string needed = RequiredCapability(*parsed);
    auto has = [&](std::string_view c) {
      return std::find(capabilities.begin(), capabilities.end(), c) != capabilities.end();
    };
    if (!needed.empty() && !has(needed) && !has("CAPABILITY_NAMED_IAM")) {
      return Status::FailedPrecondition("Requires capabilities : [" + needed + "]");
    }
  }
  out.deployed.processed = std::move(processed);
  out.parsed = std::move(*parsed);
  out.transforms = original->transforms;
  return out;
}

}  // namespace tidepool::cloudformation

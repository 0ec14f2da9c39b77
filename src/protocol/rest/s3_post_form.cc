#include "protocol/rest/s3_post_form.h"

#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <exception>

#include "protocol/codec/rest_xml_codec.h"
#include "protocol/codec/xml_reader.h"
#include "protocol/codec/xml_writer.h"
#include "protocol/http/query_string.h"
#include "protocol/rest/s3_routes.h"

namespace tidepool::protocol {
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using s3post::FindField;
using s3post::FormFields;

namespace {

AwsError Error(std::string code, std::string message, int status = 400) {
  return AwsError{std::move(code), std::move(message), status, true, {}};
}

AwsError Malformed() {
  return Error("MalformedPOSTRequest",
               "The body of your POST request is not well-formed multipart/form-data.");
}

// As encodeURIComponent ('/' included): what S3 writes in a Location.
std::string UriEncode(std::string_view s) { return http::PercentEncode(s); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The name of the header of PutObject a form field stands for; "" for fields that are not one.
std::string HeaderFor(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 8> kSame = {
      "content-type", "cache-control", "content-disposition", "content-encoding",
      "expires",      "content-md5",   "x-amz-storage-class", "x-amz-website-redirect-location"};
  if (std::find(kSame.begin(), kSame.end(), lower_name) != kSame.end() ||
      lower_name.starts_with("x-amz-meta-") ||
      lower_name.starts_with("x-amz-server-side-encryption") ||
      lower_name.starts_with("x-amz-checksum-")) {
    return std::string(lower_name);
  }
  if (lower_name == "acl") return "x-amz-acl";
  return {};
}

// A Tagging document (<Tagging><TagSet><Tag><Key/><Value/></Tag>...) as the x-amz-tagging
// header's query string.
std::variant<std::string, AwsError> TaggingHeader(std::string_view document) {
  auto malformed = [] {
    return Error("MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our "
                 "published schema");
  };
  auto root = xml::ParseXml(document);
  if (!root.ok() || root->name != "Tagging") return malformed();
  const xml::XmlElement* set = root->Child("TagSet");
  if (set == nullptr) return malformed();
  std::string out;
  for (const xml::XmlElement& tag : set->children) {
    const xml::XmlElement* key = tag.Child("Key");
    const xml::XmlElement* value = tag.Child("Value");
    if (tag.name != "Tag" || key == nullptr) return malformed();
    if (!out.empty()) out.push_back('&');
    out += UriEncode(key->text) + "=" + UriEncode(value ? value->text : "");
  }
  return out;
}

}  // namespace

S3PostForm::S3PostForm(std::string_view boundary, FileOpener opener)
    : reader_(boundary, this), opener_(std::move(opener)) {}

void S3PostForm::Write(std::string_view piece) {
  if (!reader_.Write(piece) && !error_) error_ = Malformed();
}

void S3PostForm::OnPartBegin(const FormPartHead& head) {
  if (head.name.empty()) {
    part_ = Part::kUnnamed;  // no field to keep; its bytes still count
    return;
  }
  if (!boost::beast::iequals(head.name, "file")) {
    part_ = Part::kField;
    field_bytes_ += head.name.size();
    fields_.push_back(s3post::FormField{head.name, {}});
    return;
  }
  part_ = Part::kFile;
  file_seen_ = true;
  // ${filename}: the file's name after its last slash or backslash.
  std::string_view name = head.filename ? std::string_view(*head.filename) : std::string_view();
  if (size_t slash = name.find_last_of("/\\"); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  constexpr std::string_view kVariable = "${filename}";
  for (s3post::FormField& f : fields_) {
    for (size_t at = f.value.find(kVariable); at != std::string::npos;
         at = f.value.find(kVariable, at + name.size())) {
      f.value.replace(at, kVariable.size(), name);
    }
  }
  if (error_) return;
  auto prepared = opener_(fields_);
  if (auto* error = std::get_if<AwsError>(&prepared)) {
    error_ = std::move(*error);
    return;
  }
  prepared_ = std::move(std::get<PostPrepared>(prepared));
  if (prepared_.policy) max_size_ = s3post::PostMaxContentLength(*prepared_.policy);
}

void S3PostForm::OnPartData(std::string_view data) {
  if (part_ == Part::kField || part_ == Part::kUnnamed) {
    field_bytes_ += data.size();
    if (field_bytes_ > kMaxFieldBytes) {
      if (!error_) {
        error_ = Error("MaxPostPreDataLengthExceededError",
                       "Your POST request fields preceeding the upload file was too large.");
      }
      return;
    }
    if (part_ == Part::kField) fields_.back().value.append(data);
    return;
  }
  file_size_ += data.size();
  if (error_ || !prepared_.consumer) return;
  if (max_size_ && file_size_ > *max_size_) {
    prepared_.consumer.reset();  // what it holds goes now; Finish answers EntityTooLarge
    return;
  }
  prepared_.consumer->Write(data);
}

bool S3PostForm::OnPartEnd() {
  if (part_ != Part::kFile) return true;
  file_done_ = true;
  return false;  // the fields after the file are ignored
}

std::optional<AwsError> S3PostForm::Finish() {
  if (error_) return error_;
  if (!reader_.Complete()) return Malformed();
  if (!file_seen_)
    return Error("InvalidArgument", "POST requires exactly one file upload per request.");
  if (prepared_.policy) {
    if (auto error = s3post::CheckPostContentLength(*prepared_.policy, file_size_)) return error;
  }
  if (!prepared_.consumer) return Malformed();
  return std::nullopt;
}

std::variant<PostPrepared, AwsError> PreparePostObject(const PostObjectTarget& target,
                                                       const FormFields& fields) {
  const std::string* key = FindField(fields, "key");
  if (key == nullptr) {
    return Error("InvalidArgument",
                 "Bucket POST must contain a field named 'key'.  If it is specified, please "
                 "check the order of the fields.");
  }
  if (key->empty()) return Error("InvalidArgument", "User key must have a length greater than 0.");
  PostPrepared prepared;
  auto auth =
      s3post::AuthenticatePostForm(fields, target.mode, target.find_key, target.now_seconds);
  if (auto* error = std::get_if<AwsError>(&auth)) return *error;
  prepared.auth = std::move(std::get<AuthInfo>(auth));
  if (const std::string* policy = FindField(fields, "policy")) {
    auto parsed = s3post::ParsePostPolicy(*policy);
    if (auto* error = std::get_if<AwsError>(&parsed)) return *error;
    prepared.policy = std::move(std::get<s3post::PostPolicy>(parsed));
    if (auto error =
            s3post::CheckPostPolicy(*prepared.policy, fields, target.bucket, target.now_seconds)) {
      return *error;
    }
  }

  // The fields as the headers of a PUT of the object, decoded by PutObject's own codec.
  http::HttpRequest put(bhttp::verb::put, "/", 11);
  BodyFraming framing;
  for (const s3post::FormField& f : fields) {
    const std::string name = Lower(f.name);
    std::string header = name == "tagging" ? "x-amz-tagging" : HeaderFor(name);
    if (header.empty() || put.find(header) != put.end()) continue;  // the first one counts
    std::string value = f.value;
    if (name == "tagging") {
      auto tagging = TaggingHeader(f.value);
      if (auto* error = std::get_if<AwsError>(&tagging)) return *error;
      value = std::move(std::get<std::string>(tagging));
    }
    auto control = [](char c) {
      return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f;
    };
    auto token = [](unsigned char c) {
      return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
                                    std::string_view::npos;
    };
    if (std::any_of(value.begin(), value.end(), control) ||
        !std::all_of(header.begin(), header.end(), token)) {
      return Error("InvalidArgument", "The field " + f.name + " is not valid.");
    }
    if (name == "x-amz-checksum-algorithm") {
      framing.checksum_algorithm = Lower(value);
    } else if (name.starts_with("x-amz-checksum-") && framing.checksum_algorithm.empty()) {
      framing.checksum_algorithm = name.substr(std::string_view("x-amz-checksum-").size());
    }
    try {
      put.set(header, value);
    } catch (const std::exception&) {
      return Error("InvalidArgument", "The field " + f.name + " is not valid.");
    }
  }
  rest_xml_codec::Labels labels = {{"Bucket", target.bucket}, {"Key", *key}};
  std::variant<json::object, AwsError> decoded;
  try {
    decoded = rest_xml_codec::DecodeRequest(*target.model, *target.put_object, labels, "", put, "");
  } catch (const std::exception& e) {  // a field Beast or the codec cannot take
    return Error("InvalidArgument", std::string("A field of the form is not valid: ") + e.what());
  }
  if (auto* error = std::get_if<AwsError>(&decoded)) return *error;
  prepared.input = std::move(std::get<json::object>(decoded));
  prepared.input[kPostObjectMarker] = true;
  prepared.consumer = target.service->OpenBodyConsumer(*target.put_object, framing);
  if (!prepared.consumer) {
    return AwsError{
        "InternalError", "We encountered an internal error. Please try again.", 500, false, {}};
  }
  return prepared;
}

http::HttpResponse PostObjectResponse(const json::object& output, const FormFields& fields,
                                      std::string_view bucket, std::string_view key,
                                      std::string_view host, bool virtual_host) {
  auto text = [&](std::string_view member) -> std::string {
    const json::value* v = output.if_contains(member);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  const std::string etag = text("ETag");
  const std::string location = "http://" + std::string(host) +
                               (virtual_host ? "" : "/" + UriEncode(bucket)) + "/" + UriEncode(key);
  const std::string* redirect = FindField(fields, "success_action_redirect");
  if (redirect == nullptr) redirect = FindField(fields, "redirect");
  const bool redirects = redirect != nullptr && (Lower(*redirect).starts_with("http://") ||
                                                 Lower(*redirect).starts_with("https://"));
  const std::string* status_field = FindField(fields, "success_action_status");
  const std::string status = status_field ? *status_field : "";
  http::HttpResponse response(redirects         ? bhttp::status::see_other
                              : status == "200" ? bhttp::status::ok
                              : status == "201" ? bhttp::status::created
                                                : bhttp::status::no_content,
                              11);
  response.set(bhttp::field::etag, etag);
  if (std::string v = text("VersionId"); !v.empty()) response.set("x-amz-version-id", v);
  if (std::string v = text("ServerSideEncryption"); !v.empty()) {
    response.set("x-amz-server-side-encryption", v);
  }
  for (std::string_view alg : {"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}) {
    if (std::string v = text("Checksum" + std::string(alg)); !v.empty()) {
      response.set("x-amz-checksum-" + Lower(alg), v);
    }
  }
  if (redirects) {
    response.set(bhttp::field::location,
                 *redirect + (redirect->find('?') == std::string::npos ? "?" : "&") + "bucket=" +
                     UriEncode(bucket) + "&key=" + UriEncode(key) + "&etag=" + UriEncode(etag));
    return response;
  }
  response.set(bhttp::field::location, location);
  if (response.result() == bhttp::status::created) {
    std::string body;
    xml::XmlWriter w(body, false);
    w.Declaration();
    w.Open("PostResponse");
    w.Element("Location", location);
    w.Element("Bucket", bucket);
    w.Element("Key", key);
    w.Element("ETag", etag);
    w.Close();
    w.Finish();
    response.set(bhttp::field::content_type, "application/xml");
    response.body() = std::move(body);
  }
  return response;
}

}  // namespace tidepool::protocol

// Models, request validators and gateway responses: the parts of a REST API's document that
// request validation and gateway errors read once deployed (request_validation.h,
// gateway_responses.h).
#include <re2/re2.h>
#include <boost/json.hpp>

#include "services/apigateway/apigateway_errors.h"
#include "services/apigateway/apigateway_service.h"
#include "services/apigateway/gateway_responses.h"
#include "services/apigateway/model_template.h"
#include "services/apigateway/records.h"

namespace tidepool::apigateway {
namespace json = boost::json;
using protocol::CallPtr;

namespace {

// A model's schema must be a JSON object (when given).
Status CheckModel(const json::object& model) {
  if (!model.contains("schema")) return Status::Ok();
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value schema = json::parse(StringField(model, "schema"), ec, {}, options);
  if (ec || !schema.is_object()) {
    return BadRequest(
        "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model "
        "schema specified. Unsupported keyword(s): [] or the schema is not valid JSON]");
  }
  return Status::Ok();
}

Result<json::object*> FindModel(json::object& doc, const protocol::Call& call) {
  std::string name = StringField(call.input(), "modelName");
  json::object* model = FindObject(ObjectField(doc, "models"), name);
  if (model == nullptr) return NotFound("Invalid model name specified: " + name);
  return model;
}

Result<json::object*> FindValidator(json::object& doc, const protocol::Call& call) {
  json::object* v = FindObject(ObjectField(doc, "requestValidators"),
                               StringField(call.input(), "requestValidatorId"));
  if (v == nullptr) return NotFound("Invalid Request Validator identifier specified");
  return v;
}

Result<GatewayResponseType> ResponseTypeOf(const protocol::Call& call) {
  std::string name = StringField(call.input(), "responseType");
  auto type = ParseGatewayResponseType(name);
  if (!type) {
    return BadRequest("1 validation error detected: Value '" + name +
                      "' at 'responseType' failed to satisfy constraint: Member must satisfy "
                      "enum value set");
  }
  return *type;
}

Status CheckGatewayResponse(const json::object& response) {
  std::string code = StringField(response, "statusCode");
  if (!code.empty() && !RE2::FullMatch(code, R"([1-5]\d\d)")) {
    return BadRequest("Invalid status code specified: " + code);
  }
  if (const json::object* params = FindObject(response, "responseParameters")) {
    for (const auto& kv : *params) {
      if (!kv.key().starts_with("gatewayresponse.header.")) {
        return BadRequest("Invalid parameter name specified: " + std::string(kv.key()) +
                          " (tidepool maps gatewayresponse.header.<name> only)");
      }
    }
  }
  return CheckTemplates(response, "responseTemplates");
}

}  // namespace

json::object DefaultModels() {
  constexpr std::string_view kSchema = "http://json-schema.org/draft-04/schema#";
  json::object empty{{"$schema", kSchema}, {"title", "Empty Schema"}, {"type", "object"}};
  json::object error{{"$schema", kSchema},
                     {"title", "Error Schema"},
                     {"type", "object"},
                     {"properties", json::object{{"message", json::object{{"type", "string"}}}}}};
  json::object models;
  for (auto& [name, schema, description] :
       {std::tuple{"Empty", empty, "This is a default empty schema model"},
        std::tuple{"Error", error, "This is a default error schema model"}}) {
    models[name] = json::object{{"id", NewGatewayId(6)},
                                {"name", name},
                                {"description", description},
                                {"schema", json::serialize(schema)},
                                {"contentType", "application/json"}};
  }
  return models;
}

void ApiGatewayService::CreateModel(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    std::string name = StringField(in, "name");
    if (!RE2::FullMatch(name, "[a-zA-Z0-9]+")) {
      return BadRequest("Model name must be alphanumeric: " + name);
    }
    json::object& models = ObjectField(doc, "models");
    if (models.contains(name)) return Conflict("Model name already exists for this REST API");
    json::object model{{"id", NewId(6)}};
    CopyMembers(in, {"name", "description", "schema", "contentType"}, model);
    if (Status s = CheckModel(model); !s.ok()) return s;
    models[name] = model;
    return model;
  });
}

void ApiGatewayService::GetModel(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto model = FindModel(doc, *call);
    if (!model.ok()) return model.status();
    return **model;
  });
}

void ApiGatewayService::GetModels(CallPtr call) { ReadList(std::move(call), "models"); }

void ApiGatewayService::GetModelTemplate(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto model = FindModel(doc, *call);
    if (!model.ok()) return model.status();
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 64;
    json::value schema = json::parse(StringField(**model, "schema"), ec, {}, options);
    if (ec || !schema.is_object()) return BadRequest("The model has no schema to generate from");
    return json::object{{"value", GenerateModelTemplate(schema, ObjectField(doc, "models"))}};
  });
}

void ApiGatewayService::UpdateModel(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto model = FindModel(doc, *call);
    if (!model.ok()) return model.status();
    if (Status s = Patch(*call, "Model", **model); !s.ok()) return s;
    if (Status s = CheckModel(**model); !s.ok()) return s;
    return **model;
  });
}

void ApiGatewayService::DeleteModel(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto model = FindModel(doc, *call);
    if (!model.ok()) return model.status();
    std::string name = StringField(**model, "name");
    auto user = MethodReferencing(doc, [&](const json::object& method) {
      const json::object* models = FindObject(method, "requestModels");
      if (models == nullptr) return false;
      for (const auto& kv : *models) {
        if (kv.value().is_string() && kv.value().get_string() == name) return true;
      }
      return false;
    });
    if (user) {
      return Conflict("Cannot delete model '" + name +
                      "', is referenced in method request: " + *user);
    }
    ObjectField(doc, "models").erase(name);
    return json::object();
  });
}

void ApiGatewayService::CreateRequestValidator(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object& in = call->input();
    json::object& validators = ObjectField(doc, "requestValidators");
    std::string id;
    do {
      id = NewId(6);
    } while (validators.contains(id));
    json::object v{
        {"id", id}, {"validateRequestBody", false}, {"validateRequestParameters", false}};
    CopyMembers(in, {"name", "validateRequestBody", "validateRequestParameters"}, v);
    validators[id] = v;
    return v;
  });
}

void ApiGatewayService::GetRequestValidator(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto v = FindValidator(doc, *call);
    if (!v.ok()) return v.status();
    return **v;
  });
}

void ApiGatewayService::GetRequestValidators(CallPtr call) {
  ReadList(std::move(call), "requestValidators");
}

void ApiGatewayService::UpdateRequestValidator(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto v = FindValidator(doc, *call);
    if (!v.ok()) return v.status();
    if (Status s = Patch(*call, "RequestValidator", **v); !s.ok()) return s;
    return **v;
  });
}

void ApiGatewayService::DeleteRequestValidator(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto v = FindValidator(doc, *call);
    if (!v.ok()) return v.status();
    std::string id = StringField(**v, "id");
    auto user = MethodReferencing(doc, [&](const json::object& method) {
      return StringField(method, "requestValidatorId") == id;
    });
    if (user) {
      return Conflict("Cannot delete request validator '" + id +
                      "', is referenced in method: " + *user);
    }
    ObjectField(doc, "requestValidators").erase(id);
    return json::object();
  });
}

void ApiGatewayService::PutGatewayResponse(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto type = ResponseTypeOf(*call);
    if (!type.ok()) return type.status();
    json::object response{{"responseType", GatewayResponseTypeName(*type)},
                          {"responseParameters", json::object()},
                          {"responseTemplates", json::object()},
                          {"defaultResponse", false}};
    CopyMembers(call->input(), {"statusCode", "responseParameters", "responseTemplates"}, response);
    if (Status s = CheckGatewayResponse(response); !s.ok()) return s;
    ObjectField(doc, "gatewayResponses")[GatewayResponseTypeName(*type)] = response;
    return response;
  });
}

void ApiGatewayService::GetGatewayResponse(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    auto type = ResponseTypeOf(*call);
    if (!type.ok()) return type.status();
    const json::object* custom =
        FindObject(ObjectField(doc, "gatewayResponses"), GatewayResponseTypeName(*type));
    return custom != nullptr ? *custom : DefaultGatewayResponse(*type);
  });
}

void ApiGatewayService::GetGatewayResponses(CallPtr call) {
  ReadApi(call, [&](json::object& doc) -> Result<json::object> {
    const json::object& custom = ObjectField(doc, "gatewayResponses");
    std::vector<json::value> items;
    for (size_t i = 0; i < kGatewayResponseTypes; ++i) {
      auto type = static_cast<GatewayResponseType>(i);
      const json::object* c = FindObject(custom, GatewayResponseTypeName(type));
      items.push_back(c != nullptr ? json::value(*c) : json::value(DefaultGatewayResponse(type)));
    }
    json::object out;
    if (Status s = PageInto(call->input(), std::move(items), out); !s.ok()) return s;
    return out;
  });
}

void ApiGatewayService::UpdateGatewayResponse(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto type = ResponseTypeOf(*call);
    if (!type.ok()) return type.status();
    json::object& custom = ObjectField(doc, "gatewayResponses");
    std::string_view name = GatewayResponseTypeName(*type);
    json::object response =
        custom.contains(name) ? custom.at(name).as_object() : DefaultGatewayResponse(*type);
    if (Status s = Patch(*call, "GatewayResponse", response); !s.ok()) return s;
    response["defaultResponse"] = false;
    if (Status s = CheckGatewayResponse(response); !s.ok()) return s;
    custom[name] = response;
    return response;
  });
}

void ApiGatewayService::DeleteGatewayResponse(CallPtr call) {
  EditApi(call, [&](json::object& doc) -> Result<json::object> {
    auto type = ResponseTypeOf(*call);
    if (!type.ok()) return type.status();
    if (ObjectField(doc, "gatewayResponses").erase(GatewayResponseTypeName(*type)) == 0) {
      return NotFound("Invalid Gateway Response specified");
    }
    return json::object();
  });
}

}  // namespace tidepool::apigateway

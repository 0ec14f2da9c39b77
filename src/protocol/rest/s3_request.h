// What the router reads from an S3 request before it picks an operation: how its body is
// framed, whether it is a POST Object form upload, whether its payload is an object's bytes.
// Shared by router.cc (the body streamer) and router_s3.cc (the handlers). Pure functions.
#pragma once

#include "protocol/http/responder.h"
#include "protocol/model/model.h"
#include "protocol/rest/s3_routes.h"
#include "protocol/service.h"

namespace tidepool::protocol {

// The body's framing, from its headers (aws-chunked, trailers, the checksum algorithm).
BodyFraming FramingOf(const http::HttpRequest& request);

// Whether `request` is a POST Object (a browser form upload): a POST to a bucket that names no
// operation (s3_post_form.h).
bool IsPostObject(const http::HttpRequest& request, const S3Target& target);

// Whether `op`'s payload is a blob (an object's bytes): the operations a consumer may take.
bool HasBlobPayload(const model::ServiceModel& model, const model::Operation& op);

}  // namespace tidepool::protocol

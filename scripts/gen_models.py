#!/usr/bin/env python3
"""Generates the service model tables of src/protocol/model/model.h from botocore's models.

Usage: python3 scripts/gen_models.py SERVICE [SERVICE...]
  e.g. python3 scripts/gen_models.py kinesis sqs sns

For each SERVICE (a botocore data folder name: kinesis, sqs, dynamodb, s3, lambda, ...) this
reads <botocore>/data/SERVICE/<latest api version>/service-2.json(.gz) and writes
src/protocol/model/generated/SERVICE_shapes.{h,cc} (shapes, members, enum values) and
SERVICE_model.cc (operations, errors, metadata, the accessor), then rewrites src/protocol/model/models.h to
declare one accessor per generated file present (`const ServiceModel& KinesisModel();`).
Generated files are run through clang-format when it is on PATH.

The output is deterministic: shapes sorted by name, operations sorted by name, members in
model order (see MEMBER_ORDER), no timestamps. Documentation strings are never copied.
"""

import gzip
import json
import os
import shutil
import subprocess
import sys

import botocore

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL_DIR = os.path.join(REPO, "src", "protocol", "model")
GEN_DIR = os.path.join(MODEL_DIR, "generated")

# C++ accessor names: <Name>Model().
ACCESSOR_NAMES = {
    "kinesis": "Kinesis",
    "sqs": "Sqs",
    "sns": "Sns",
    "dynamodb": "DynamoDb",
    "dynamodbstreams": "DynamoDbStreams",
    "s3": "S3",
    "lambda": "Lambda",
    "stepfunctions": "StepFunctions",
    "apigateway": "ApiGateway",
    "apigatewayv2": "ApiGatewayV2",
    "logs": "Logs",
    "cloudformation": "CloudFormation",
    "iam": "Iam",
    "sts": "Sts",
}

# Member order of some input structures, as AWS reports validation errors (AWS checks members
# in its own internal order, not the published model's; these are the orders observed against
# AWS and reproduced by kinesalite's tests). Listed members come first, the rest follow in
# model order. The tables' member order has no other meaning for the JSON protocols.
MEMBER_ORDER = {
    "kinesis": {
        "PutRecordInput": [
            "SequenceNumberForOrdering", "PartitionKey", "ExplicitHashKey", "Data", "StreamName"
        ],
        "GetShardIteratorInput": [
            "ShardId", "ShardIteratorType", "StartingSequenceNumber", "StreamName"
        ],
    },
}

SHAPE_TYPES = {
    "structure": "kStructure",
    "list": "kList",
    "map": "kMap",
    "string": "kString",
    "integer": "kInteger",
    "byte": "kInteger",
    "short": "kInteger",
    "long": "kLong",
    "biginteger": "kLong",
    "float": "kFloat",
    "double": "kDouble",
    "bigdecimal": "kDouble",
    "boolean": "kBoolean",
    "blob": "kBlob",
    "timestamp": "kTimestamp",
}

PROTOCOLS = {
    "json": "kJson",
    "query": "kQuery",
    "rest-json": "kRestJson",
    "rest-xml": "kRestXml",
    "ec2": "kEc2",
}

TIMESTAMP_FORMATS = {
    "unixTimestamp": "kEpochSeconds",
    "iso8601": "kIso8601",
    "rfc822": "kRfc822",
}

LOCATIONS = {
    "header": "kHeader",
    "headers": "kHeaders",
    "uri": "kUri",
    "querystring": "kQueryString",
    "statusCode": "kStatusCode",
}


def fail(msg):
    sys.exit("gen_models.py: " + msg)


def model_path(service):
    data = os.path.join(os.path.dirname(botocore.__file__), "data", service)
    if not os.path.isdir(data):
        fail("botocore has no service named %r" % service)
    versions = sorted(v for v in os.listdir(data) if os.path.isdir(os.path.join(data, v)))
    for version in reversed(versions):
        for name in ("service-2.json", "service-2.json.gz"):
            path = os.path.join(data, version, name)
            if os.path.exists(path):
                return version, path
    fail("no service-2.json for %r" % service)


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def cstr(s):
    """A C++ string literal for s (UTF-8), escaping everything outside printable ASCII."""
    if s is None:
        s = ""
    out = ['"']
    for b in s.encode("utf-8"):
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F and not (c == "?" and out[-1] == "?"):
            out.append(c)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def limit(v):
    if v is None:
        return "kNoLimit"
    if isinstance(v, float):
        if v != int(v):
            fail("fractional limit %r is not representable" % v)
        v = int(v)
    return str(v)


def cbool(v):
    return "true" if v else "false"


class Generator:

    def __init__(self, service, model):
        self.service = service
        self.model = model
        self.shape_names = sorted(model["shapes"])
        self.index = {n: i for i, n in enumerate(self.shape_names)}
        if len(self.shape_names) >= 0xFFFF:
            fail("too many shapes for uint16 indexes")
        self.members = []  # rows (C++ initializers)
        self.enums = []  # C++ string literals
        self.shapes = []
        self.ops = []
        self.op_errors = []

    def shape_ref(self, ref):
        name = ref["shape"]
        if name not in self.index:
            fail("unknown shape %r" % name)
        return self.index[name]

    def ordered_members(self, name, shape):
        members = list(shape.get("members", {}).items())
        order = MEMBER_ORDER.get(self.service, {}).get(name)
        if not order:
            return members
        for m in order:
            if m not in shape["members"]:
                fail("MEMBER_ORDER names %s.%s, which the model lacks" % (name, m))
        rank = {m: i for i, m in enumerate(order)}
        return sorted(members, key=lambda kv: rank.get(kv[0], len(order)))

    def member_row(self, name, ref, required):
        ns = ref.get("xmlNamespace", {})
        return "M(%s, %d, %s, %s, %s, %s, %s, %s, %s, %s)" % (
            cstr(name),
            self.shape_ref(ref),
            cbool(required),
            LOCATIONS.get(ref.get("location"), "kBody"),
            cstr(ref.get("locationName")),
            cbool(ref.get("xmlAttribute")),
            cbool(ref.get("flattened")),
            cbool(ref.get("idempotencyToken")),
            cbool(ref.get("hostLabel")),
            cstr(ns.get("uri")),
        )

    def shape_row(self, name, shape):
        t = shape["type"]
        if t == "structure" and shape.get("union"):
            type_name = "kUnion"
        elif t in SHAPE_TYPES:
            type_name = SHAPE_TYPES[t]
        else:
            fail("shape %s has unsupported type %r" % (name, t))
        members_begin = len(self.members)
        required = set(shape.get("required", []))
        for mname, ref in self.ordered_members(name, shape):
            self.members.append(self.member_row(mname, ref, mname in required))
        members_count = len(self.members) - members_begin
        enum_begin = len(self.enums)
        for v in shape.get("enum", []):
            self.enums.append(cstr(v))
        enum_count = len(self.enums) - enum_begin
        member = key = "kNoShape"
        location_name = shape.get("locationName")
        map_key_name = map_value_name = None
        if t == "list":
            member = str(self.shape_ref(shape["member"]))
            location_name = shape["member"].get("locationName")
        elif t == "map":
            member = str(self.shape_ref(shape["value"]))
            key = str(self.shape_ref(shape["key"]))
            location_name = None
            map_key_name = shape["key"].get("locationName")
            map_value_name = shape["value"].get("locationName")
        error = shape.get("error", {})
        is_exception = bool(shape.get("exception"))
        error_code = error.get("code", name) if is_exception else ""
        ns = shape.get("xmlNamespace", {})
        fields = [
            cstr(name),
            type_name,
            limit(shape.get("min")),
            limit(shape.get("max")),
            cstr(shape.get("pattern")),
            str(members_begin),
            str(members_count),
            member,
            key,
            str(enum_begin),
            str(enum_count),
            TIMESTAMP_FORMATS.get(shape.get("timestampFormat"), "kDefault"),
            cbool(shape.get("flattened")),
            cstr(location_name),
            cstr(map_key_name),
            cstr(map_value_name),
            cbool(is_exception),
            cbool(shape.get("fault")),
            cstr(error_code),
            str(error.get("httpStatusCode", 0)),
            cbool(error.get("senderFault")),
            cbool(shape.get("eventstream")),
            cbool(shape.get("sensitive")),
            cstr(shape.get("payload")),
            cstr(ns.get("uri")),
            cstr(ns.get("prefix")),
        ]
        return "S(" + ", ".join(fields) + ")"

    def op_row(self, op):
        http = op.get("http", {})
        errors_begin = len(self.op_errors)
        for e in op.get("errors", []):
            self.op_errors.append(str(self.shape_ref(e)))
        errors_count = len(self.op_errors) - errors_begin
        inp = op.get("input")
        out = op.get("output")
        return "O(%s, %s, %s, %d, %s, %s, %s, %d, %d)" % (
            cstr(op["name"]),
            cstr(http.get("method", "POST")),
            cstr(http.get("requestUri", "/")),
            http.get("responseCode", 200),
            str(self.shape_ref(inp)) if inp else "kNoShape",
            str(self.shape_ref(out)) if out else "kNoShape",
            cstr(out.get("resultWrapper")) if out else '""',
            errors_begin,
            errors_count,
        )

    def generate(self, api_version, source):
        for name in self.shape_names:
            self.shapes.append(self.shape_row(name, self.model["shapes"][name]))
        for name in sorted(self.model["operations"]):
            self.ops.append(self.op_row(self.model["operations"][name]))

        md = self.model["metadata"]
        protocol = md["protocol"]
        protocols = list(md.get("protocols", [protocol]))
        query_compatible = "awsQueryCompatible" in md
        # awsQueryCompatible services (SQS) moved from the query protocol to JSON; older SDKs
        # and CLIs still speak query to them, so the tables list both.
        if query_compatible and "query" not in protocols:
            protocols.append("query")
        xml_namespace = md.get("xmlNamespace") or LEGACY_XML_NAMESPACES.get(self.service)
        for p in [protocol] + protocols:
            if p not in PROTOCOLS:
                fail("unsupported protocol %r" % p)
        accessor = ACCESSOR_NAMES.get(self.service, self.service.capitalize())

        def table(ctype, name, rows):
            if not rows:
                return "constexpr std::span<const %s> %s;\n" % (ctype, name)
            return "constexpr %s %s[] = {\n%s,\n};\n" % (ctype, name, ",\n".join(rows))

        def span(name, rows):
            return "std::span(%s)" % name if rows else name

        def header(out):
            out.append("// Generated by scripts/gen_models.py from botocore %s,\n" %
                       botocore.__version__)
            out.append("// data/%s/%s/%s. DO NOT EDIT.\n" % (self.service, api_version,
                                                           os.path.basename(source)))
            out.append("// Regenerate: python3 scripts/gen_models.py %s\n" % self.service)

        # The shapes (shapes, members, enum values: what the service's requests and replies
        # look like) and the operations (operations, errors, protocols, metadata) go to two
        # files; <service>_shapes.h declares the shape tables, with their sizes, for both.
        ns = "%s_shapes" % self.service
        shape_tables = [("Shape", "kShapes", self.shapes), ("Member", "kMembers", self.members),
                        ("std::string_view", "kEnumValues", self.enums)]
        tables_h = []
        header(tables_h)
        tables_h.append("#pragma once\n\n")
        tables_h.append('#include "protocol/model/model.h"\n\n')
        tables_h.append("namespace tidepool::protocol::model::%s {\n\n" % ns)
        for ctype, name, rows in shape_tables:
            if rows:
                tables_h.append("extern const %s %s[%d];\n" % (ctype, name, len(rows)))
            else:
                tables_h.append("inline constexpr std::span<const %s> %s;\n" % (ctype, name))
        tables_h.append("\n}  // namespace tidepool::protocol::model::%s\n" % ns)

        shapes_cc = []
        header(shapes_cc)
        shapes_cc.append("// NOLINTBEGIN\n")
        shapes_cc.append('#include "protocol/model/generated/%s_shapes.h"\n' % self.service)
        shapes_cc.append('#include "protocol/model/table_rows.h"\n\n')
        shapes_cc.append("namespace tidepool::protocol::model::%s {\n\n" % ns)
        shapes_cc.append("using rows::M;\nusing rows::S;\n")
        shapes_cc.append("using enum ShapeType;\n")
        shapes_cc.append("using enum TimestampFormat;\n")
        shapes_cc.append("using enum Location;\n\n")
        for ctype, name, rows in shape_tables:
            if rows:
                shapes_cc.append("constinit const %s %s[%d] = {\n%s,\n};\n\n" %
                                 (ctype, name, len(rows), ",\n".join(rows)))
        shapes_cc.append("}  // namespace tidepool::protocol::model::%s\n" % ns)
        shapes_cc.append("// NOLINTEND\n")

        out = []
        header(out)
        out.append("// NOLINTBEGIN\n")
        out.append('#include "protocol/model/generated/%s_shapes.h"\n' % self.service)
        out.append('#include "protocol/model/models.h"\n')
        out.append('#include "protocol/model/table_rows.h"\n\n')
        out.append("namespace tidepool::protocol::model {\n")
        out.append("namespace {\n\n")
        out.append("using rows::O;\n\n")
        out.append(table("Operation", "kOperations", self.ops) + "\n")
        out.append(table("uint16_t", "kOperationErrors", self.op_errors) + "\n")
        out.append("constexpr Protocol kProtocols[] = {%s};\n\n" %
                   ", ".join("Protocol::" + PROTOCOLS[p] for p in protocols))
        out.append("}  // namespace\n\n")
        out.append("const ServiceModel& %sModel() {\n" % accessor)
        out.append("  static constexpr ServiceModel kModel{\n")
        fields = [
            cstr(md.get("serviceId")),
            cstr(md.get("endpointPrefix")),
            cstr(md.get("signingName", md.get("endpointPrefix"))),
            cstr(md.get("apiVersion")),
            cstr(md.get("targetPrefix")),
            cstr(md.get("jsonVersion")),
            cstr(xml_namespace),
            "Protocol::" + PROTOCOLS[protocol],
            "std::span(kProtocols)",
            span("%s::kShapes" % ns, self.shapes),
            span("%s::kMembers" % ns, self.members),
            span("%s::kEnumValues" % ns, self.enums),
            span("kOperations", self.ops),
            span("kOperationErrors", self.op_errors),
            "true" if query_compatible else "false",
        ]
        out.append("      " + ",\n      ".join(fields) + "};\n")
        out.append("  return kModel;\n}\n\n")
        out.append("}  // namespace tidepool::protocol::model\n")
        out.append("// NOLINTEND\n")
        return {
            "%s_shapes.h" % self.service: "".join(tables_h),
            "%s_shapes.cc" % self.service: "".join(shapes_cc),
            "%s_model.cc" % self.service: "".join(out),
        }


# The query protocol's XML namespace of services whose current model is JSON only.
LEGACY_XML_NAMESPACES = {
    "sqs": "http://queue.amazonaws.com/doc/2012-11-05/",
}


def clang_format(paths):
    exe = shutil.which("clang-format")
    if not exe:
        print("warning: clang-format not found; output left unformatted", file=sys.stderr)
        return
    subprocess.run([exe, "-i", "--style=file"] + paths, check=True, cwd=REPO)


def write_models_h():
    services = sorted(
        f[:-len("_model.cc")] for f in os.listdir(GEN_DIR) if f.endswith("_model.cc"))
    lines = [
        "// Generated by scripts/gen_models.py. DO NOT EDIT.\n",
        "// Regenerate: python3 scripts/gen_models.py SERVICE... (see model/README.md)\n",
        "//\n",
        "// One accessor per generated service model. Each returns immutable static tables,\n",
        "// safe to read from any thread, valid for the life of the program.\n",
        "#pragma once\n\n",
        '#include "protocol/model/model.h"\n\n',
        "namespace tidepool::protocol::model {\n\n",
    ]
    for s in services:
        accessor = ACCESSOR_NAMES.get(s, s.capitalize())
        lines.append("const ServiceModel& %sModel();  // botocore \"%s\"\n" % (accessor, s))
    lines.append("\n}  // namespace tidepool::protocol::model\n")
    path = os.path.join(MODEL_DIR, "models.h")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(lines))
    return path


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    os.makedirs(GEN_DIR, exist_ok=True)
    written = []
    for service in argv:
        version, path = model_path(service)
        gen = Generator(service, load(path))
        for name, text in gen.generate(version, path).items():
            out = os.path.join(GEN_DIR, name)
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
            written.append(out)
        print("wrote %s_{shapes.h,shapes.cc,model.cc} (%d shapes, %d members, %d operations)" %
              (os.path.relpath(os.path.join(GEN_DIR, service), REPO), len(gen.shapes),
               len(gen.members), len(gen.ops)))
    written.append(write_models_h())
    clang_format(written)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

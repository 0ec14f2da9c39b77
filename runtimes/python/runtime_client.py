"""tidepool's Lambda runtime client for python3.* functions.

Run through bootstrap.py (tidepool starts `python3 -u bootstrap.py`), which imports this module
so that its compiled form is cached in __pycache__ instead of compiled at every cold start.
It runs in the function's code directory with AWS's
environment (_HANDLER, LAMBDA_TASK_ROOT, AWS_LAMBDA_RUNTIME_API, ...). It imports the handler
once (an import error is posted to /init/error, as AWS's runtime does, and the process exits),
then loops: GET /next, call the handler with the event and a context object, POST /response or
/error. Written for tidepool; speaks only the public Runtime API.
"""

import importlib
import json
import logging
import os
import socket
import sys
import time
import traceback

PREFIX = "/2018-06-01/runtime"


class Response:
    def __init__(self, status, headers):
        self.status = status
        self._headers = headers  # lower-cased names

    def getheader(self, name, default=None):
        return self._headers.get(name.lower(), default)


class Connection:
    """One keep-alive HTTP/1.1 connection to the Runtime API. A few lines over a socket instead
    of http.client, whose imports (email, ssl) cost about 20 ms of every cold start."""

    def __init__(self):
        # Read here, not at import: runtimes/python/zygote.py imports this module before it
        # knows any function's environment.
        api = os.environ["AWS_LAMBDA_RUNTIME_API"]
        host, port = api.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        self.host = api.encode()

    def request(self, method, path, body=None, headers=None):
        body = body or b""
        head = [b"%s %s%s HTTP/1.1" % (method.encode(), PREFIX.encode(), path.encode()),
                b"Host: " + self.host, b"Content-Length: %d" % len(body)]
        for name, value in (headers or {}).items():
            head.append(b"%s: %s" % (name.encode(), value.encode()))
        self.sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        status_line = self.file.readline()
        if not status_line:
            raise ConnectionError("the Runtime API closed the connection")
        status = int(status_line.split(None, 2)[1])
        fields = {}
        while True:
            line = self.file.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            fields[name.strip().lower()] = value.strip()
        if "chunked" in fields.get("transfer-encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.file.readline().split(b";")[0], 16)
                if size == 0:
                    while self.file.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data += self.file.read(size)
                self.file.readline()
            data = bytes(data)
        else:
            data = self.file.read(int(fields.get("content-length", "0")))
        return Response(status, fields), data


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def error_json(exc, error_type=None):
    tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": [line for line in "".join(tb[1:-1]).splitlines() if line.strip()],
    }


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


class LambdaFormatter(logging.Formatter):
    # As AWS's runtime writes to stdout: a record's inner newlines become \r, so that the record
    # (a traceback, say) is one log event; tidepool turns them back into newlines.
    def format(self, record):
        return super().format(record).replace("\n", "\r")


def setup_logging():
    # AWS's format for the root logger: "[LEVEL]\tTIMESTAMP\tREQUEST_ID\tmessage".
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        LambdaFormatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                        "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(RequestIdFilter())
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)


def load_handler(conn):
    spec = os.environ.get("_HANDLER", "")
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    try:
        module_name, func_name = spec.rsplit(".", 1)
    except ValueError:
        fail_init(conn, {"errorMessage": "Bad handler '%s': not enough values to unpack "
                                         "(expected 2, got 1)" % spec,
                         "errorType": "Runtime.MalformedHandlerName", "stackTrace": []})
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ModuleNotFoundError as e:
        fail_init(conn, {"errorMessage": "Unable to import module '%s': %s" % (module_name, e),
                         "errorType": "Runtime.ImportModuleError", "stackTrace": []})
    except SyntaxError as e:
        fail_init(conn, {"errorMessage": "Syntax error in module '%s': %s" % (module_name, e),
                         "errorType": "Runtime.UserCodeSyntaxError", "stackTrace": []})
    except Exception as e:  # noqa: BLE001 - any init failure is reported
        fail_init(conn, error_json(e))
    handler = getattr(module, func_name, None)
    if handler is None:
        fail_init(conn, {"errorMessage": "Handler '%s' missing on module '%s'" %
                                         (func_name, module_name),
                         "errorType": "Runtime.HandlerNotFound", "stackTrace": []})
    return handler


def fail_init(conn, err):
    print("[ERROR] %s: %s" % (err["errorType"], err["errorMessage"]), flush=True)
    conn.request("POST", "/init/error", json.dumps(err).encode(),
                 {"Lambda-Runtime-Function-Error-Type": err["errorType"]})
    sys.exit(1)


def main():
    setup_logging()
    conn = Connection()
    handler = load_handler(conn)
    while True:
        resp, body = conn.request("GET", "/invocation/next")
        request_id = resp.getheader("Lambda-Runtime-Aws-Request-Id")
        trace_id = resp.getheader("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        client_context = resp.getheader("Lambda-Runtime-Client-Context")
        identity = resp.getheader("Lambda-Runtime-Cognito-Identity")
        context = LambdaContext(request_id, int(resp.getheader("Lambda-Runtime-Deadline-Ms", "0")),
                                resp.getheader("Lambda-Runtime-Invoked-Function-Arn"),
                                json.loads(client_context) if client_context else None,
                                json.loads(identity) if identity else None)
        RequestIdFilter.request_id = request_id
        try:
            event = json.loads(body) if body else {}
            result = handler(event, context)
            out = json.dumps(result).encode()
        except Exception as e:  # noqa: BLE001 - a function error
            err = error_json(e)
            err["requestId"] = request_id
            print("[ERROR] %s: %s\rTraceback (most recent call last):\r%s" %
                  (err["errorType"], err["errorMessage"], "\r".join(err["stackTrace"])),
                  flush=True)
            conn.request("POST", "/invocation/%s/error" % request_id, json.dumps(err).encode(),
                         {"Lambda-Runtime-Function-Error-Type": "Unhandled"})
            continue
        conn.request("POST", "/invocation/%s/response" % request_id, out)

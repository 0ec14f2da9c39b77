"""The X-Ray trace id of the running invocation, shared by both functions (one code folder)."""

import os


def trace_root():
    """The Root of _X_AMZN_TRACE_ID (what the runtime sets per invocation), or ""."""
    header = os.environ.get("_X_AMZN_TRACE_ID", "")
    for part in header.split(";"):
        if part.startswith("Root="):
            return part[len("Root="):]
    return ""

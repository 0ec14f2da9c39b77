"""Helpers for tests that deploy Lambda functions."""

import io
import stat
import subprocess
import zipfile


def zip_one(name, source, mode=0o644):
    """A .zip deployment package holding one file `name` with `source` and file mode `mode`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name)
        info.external_attr = (stat.S_IFREG | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, source)
    return buf.getvalue()


def child_pids(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def is_python_zygote(pid):
    """Whether `pid` is tidepool's Python zygote (runtimes/python/zygote.py)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().rstrip(b"\0").endswith(b"zygote.py")
    except OSError:
        return False


def sandbox_pids(server_pid):
    """tidepool's sandbox processes: its children, and the Python zygote's in its place."""
    out = []
    for pid in child_pids(server_pid):
        out += child_pids(pid) if is_python_zygote(pid) else [pid]
    return out

"""Helpers for tests that deploy Lambda functions."""

import io
import stat
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

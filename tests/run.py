#!/usr/bin/env python3
"""Runs the integration tests: `python3 tests/run.py [pytest args...]` from anywhere.

The machine's python3 (with boto3/awscli) may lack pytest while Debian's python3-pytest is
installed for /usr/bin/python3; in that case Debian's dist-packages are appended to sys.path
(appended, so the interpreter's own boto3/botocore still win).
"""

import pathlib
import sys

try:
    import pytest
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")
    import pytest

HERE = pathlib.Path(__file__).resolve().parent

if __name__ == "__main__":
    args = sys.argv[1:] or [str(HERE / "integration")]
    sys.exit(pytest.main(["-p", "no:cacheprovider", "--rootdir", str(HERE), *args]))

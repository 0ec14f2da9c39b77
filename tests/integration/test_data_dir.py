"""A data dir tidepool cannot use gets one clear line on stderr and exit code 1, never a crash:
locked by another tidepool, damaged, or (see storage's format_version_test) written by a
newer tidepool."""

import pathlib
import subprocess

from harness import make_client, tidepool_binary

SANITIZER_MARKS = ("AddressSanitizer", "runtime error", "Segmentation fault", "terminate called")


def serve_expecting_failure(data_dir):
    """Runs `tidepool serve` on data_dir; it must exit 1 on its own. Returns its stderr."""
    proc = subprocess.run(
        [str(tidepool_binary()), "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir",
         str(data_dir), "--durability", "sync"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    stderr = proc.stderr.decode(errors="replace")
    assert proc.returncode == 1, (proc.returncode, stderr)
    assert proc.stdout == b"", "printed a ready line: %r" % proc.stdout
    assert not any(mark in stderr for mark in SANITIZER_MARKS), stderr
    errors = [line for line in stderr.splitlines() if line.split(" ")[1:2] == ["error"]]
    assert len(errors) == 1, stderr
    return errors[0]


def test_a_data_dir_in_use_is_refused(tidepool_factory, tmp_path):
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "dir")
    line = serve_expecting_failure(tmp_path / "dir")
    assert "is in use by another tidepool process" in line, line
    assert str(tmp_path / "dir") in line
    make_client(server.endpoint, "sqs").list_queues()  # the first server is unharmed


def test_a_damaged_data_dir_is_refused(tidepool_factory, tmp_path):
    server = tidepool_factory(durability="sync", data_dir=tmp_path / "dir")
    make_client(server.endpoint, "sqs").create_queue(QueueName="q")
    assert server.stop() == 0
    current = pathlib.Path(tmp_path / "dir" / "CURRENT")
    manifest = tmp_path / "dir" / current.read_text().strip()
    manifest.write_bytes(b"\x00garbage" * 10)
    line = serve_expecting_failure(tmp_path / "dir")
    assert "is damaged" in line, line

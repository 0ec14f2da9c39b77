"""pytest fixtures: a real `tidepool serve` per test (see harness.py) and boto3 clients for it."""

import sys

import pytest

from harness import TidepoolServer, make_client, store_census


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def _test_failed(node):
    reports = [getattr(node, "rep_" + when, None) for when in ("setup", "call")]
    return any(rep is not None and rep.failed for rep in reports)


@pytest.fixture
def tidepool_factory(request, tmp_path):
    """Returns start(durability="memory", args=(), data_dir=None) -> a started TidepoolServer.

    Every server started through it that still runs at teardown must hold no record outside
    the record kinds its keyspaces list (GET /_tidepool/store/kinds: a kind added without
    joining the list, and so the restart test), then gets SIGTERM and must exit 0. When the
    test failed, each server's stderr tail is printed.
    """
    servers = []

    def start(durability="memory", args=(), data_dir=None):
        index = len(servers)
        server = TidepoolServer(data_dir or tmp_path / ("data%d" % index), durability, args,
                                log_path=tmp_path / ("stderr%d.log" % index))
        servers.append(server)
        return server.start()

    yield start

    problems = []
    for server in servers:
        if server.running():
            try:
                census = store_census(server.endpoint)
                if census["unclassified"]:
                    problems.append("records of no listed kind in the store: %r" %
                                    census["unclassified_examples"])
            except OSError as e:
                problems.append("GET /_tidepool/store/kinds failed: %s" % e)
            rc = server.stop()
            if rc != 0:
                problems.append("tidepool exit code after SIGTERM: %r\n%s" %
                                (rc, server.stderr_tail()))
    if _test_failed(request.node):
        for server in servers:
            sys.stderr.write(server.stderr_tail() + "\n")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def server(request, tidepool_factory):
    """Options come from @pytest.mark.tidepool(durability="memory", args=[...])."""
    marker = request.node.get_closest_marker("tidepool")
    kwargs = dict(marker.kwargs) if marker else {}
    return tidepool_factory(durability=kwargs.get("durability", "memory"),
                            args=kwargs.get("args", ()))


@pytest.fixture
def endpoint(server):
    return server.endpoint


@pytest.fixture
def kinesis(endpoint):
    return make_client(endpoint)


@pytest.fixture
def kinesis_unvalidated(endpoint):
    """Skips botocore's own parameter checks, so the server's validation is what answers."""
    return make_client(endpoint, parameter_validation=False)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "tidepool(durability='memory', args=[...]): options for the server fixture")

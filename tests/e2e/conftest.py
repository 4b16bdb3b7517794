"""Fixtures: `netns` gives a test its own network namespace, `seed` adds the seed topology.

Where namespaces cannot be created the tests skip with the reason, except in CI (CI=true),
where they must run and so fail instead.
"""
import pytest

import harness


def _enter_namespace():
    try:
        return harness.NetNs()
    except harness.NamespaceUnavailable as reason:
        if harness.in_ci():
            pytest.fail(f"CI=true but network namespaces are unavailable: {reason}")
        pytest.skip(f"network namespaces unavailable: {reason}")


@pytest.fixture
def netns():
    ns = _enter_namespace()
    try:
        yield ns
    finally:
        ns.close()


@pytest.fixture
def seed(netns):
    yield harness.SeedTopology(netns)


def pytest_configure(config):
    if not harness.SOCKSCOPE:
        raise pytest.UsageError("SOCKSCOPE_BIN is not set: run the tests through ctest")

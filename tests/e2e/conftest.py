"""Fixtures: `netns` gives a test its own network namespace, `seed` adds the seed topology.

Where namespaces cannot be created the tests skip with the reason, except in CI (CI=true),
where they must run and so fail instead.
"""
import os

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
    # A missing binary would leave the `nc` link dangling and PATH would find the system's nc.
    if not os.access(harness.SOCKSCOPE, os.X_OK):
        raise pytest.UsageError(f"SOCKSCOPE_BIN={harness.SOCKSCOPE} is not an executable: build first")

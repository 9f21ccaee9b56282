# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit-test hooks: how many hypothesis examples each property test ran, printed at the end of the run.

Every @given test is counted, without its own code: the hook wraps the handle's `inner_test`, which
hypothesis calls once per example (generated, replayed or shrunk).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import tempfile
import functools
import threading

import pytest
from hypothesis import HealthCheck, settings

EXAMPLES = collections.Counter()

# A loaded machine (CI runs suites side by side on two cores) must not fail a property on time: no example
# deadline, no too-slow health check, for every @given test that does not set its own.
settings.register_profile("loaded-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("loaded-machine")


def counting(inner, name):
    @functools.wraps(inner)
    def counted(*args, **kwargs):
        EXAMPLES[name] += 1
        return inner(*args, **kwargs)

    counted.counted = True
    return counted


def pytest_collection_modifyitems(items):
    for item in items:
        handle = getattr(getattr(item, "obj", None), "hypothesis", None)
        if handle is not None and not getattr(handle.inner_test, "counted", False):
            handle.inner_test = counting(handle.inner_test, item.nodeid.split("[")[0])


def pytest_terminal_summary(terminalreporter):
    if not EXAMPLES:
        return
    terminalreporter.write_sep("-", "hypothesis: {0} examples run by {1} property tests".format(sum(EXAMPLES.values()), len(EXAMPLES)))
    for name, examples in sorted(EXAMPLES.items()):
        terminalreporter.write_line("{0:7d}  {1}".format(examples, name))


@pytest.fixture(autouse=True)
def private_rate_budgets(tmp_path, monkeypatch):
    """Each test its own temporary directory, so no test shares a tenant's rate budget file with another."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@pytest.fixture
def feed_stopped(monkeypatch):
    """A function a fake API calls after it sent a signal: it waits until the engine has stopped its feed.

    Without it the test is a race: on a loaded machine a worker can send every batch before the main
    thread runs the signal handler."""
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import bulk_send

    stopped = threading.Event()
    original = bulk_send.Feed.stop

    def stop(feed):
        original(feed)
        stopped.set()

    monkeypatch.setattr(bulk_send.Feed, "stop", stop)

    def wait():
        assert stopped.wait(30), "the engine did not stop its feed within 30 s of the signal"

    return wait

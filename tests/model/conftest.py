# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The real simulator as a subprocess for the model-based tests, and the count of examples they ran."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from hypothesis import HealthCheck, settings

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_report import BulkFailure

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN = os.path.join(ROOT, "tests", "simulator", "run.py")
FIXTURE = os.path.join(ROOT, "tests", "simulator", "fixtures", "test.yml")
EXAMPLES = collections.Counter()

# The state machines' settings: MODEL_EXAMPLES machines of up to 6 steps, no deadline (each step is a run against
# the simulator), no example database.
settings.register_profile(
    "model",
    max_examples=int(os.environ.get("MODEL_EXAMPLES", "20")),
    stateful_step_count=6,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile("model")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    port = free_port()
    url = "http://127.0.0.1:{0}".format(port)
    log = tmp_path_factory.mktemp("sim") / "sim.log"
    with open(str(log), "w") as out:
        proc = subprocess.Popen([sys.executable, RUN, "--host", "127.0.0.1", "--port", str(port), "--fixture", FIXTURE], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while "listening on " + url not in log.read_text():
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError("simulator did not start: " + log.read_text())
        time.sleep(0.05)
    session = requests.Session()
    yield url, session
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def examples():
    return EXAMPLES


@pytest.fixture(autouse=True)
def model_simulator(request, simulator, examples):
    """The simulator and the example counter in the test module's SIM dict (a state machine takes no fixtures)."""
    shared = request.module.SIM
    shared["url"], shared["session"] = simulator
    shared["examples"] = examples
    shared["run_interrupted"] = run_interrupted
    yield
    simulator[1].delete(simulator[0] + "/_sim/faults")


def pytest_terminal_summary(terminalreporter):
    if EXAMPLES:
        terminalreporter.write_line("model-based examples run: " + ", ".join("{0}={1}".format(name, count) for name, count in sorted(EXAMPLES.items())))


def run_interrupted(call, timer=None):
    """(changed, result, stopped) of call(), a service's sync(), with `timer` (an interruption: SIGTERM to this
    process, the campaign stopped by someone else) started beside it; SIGTERM is ignored outside the engine's own
    handler. A BulkFailure is a run that failed or stopped part-way, with its result."""
    previous = signal.signal(signal.SIGTERM, lambda *args: None)
    try:
        if timer:
            timer.start()
        changed, result, _diff = call()
        return changed, result, False
    except BulkFailure as failure:
        return failure.changed, failure.result, "stopped part-way" in failure.message or "interrupted" in failure.message
    finally:
        if timer:
            timer.join()
        signal.signal(signal.SIGTERM, previous)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared fixtures: the simulator package on sys.path and a real server process."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
SIM_DIR = os.path.dirname(HERE)
RUN = os.path.join(SIM_DIR, 'run.py')
TEST_FIXTURE = os.path.join(SIM_DIR, 'fixtures', 'test.yml')
ACTION = ('acme', 'act-123')
DATA = ('acme', 'data-456')
sys.path.insert(0, SIM_DIR)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class SimProcess(object):
    """run.py as a subprocess; stdout goes to a file to prove line flushing."""

    def __init__(self, tmp_path, fixture=TEST_FIXTURE, args=()):
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.out_path = str(tmp_path / ('sim-%d.out' % self.port))
        self.out = open(self.out_path, 'w')
        cmd = [sys.executable, RUN, '--host', '127.0.0.1', '--port', str(self.port), '--fixture', str(fixture)] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=subprocess.STDOUT)
        self.wait_listening()

    def wait_listening(self, timeout=15):
        wanted = 'listening on %s' % self.url
        deadline = time.time() + timeout
        while time.time() < deadline:
            with open(self.out_path) as handle:
                if wanted in handle.read():
                    return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError('simulator did not start: %s' % open(self.out_path).read())

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.out.close()
        return code


@pytest.fixture(scope='session')
def sim(tmp_path_factory):
    """One shared server; tests reset its state and faults through /_sim/."""
    proc = SimProcess(tmp_path_factory.mktemp('sim'))
    yield proc
    proc.stop()


@pytest.fixture
def api(sim):
    """A clean simulator: original fixture, no faults, empty request log."""
    requests.delete(sim.url + '/_sim/faults').raise_for_status()
    requests.patch(sim.url + '/_sim/faults', json={'seed': 1}).raise_for_status()
    requests.post(sim.url + '/_sim/reset').raise_for_status()
    return sim

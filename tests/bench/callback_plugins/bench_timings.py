# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback of tests/bench/run.py: writes each task's wall time (task start to its result) as JSON.

The time excludes ansible-playbook's start-up, so a task's figure is what a user waits for that task.
Enabled only by the bench (ANSIBLE_CALLBACKS_ENABLED=bench_timings), which reads BENCH_TIMINGS_PATH.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timings"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.current = None
        self.timings = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.current = (task.get_name(), time.time())

    def _record(self, result, outcome):
        name, started = self.current
        now = time.time()
        self.timings.append({"task": name, "seconds": now - started, "outcome": outcome, "host": result._host.get_name(), "ended": now})

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_TIMINGS_PATH")
        if path:
            with open(path, "w") as handle:
                json.dump(self.timings, handle)

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A task's pacer on a fake clock: the shared schedule, the task's own cap, and what rate-limit headers say."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import rate_budget
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_budget import MemoryStore
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_pacing import Pacer, rate_hint

WALL = 1800000000.0


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class CountingStore(MemoryStore):
    def __init__(self):
        super(CountingStore, self).__init__()
        self.updates = 0

    def update(self, change, now):
        self.updates += 1
        return super(CountingStore, self).update(change, now)


def pacer(store=None, max_rate=None):
    clock = FakeClock()
    return Pacer(store or CountingStore(), max_rate, clock=clock, sleep=clock.sleep, wall=lambda: WALL), clock


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({}, (None, None)),
        ({"Content-Type": "application/json"}, (None, None)),
        ({"RateLimit-Policy": "50;w=1"}, (50.0, None)),
        ({"RateLimit-Policy": '"default";q=100;w=60'}, (100 / 60.0, None)),
        ({"RateLimit-Limit": "100, 100;w=60, 10;w=1"}, (100 / 60.0, None)),  # the most restrictive quota
        ({"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"}, (None, 30.0)),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(WALL) + 45)}, (None, 45.0)),  # a time, not a delay
        ({"RateLimit-Remaining": "3", "RateLimit-Reset": "30"}, (None, None)),  # something is left
        ({"RateLimit-Remaining": "0"}, (None, None)),
        ({"RateLimit-Remaining": "soon", "RateLimit-Reset": "x"}, (None, None)),
    ],
)
def test_rate_hint(headers, expected):
    rate, wait = rate_hint(headers, WALL)
    assert (rate and round(rate, 6), wait) == (expected[0] and round(expected[0], 6), expected[1])


def test_without_a_429_requests_do_not_wait_and_the_store_is_touched_every_20_ms_at_most():
    task, clock = pacer()
    for _n in range(100):
        task.acquire()
        task.answered({})
        clock.now += 0.001
    assert clock.now == pytest.approx(100.1)
    assert task.store.updates <= 6


def test_after_a_429_every_request_takes_its_slot():
    task, clock = pacer()
    for _n in range(50):
        task.acquire()
        task.answered()
        clock.now += 0.01
    assert task.rate_limited({"Retry-After": "1"}) == 1.0
    rate = task.store.state["rate"]
    assert rate == pytest.approx(50 * rate_budget.MARGIN, rel=0.05)
    start = clock.now
    for _n in range(21):
        task.acquire()
    assert clock.now - start == pytest.approx(20 / rate, rel=0.05)


def test_the_task_cap_holds_even_without_a_shared_rate():
    task, clock = pacer(max_rate=10)
    start = clock.now
    for _n in range(21):
        task.acquire()
    assert clock.now - start == pytest.approx(2.0)


def test_two_tasks_on_one_store_share_one_schedule():
    store = MemoryStore()
    first, clock = pacer(store)
    second = Pacer(store, clock=clock, sleep=clock.sleep, wall=lambda: WALL)
    first.answered({"RateLimit-Policy": "10;w=1"})
    first.acquire()
    start = clock.now
    for _n in range(10):
        first.acquire()
        second.acquire()
    # 20 requests of two tasks at the tenant's 10/s (less the margin), not 10/s each
    assert clock.now - start == pytest.approx(20 / (10 * rate_budget.MARGIN), rel=0.05)


def test_a_429_without_retry_after_backs_off_and_a_long_one_pauses_everyone():
    store = MemoryStore()
    task, clock = pacer(store)
    other = Pacer(store, clock=clock, sleep=clock.sleep, wall=lambda: WALL)
    assert task.rate_limited({}, attempt=3) == 2.0  # a backoff of this task's own: the others go on
    start = clock.now
    other.acquire()
    assert clock.now == start
    assert task.rate_limited({"Retry-After": "20"}) == 20.0
    other.acquire()
    assert clock.now - start == pytest.approx(20.0)
    assert task.limited_count == 2


def test_a_reset_with_nothing_left_pauses_everyone():
    task, clock = pacer()
    task.answered({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"})
    start = clock.now
    task.acquire()
    assert clock.now - start == pytest.approx(30.0)

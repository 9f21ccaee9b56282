# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tenant's rate budget: the shared state's rules on a fake clock, the file store, two processes on one file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json
import multiprocessing
import os
import stat

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import rate_budget
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_budget import (
    FileStore,
    MemoryStore,
    budget_name,
    grow,
    hint,
    new_state,
    note,
    open_store,
    rate_limited,
    take_slot,
    usable,
)


def answered_for(state, start, seconds, per_second):
    """per_second answers other than 429, evenly over seconds from start; the time after them."""
    now = start
    for _answer in range(int(seconds * per_second)):
        note(state, now, 1, 0)
        now += 1.0 / per_second
    return now


def test_a_first_429_paces_at_what_the_api_accepted_in_the_last_second():
    state = new_state(100.0)
    now = answered_for(state, 100.0, 2.0, 50)
    note(state, now, 0, 1)
    rate_limited(state, now, wait=1.0)
    assert state["rate"] == pytest.approx(50 * rate_budget.MARGIN, rel=0.03)


def test_one_cut_a_second_never_below_half():
    state = new_state(100.0)
    state["rate"] = 40.0
    now = answered_for(state, 100.0, 1.0, 5)
    note(state, now, 0, 1)
    rate_limited(state, now)
    assert state["rate"] == pytest.approx(20.0)  # 5 accepted, but a cut at most halves
    note(state, now + 0.5, 0, 1)
    rate_limited(state, now + 0.5)
    assert state["rate"] == pytest.approx(20.0)  # the same second: no second cut
    rate_limited(state, now + 1.1)
    assert state["rate"] == pytest.approx(10.0)


def test_a_quiet_spell_leaves_the_rate_within_twice_the_limit_found():
    # A limit found at 60/s, then a minute of updates with nothing sent (between two runs, an idle task):
    # the rate must not have grown far above the limit for the next run to meet.
    state = new_state(100.0)
    now = answered_for(state, 100.0, 2.0, 60)
    note(state, now, 0, 1)
    rate_limited(state, now)
    found = state["rate"]
    for tick in range(600):
        grow(state, now + 0.1 * tick)
    assert found < state["rate"] <= rate_budget.HEADROOM * max(found, state["peak"]) + 1e-9


def test_without_429_the_rate_is_back_within_seconds_then_probes_beyond():
    state = new_state(100.0)
    state.update(rate=50.0)
    now = answered_for(state, 100.0, 1.0, 50)
    rate_limited(state, now)
    cut = state["rate"]
    assert cut < 50.0
    times = []
    for step in range(1, 200):
        grow(state, now + step * 0.1)
        if state["rate"] >= 50.0 and not times:
            times.append(step * 0.1)
    assert times and times[0] <= 5.0
    # after 20 s without a 429 the probe has long gone past the old limit, but not beyond twice it (nothing sent)
    assert 75.0 < state["rate"] <= rate_budget.HEADROOM * state["peak"] + 1e-9


def test_late_answers_of_other_tasks_raise_a_first_cut_that_counted_too_few():
    state = new_state(100.0)
    now = answered_for(state, 100.0, 0.2, 100)  # 20 of the 50 accepted are handed over in time
    note(state, now, 0, 1)
    rate_limited(state, now, wait=1.0)
    assert state["rate"] == pytest.approx(20 * rate_budget.MARGIN, rel=0.05)
    note(state, now + 0.05, 30, 0)  # the other tasks' answers of the same burst
    grow(state, now + 0.05)
    assert state["rate"] == pytest.approx(50 * rate_budget.MARGIN, rel=0.05)


@pytest.mark.parametrize(
    "wait, streak, paused",
    [
        (1.0, 1, False),  # one 429 with Retry-After: 1 – that request waits, the others go on
        (1.0, 3, True),  # three in a row with nothing accepted: the window is closed, everyone waits
        (30.0, 1, True),  # a long Retry-After pauses every task at once
        (None, 5, False),  # nothing to wait for
    ],
)
def test_retry_after_pauses_every_task_when_long_or_429s_come_in_a_row(wait, streak, paused):
    state = new_state(100.0)
    note(state, 100.0, 1, 0)
    note(state, 100.0, 0, streak)
    rate_limited(state, 100.0, wait)
    assert take_slot(state, 100.0, 100.0) == (100.0 + wait if paused else 100.0)


def test_slots_are_spaced_at_the_rate_and_a_pause_holds_them():
    state = new_state(100.0)
    state["rate"] = 4.0
    slots = [take_slot(state, 100.0, 100.0) for _n in range(5)]
    assert slots == pytest.approx([100.0, 100.25, 100.5, 100.75, 101.0])
    hint(state, 100.0, pause_for=5.0)
    assert take_slot(state, 100.0, 100.0) == pytest.approx(105.0)


def test_a_stated_policy_sets_the_rate_and_caps_the_growth():
    state = new_state(100.0)
    hint(state, 100.0, ceiling=50.0)
    assert state["rate"] == pytest.approx(50.0 * rate_budget.MARGIN)
    grow(state, 200.0)
    assert state["rate"] == pytest.approx(50.0 * rate_budget.MARGIN)


def test_a_short_reset_does_not_pause():
    state = new_state(100.0)
    hint(state, 100.0, pause_for=1.0)
    assert state["pause_until"] == 0.0


@pytest.mark.parametrize(
    "state",
    [None, [], {"v": 2}, {"v": 1}, dict(new_state(0.0), seen=10.0), dict(new_state(0.0), seen=500.0)],
)
def test_a_stale_foreign_or_damaged_state_starts_afresh(state):
    assert usable(state, 100.0) == new_state(100.0)


def test_a_recent_state_is_kept():
    state = dict(new_state(90.0), rate=12.0)
    assert usable(state, 100.0)["rate"] == 12.0


def test_the_file_names_neither_tenant_nor_host_and_holds_numbers_only(tmp_path):
    name = budget_name("Acme", "https://vcc-na12.8x8.com/")
    assert name == budget_name("acme", "https://VCC-NA12.8x8.com")
    assert name != budget_name("acme", "https://vcc-na13.8x8.com")
    assert "acme" not in name.lower() and "na12" not in name.lower()
    store = open_store("acme", "https://vcc-na12.8x8.com", str(tmp_path / "budgets"))
    assert store.shared
    store.update(lambda state: note(state, 100.0, 3, 1), 100.0)
    store.close()
    path = tmp_path / "budgets" / name
    text = path.read_text()
    assert "acme" not in text and "8x8" not in text
    assert all(isinstance(value, (int, float, list)) for value in json.loads(text).values())
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(str(tmp_path / "budgets")).st_mode) == 0o700


def test_a_directory_of_another_user_or_a_symlink_is_not_used(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    os.symlink(str(target), str(tmp_path / "budgets"))
    assert isinstance(open_store("acme", "https://x", str(tmp_path / "budgets")), MemoryStore)


def test_the_default_directory_is_the_users_own_under_tmpdir(tmp_path):
    # tests/unit/conftest.py points tempfile at tmp_path
    assert rate_budget.budget_dir() == os.path.join(str(tmp_path), "eightbyeight-dynamic-campaigns-{0}".format(os.getuid()))


def test_a_damaged_file_starts_afresh(tmp_path):
    path = tmp_path / "budget.json"
    path.write_text('{"v": 1, "rate": 3')
    store = FileStore(str(path))
    assert store.update(lambda state: state["rate"], 100.0) == 0.0
    store.close()


def take_slots(path, count, queue):
    """In another process: count slots of a budget at 20 requests/s."""
    store = FileStore(path)
    slots = []
    for _n in range(count):
        slots.append(store.update(lambda state: slot_at_rate(state, 20.0), 1000.0))
    store.close()
    queue.put(slots)


def slot_at_rate(state, rate):
    state["rate"] = rate
    return take_slot(state, 1000.0, 1000.0)


def test_two_processes_share_one_schedule(tmp_path):
    path = str(tmp_path / "budget.json")
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=take_slots, args=(path, 25, queue)) for _n in range(2)]
    for worker in workers:
        worker.start()
    slots = sorted(queue.get(timeout=30) + queue.get(timeout=30))
    for worker in workers:
        worker.join(timeout=30)
    # 50 slots of one schedule: none taken twice, each 1/20 s after the one before.
    assert slots == pytest.approx([1000.0 + n * 0.05 for n in range(50)])


class SlidingWindow:
    """The simulator's rule: at most `limit` accepted requests in any 1 s; refused ones do not count."""

    def __init__(self, limit):
        self.limit = limit
        self.accepted = collections.deque()

    def answer(self, now):
        while self.accepted and self.accepted[0] <= now - 1.0:
            self.accepted.popleft()
        if len(self.accepted) >= self.limit:
            return 429
        self.accepted.append(now)
        return 207


def run_machines(machines, seconds, limit=50, workers=4, latency=0.01, start_apart=0.0):
    """Machines without a shared file (one state each) against one tenant's limit; answers per machine."""
    server = SlidingWindow(limit)
    states = [new_state(0.0) for _m in range(machines)]
    ready = [(m * start_apart, m, w) for m in range(machines) for w in range(workers)]
    counts = [collections.Counter() for _m in range(machines)]
    while ready:
        ready.sort()
        now, machine, worker = ready.pop(0)
        if now > seconds:
            continue
        state = states[machine]
        grow(state, now)
        slot = take_slot(state, now, now)
        status = server.answer(slot)
        counts[machine][(status, slot >= seconds / 2)] += 1
        note(state, slot + latency, 0 if status == 429 else 1, 1 if status == 429 else 0)
        if status == 429:
            rate_limited(state, slot + latency, 1.0)
        ready.append((slot + latency + (1.0 if status == 429 else 0.0), machine, worker))
    return counts


@pytest.mark.parametrize("machines, start_apart", [(3, 0.0), (3, 10.0), (2, 20.0)])
def test_machines_without_a_shared_file_converge_to_a_fair_share(machines, start_apart):
    seconds = 120.0
    counts = run_machines(machines, seconds, start_apart=start_apart)
    late = [count[(207, True)] for count in counts]
    limited = sum(count[(429, True)] for count in counts)
    total = sum(late)
    assert total >= 0.8 * 50 * seconds / 2  # the second half: close to the limit
    assert limited <= 0.05 * (total + limited)
    for share in late:
        assert abs(share / total - 1.0 / machines) < 0.07, late

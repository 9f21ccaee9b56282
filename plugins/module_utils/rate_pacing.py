# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A task's side of the tenant's request budget (rate_budget): every request of its workers takes a slot.

While no 429 has come the budget sets no rate and a request does not touch the shared
file; the answers are counted and handed to it every 0.1 s, which is also how a task
learns a rate another task found. Once a rate is set, each request takes its slot under the
file's lock. `max_requests_per_second` caps the task's own share on top of that.

Rate-limit headers are read when the API sends them: `RateLimit-Policy` (or a policy in
`RateLimit-Limit`, `q;w=` items) gives the tenant's rate, `Retry-After` on a 429 and a
`*-Remaining: 0` with a `*-Reset` give a wait; `X-RateLimit-*` names the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading
import time

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import rate_budget
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    parse_retry_after,
)

SYNC = 0.02  # unbounded: hand over the answers and read the rate this often (50 file updates a second at most)
MAX_BACKOFF = 30.0
POLICY_ITEM = re.compile(r'(?:^|[,\s])(?:"[^"]*";\s*)?(?:q=)?(\d+(?:\.\d+)?)\s*;\s*(?:[^,]*;\s*)?w=(\d+(?:\.\d+)?)')
EPOCH = 1e9  # a reset above this is a time (seconds since 1970), not a delay


def header(headers, *names):
    for name in names:
        value = headers.get(name)
        if value:
            return value.strip()
    return None


def number(text):
    try:
        return float(text.split(",")[0].split(";")[0].strip())
    except (AttributeError, ValueError):
        return None


def policy_rate(headers):
    """Requests per second of the most restrictive quota the headers state (quota;w=window), or None."""
    rates = []
    for name in ("RateLimit-Policy", "X-RateLimit-Policy", "RateLimit-Limit", "X-RateLimit-Limit"):
        for quota, window in POLICY_ITEM.findall(headers.get(name) or ""):
            if float(window) > 0:
                rates.append(float(quota) / float(window))
    return min(rates) if rates else None


def reset_wait(headers, wall_now):
    """Seconds until the quota resets when the headers say nothing is left, else None."""
    remaining = number(header(headers, "RateLimit-Remaining", "X-RateLimit-Remaining"))
    reset = number(header(headers, "RateLimit-Reset", "X-RateLimit-Reset"))
    if remaining is None or remaining > 0 or reset is None:
        return None
    return max(0.0, reset - wall_now) if reset > EPOCH else reset


def rate_hint(headers, wall_now):
    """(tenant rate or None, wait or None) from an answer's headers; (None, None) without any."""
    if not headers:
        return None, None
    return policy_rate(headers), reset_wait(headers, wall_now)


class Pacer:
    """Slots for the worker threads of one task, from the tenant's budget and the task's own cap."""

    def __init__(self, store, max_rate=None, clock=time.monotonic, sleep=time.sleep, wall=time.time):
        self.store = store
        self.max_rate = max_rate or None
        self.clock = clock
        self.sleep = sleep
        self.wall = wall
        self.lock = threading.Lock()
        self.ok = self.limited = 0
        self.hints = []
        self.longest_wait = None
        self.rate = 0.0
        self.synced = None
        self.own_next = 0.0
        self.limited_count = 0
        # When the first and the last 429 came (clock), for the report's message.
        self.limited_since = self.limited_until = None

    def acquire(self, not_before=None):
        """Wait for this request's turn: not before `not_before`, within the task's cap, in the tenant's schedule."""
        if not_before is not None:
            self.wait_until(not_before)
        if self.max_rate:
            self.wait_until(self.own_turn())
        self.wait_until(self.shared_turn())

    def release(self):
        """Nothing to give back: the slot was used."""

    def pace(self):
        """A request is sent again (after a 5xx or a lost answer): it takes a slot too."""
        self.acquire()

    def wait_until(self, when):
        delay = when - self.clock()
        if delay > 0:
            self.sleep(delay)

    def own_turn(self):
        with self.lock:
            slot = max(self.clock(), self.own_next)
            self.own_next = slot + 1.0 / self.max_rate
        return slot

    def shared_turn(self, take=True):
        """The slot of a request in the tenant's schedule (take=False: only hand over the answers)."""
        with self.lock:
            now = self.clock()
            if take and not (self.rate or self.limited or self.hints) and self.synced is not None and now - self.synced < SYNC:
                return now
            counts, self.ok, self.limited = (self.ok, self.limited), 0, 0
            hints, self.hints, wait, self.longest_wait = self.hints, [], self.longest_wait, None
            self.synced = now
        slot, rate = self.store.update(lambda state: self.settle(state, now, counts, hints, wait, take), now)
        self.rate = rate
        return slot

    def settle(self, state, now, counts, hints, wait, take):
        """In the shared state: what this task's answers said since its last turn, then its slot."""
        rate_budget.note(state, now, counts[0], counts[1])
        for ceiling, pause_for in hints:
            rate_budget.hint(state, now, ceiling, pause_for)
        if counts[1]:
            rate_budget.rate_limited(state, now, wait)
        rate_budget.grow(state, now)
        return rate_budget.take_slot(state, now, now) if take else now, state["rate"]

    def answered(self, headers=None):
        """A request got an answer other than 429."""
        hint = rate_hint(headers, self.wall()) if headers else (None, None)
        with self.lock:
            self.ok += 1
            if hint != (None, None):
                self.hints.append(hint)

    def rate_limited(self, headers=None, attempt=1):
        """A 429: counted for the budget; the seconds this request waits before it is sent again."""
        retry_after = parse_retry_after((headers or {}).get("Retry-After"), self.wall())
        hint = rate_hint(headers, self.wall())
        wait = retry_after if retry_after is not None else min(MAX_BACKOFF, 0.5 * 2 ** (attempt - 1))
        with self.lock:
            self.limited += 1
            self.limited_count += 1
            self.limited_until = self.clock()
            self.limited_since = self.limited_until if self.limited_since is None else self.limited_since
            if retry_after is not None:  # only a wait the API asked for may pause the other tasks
                self.longest_wait = max(retry_after, self.longest_wait or 0.0)
            if hint != (None, None):
                self.hints.append(hint)
        # At once, not at this request's next turn (after its wait): the cut must count the second just gone.
        self.shared_turn(take=False)
        return wait

    @property
    def limited_seconds(self):
        """Seconds from the first 429 to the last (0 before any)."""
        return (self.limited_until - self.limited_since) if self.limited_since is not None else 0.0

    def close(self):
        self.store.close()

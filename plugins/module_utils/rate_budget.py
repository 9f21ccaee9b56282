# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The request budget of one tenant on one API host, shared by every task on this machine.

8x8 limits requests per tenant, not per task. Every task of a tenant that runs on this
machine (Ansible forks, several ansible-playbook commands) takes its request slots from
one small state file under the user's temporary directory, locked with flock; the file is
named by a hash of tenant and host and holds numbers only (no tenant name, no token).

The state is one schedule at one rate (a slot every 1/rate seconds), unbounded until the
API answers 429. A 429 cuts the rate once a second at most, below what the API accepted in
the last second (multiplicative decrease); without 429 the rate grows again, by 1 % of the
rate at the last cut per second at first, doubling every 2 s (a cubic-like probe: slow near
the limit just found, fast once it has gone), and never beyond twice the larger of the last limit
found and what was sent in the last second (so a quiet spell does not leave a rate far above the
limit for the next run). Tasks on other machines cannot share the file:
each machine runs the same rule, which converges to a fair share because a task that sends
more meets more 429s.

Times in the file are time.monotonic(), one clock for every process of a Linux or macOS machine.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import stat
import tempfile
import threading

try:
    import fcntl
except ImportError:  # not a POSIX system: the budget stays in the process
    fcntl = None

SLICE = 0.1  # answers are counted in slices of 0.1 s over the last second
WINDOW = 1.0
DECREASE = 0.99  # a cut multiplies the rate by this at least
FLOOR = 0.5  # and by this at most
MARGIN = 0.99  # and goes below the rate the API just accepted by this factor
COOLDOWN = 1.0  # one cut a second: the other 429s of that second answer requests sent before the cut
GROWTH = 0.01  # share of the rate at the last cut added per second right after the cut
DOUBLING = 2.0  # the growth doubles every DOUBLING seconds without a 429
HEADROOM = 2.0  # the rate grows to at most this times the larger of the last limit found and what was sent
FIRST_RATE = 1.0  # the rate after a first 429 when the API accepted nothing in the last second
MIN_RATE = 0.05
LONG_WAIT = 2.0  # a Retry-After or reset at least this long pauses every task of the tenant
STREAK = 3  # so do this many 429s in a row with nothing accepted between them
STALE = 60.0  # a state unused this long (or from before a reboot) starts afresh


def new_state(now):
    return {
        "v": 1,
        "rate": 0.0,
        "tat": 0.0,
        "cut_at": -1e9,
        "peak": 0.0,
        "grown_at": now,
        "pause_until": 0.0,
        "streak": 0,
        "ceiling": 0.0,
        "slices": [],
        "seen": now,
    }


def usable(state, now):
    """A state read back from the file, or a fresh one when it is stale, foreign or damaged."""
    if not isinstance(state, dict) or state.get("v") != 1 or not set(new_state(0)) <= set(state):
        return new_state(now)
    if not now - STALE < state["seen"] <= now + 1.0:
        return new_state(now)
    return state


def note(state, now, ok, limited):
    """Count answers in the slices of the last second; track 429s in a row."""
    index = int(now / SLICE)
    slices = [entry for entry in state["slices"] if entry[0] >= index - WINDOW / SLICE]
    if slices and slices[-1][0] == index:
        slices[-1][1] += ok
        slices[-1][2] += limited
    elif ok or limited:
        slices.append([index, ok, limited])
    state["slices"] = slices
    state["streak"] = limited if ok else state["streak"] + limited


def accepted(state, now, limited_too=False):
    """Answers other than 429 (limited_too: all answers) in the last second, the oldest slice weighed by its part inside it."""
    position = now / SLICE
    oldest = int(position) - int(WINDOW / SLICE)
    inside = 1.0 - (position - int(position))
    return sum((ok + (limited if limited_too else 0)) * (inside if index == oldest else 1.0) for index, ok, limited in state["slices"] if index >= oldest)


def rate_limited(state, now, wait=None):
    """429s reached a task: pause every task when the API asks for long, cut the rate once a second."""
    if wait and (wait >= LONG_WAIT or (state["streak"] >= STREAK and state["pause_until"] <= now)):
        pause(state, now, wait)
    if now - state["cut_at"] < COOLDOWN:
        return
    taken = accepted(state, now)
    rate = state["cut_from"] = state["rate"]
    if rate:
        # Never below half: a second with little sent (a pause, a slow start) tells nothing about the limit.
        state["rate"] = max(MIN_RATE, rate * FLOOR, min(rate * DECREASE, taken * MARGIN))
    else:
        state["rate"] = max(MIN_RATE, taken * MARGIN) if taken else FIRST_RATE
    state["peak"] = max(taken, state["rate"])
    state["cut_at"] = state["grown_at"] = now


def pause(state, now, seconds):
    state["pause_until"] = max(state["pause_until"], now + seconds)


def hint(state, now, ceiling=None, pause_for=None):
    """What rate-limit headers said: the tenant's rate (limit over window) and a wait until a reset."""
    if pause_for and pause_for >= LONG_WAIT:
        pause(state, now, pause_for)
    if not ceiling:
        return
    state["ceiling"] = ceiling * MARGIN
    if not state["rate"] or state["rate"] > state["ceiling"]:
        state["rate"] = state["peak"] = state["ceiling"]
        state["grown_at"] = now


def grow(state, now):
    """Additive growth since the last call, faster the longer no 429 came."""
    rate = state["rate"]
    if not rate:
        return
    if now - state["cut_at"] < COOLDOWN and not state["cut_from"]:
        # A first 429: answers accepted before it that other tasks hand over late, the cut counted too few.
        rate = state["rate"] = max(rate, accepted(state, now) * MARGIN)
    since = max(0.0, now - state["grown_at"])
    quiet = now - max(state["cut_at"], state["pause_until"])
    rate += since * GROWTH * state["peak"] * 2 ** min(max(quiet, 0.0) / DOUBLING, 10)
    # Growth probes beyond what is sent, not beyond what was ever sent: while the tasks send less (idle,
    # slow, between two runs) the rate stays within twice the larger of the last limit found and the last second.
    rate = min(rate, HEADROOM * max(state["peak"], accepted(state, now, limited_too=True)))
    state["rate"] = min(rate, state["ceiling"]) if state["ceiling"] else rate
    state["grown_at"] = now


def take_slot(state, now, start):
    """The time this request may go: its slot in the shared schedule, never before start."""
    slot = max(start, state["pause_until"])
    rate = state["rate"]
    if rate:
        slot = max(slot, state["tat"])
        state["tat"] = slot + 1.0 / rate
    state["seen"] = now
    return slot


def budget_name(tenant, base_url):
    """The state file's name: a hash of tenant and API host, so the file names neither."""
    key = "{0}\n{1}".format((tenant or "").strip().lower(), (base_url or "").strip().rstrip("/").lower())
    return "budget-{0}.json".format(hashlib.sha256(key.encode("utf-8")).hexdigest()[:32])


def budget_dir():
    """A directory of this user's only, under the temporary directory (TMPDIR)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return os.path.join(tempfile.gettempdir(), "eightbyeight-dynamic-campaigns-{0}".format(uid))


def open_store(tenant, base_url, directory=None):
    """The machine-wide store of the tenant's budget; a store of this process when no file can be used."""
    if fcntl is None:
        return MemoryStore()
    try:
        return FileStore(os.path.join(directory or budget_dir(), budget_name(tenant, base_url)))
    except (IOError, OSError):
        return MemoryStore()


class MemoryStore:
    """The budget of one process (tests, and systems without flock or a usable temporary directory)."""

    shared = False

    def __init__(self):
        self.lock = threading.Lock()
        self.state = None

    def update(self, change, now):
        with self.lock:
            self.state = usable(self.state, now)
            return change(self.state)

    def close(self):
        pass


class FileStore:
    """The budget in a file: read, changed and written back under flock, one thread of the process at a time."""

    shared = True

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        directory = os.path.dirname(path)
        if not os.path.isdir(directory):
            os.mkdir(directory, 0o700)
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
            raise OSError("{0} is not a directory of this user".format(directory))
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)

    def update(self, change, now):
        with self.lock:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                state = usable(self.load(), now)
                result = change(state)
                data = json.dumps(state, separators=(",", ":")).encode("ascii")
                os.pwrite(self.fd, data, 0)
                os.ftruncate(self.fd, len(data))
                return result
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)

    def load(self):
        try:
            return json.loads(os.pread(self.fd, 65536, 0).decode("ascii") or "null")
        except ValueError:
            return None

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-item results of campaign_customer: classification, tally, files.

Classification decides on HTTP statuses and uses the API's message only to
refine (wording differs between 8x8's sources). `known` is what the snapshot
read before the first write says of the customer: True (a record), False (no
record) or None (no snapshot, i.e. no data_token).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import json
import os
import tempfile
import time

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    origin_text,
)

SUMMARY_KEYS = (
    "requested",
    "duplicates",
    "invalid",
    "added",
    "already_present",
    "removed",
    "already_absent",
    "not_deletable",
    "kept_not_deletable",
    "uncertain",
    "failed",
)
FAILURE_CATEGORIES = frozenset(("invalid", "failed", "not_deletable"))
MAX_RESULT_FAILURES = 100
MAX_DIFF_IDS = 50
FAILURE_COLUMNS = ("customer-id", "schedule-date-time", "line", "http-status", "reason")

# Outcomes a request-level answer can have; REFUSED stops the whole run.
REFUSED = "refused"
UNKNOWN = "unknown"
ADDED_STATUSES = frozenset((200, 201, "200", "201"))


def is_duplicate(message):
    return "duplicat" in (message or "").lower()


def is_not_deletable(message):
    text = (message or "").lower()
    return "not available for deletion" in text or "deletion" in text


def classify_add(http_status, message, ambiguous, known):
    """Category of one 207 item: added, already_present, uncertain or failed."""
    if http_status in (200, 201):
        return "added"
    if http_status in (400, 409) and is_duplicate(message):
        if not ambiguous or known is True:
            return "already_present"
        if known is False:
            # Absent before the run and present now: an earlier attempt of ours added it.
            return "added"
        return "uncertain"
    return "failed"


def classify_delete(http_status, message, ambiguous, known):
    """Category of one DELETE answer; REFUSED for campaign-level refusals."""
    if http_status in (200, 204):
        return "removed"
    if http_status in (400, 404) and is_not_deletable(message):
        return "not_deletable"
    if http_status == 404 and "campaign" not in (message or "").lower():
        if not ambiguous or known is False:
            return "already_absent"
        if known is True:
            # Present before the run, gone now: an earlier attempt of ours removed it.
            return "removed"
        return "uncertain"
    if http_status in (400, 401, 403, 404):
        return REFUSED
    return "failed"


def all_added(items, texts):
    """The common 207: one 200 per customer sent, in the order sent (texts: the ids sent)."""
    if not isinstance(items, list) or len(items) != len(texts):
        return False
    try:
        if not all(item["http-status"] in ADDED_STATUSES for item in items):
            return False
        return [str(item["customer-id"]) for item in items] == texts
    except (TypeError, KeyError):
        return False


def item_status(raw):
    """The 207 item's http-status as an int (it may be a numeric string)."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def normal_id(raw):
    """The customer id of a 207 item as a digit string, whatever its JSON type."""
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if text.isdigit():
        return str(int(text))
    return text


class FailureWriter:
    """Every failed item as a CSV row the module can read back after a fix."""

    def __init__(self, path):
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        self.handle = io.open(path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(FAILURE_COLUMNS)
        self.directory = directory

    def write(self, cid, schedule, origin, http_status, message):
        line = origin if origin and origin > 0 else ""
        self.writer.writerow(("" if cid is None else cid, schedule or "", line, "" if http_status is None else http_status, message))

    def close(self):
        self.handle.close()


class Tally:
    """Counts and failures of one run; the worker threads update it under the run's lock."""

    def __init__(self, failure_writer=None):
        self.counts = dict((key, 0) for key in SUMMARY_KEYS)
        self.failures = []
        self.added_ids = []
        self.removed_ids = []
        self.writer = failure_writer

    def add(self, category, cid, origin=None, http_status=None, message=None, schedule=None):
        self.counts[category] += 1
        if category in FAILURE_CATEGORIES:
            self.fail(cid, origin, http_status, message, schedule)
        elif category == "added" and len(self.added_ids) < MAX_DIFF_IDS:
            self.added_ids.append(str(cid))
        elif category == "removed" and len(self.removed_ids) < MAX_DIFF_IDS:
            self.removed_ids.append(str(cid))

    def add_added(self, texts):
        """A batch added whole: texts are the customer ids as sent."""
        self.counts["added"] += len(texts)
        room = MAX_DIFF_IDS - len(self.added_ids)
        if room > 0:
            self.added_ids.extend(texts[:room])

    def fail(self, cid, origin, http_status, message, schedule=None):
        if self.writer is not None:
            self.writer.write(cid, schedule, origin, http_status, message)
        if len(self.failures) >= MAX_RESULT_FAILURES:
            return
        failure = {"customer_id": None if cid is None else str(cid), "http_status": http_status, "message": message}
        if origin is not None and origin > 0:
            failure["line"] = origin
        elif origin is not None:
            failure["item"] = origin_text(origin)
        self.failures.append(failure)

    @property
    def failing(self):
        return sum(self.counts[key] for key in FAILURE_CATEGORIES)

    @property
    def changed(self):
        return bool(self.counts["added"] or self.counts["removed"] or self.counts["uncertain"])

    def diff(self):
        return {
            "before": {"removed_count": self.counts["removed"], "removed_ids": list(self.removed_ids)},
            "after": {"added_count": self.counts["added"], "added_ids": list(self.added_ids)},
        }


class Progress:
    """A JSON file rewritten atomically every few seconds (async tasks, AWX)."""

    def __init__(self, path, campaign_id, state, clock=time.monotonic, every=2.0):
        self.path = path
        self.campaign_id = campaign_id
        self.state = state
        self.clock = clock
        self.every = every
        self.started = clock()
        self.written = None
        self.phase = "validating"
        self.total = 0

    def start_phase(self, phase, total, done=0, counts=None):
        self.phase = phase
        self.total = total
        self.phase_started = self.clock()
        self.update(done, counts, force=True)

    def update(self, done, counts=None, force=False):
        if not self.path:
            return
        now = self.clock()
        if not force and self.written is not None and now - self.written < self.every:
            return
        self.written = now
        self.write(self.snapshot(now, done, counts))

    def snapshot(self, now, done, counts):
        elapsed = now - self.started
        phase_elapsed = max(now - getattr(self, "phase_started", self.started), 1e-6)
        rate = done / phase_elapsed
        remaining = max(self.total - done, 0)
        return {
            "campaign_id": self.campaign_id,
            "state": self.state,
            "phase": self.phase,
            "done": done,
            "total": self.total,
            "rate": round(rate, 1),
            "eta_seconds": round(remaining / rate, 1) if rate > 0 else None,
            "elapsed": round(elapsed, 1),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "summary": dict(counts or {}),
        }

    def write(self, payload):
        directory = os.path.dirname(os.path.abspath(self.path))
        handle, temporary = tempfile.mkstemp(prefix=".progress-", dir=directory)
        with os.fdopen(handle, "w") as stream:
            json.dump(payload, stream)
        os.replace(temporary, self.path)

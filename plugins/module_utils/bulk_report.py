# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report stage of a bulk run: the tally, the failures file, the progress file, the result and messages."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import json
import os
import tempfile
import time

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ADDED,
    ALREADY_PRESENT,
    FAILED,
    KEPT_NOT_DELETABLE,
    NOT_DELETABLE,
    REMOVED,
    RESCHEDULE,
    RESCHEDULE_DELETE,
    RESCHEDULED,
    SCHEDULE_NOT_APPLIED,
    SUPPRESS,
    SUPPRESSED,
    SUPPRESSED_REMOVED,
    UNCERTAIN,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    origin_text,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.membership_diff import (
    MAX_DIFF_IDS,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    DynamicCampaignsError,
    rate_limited_text,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.http_answers import (
    host_of,
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
    "not_sent",
    "rescheduled",
    "schedule_not_applied",
    "suppressed",
    "suppressed_removed",
)
# Outcomes that account for one requested customer (or one exclusive or suppression removal).
HANDLED_KEYS = (
    "added",
    "already_present",
    "removed",
    "already_absent",
    "not_deletable",
    "kept_not_deletable",
    "uncertain",
    "failed",
    "rescheduled",
    "suppressed_removed",
)
# What an outcome counts as, by the purpose of its request.
COUNTED_AS = {
    (RESCHEDULE, ADDED): RESCHEDULED,
    (SUPPRESS, REMOVED): SUPPRESSED_REMOVED,
    (SUPPRESS, NOT_DELETABLE): KEPT_NOT_DELETABLE,
}
CHANGING_KEYS = (ADDED, REMOVED, UNCERTAIN, RESCHEDULED, SUPPRESSED_REMOVED)
# Customers named in the diff (membership_diff) and in the schedule_not_applied warning, up to MAX_DIFF_IDS of each.
NAMED_KEYS = (ADDED, REMOVED, RESCHEDULED, SUPPRESSED, SUPPRESSED_REMOVED, SCHEDULE_NOT_APPLIED)
FAILURE_OUTCOMES = frozenset(("invalid", "failed", "not_deletable"))
MAX_RESULT_FAILURES = 100
MAX_MESSAGE_ERRORS = 10
FAILURE_COLUMNS = ("customer-id", "schedule-date-time", "timezone", "line", "http-status", "reason")


class BulkFailure(DynamicCampaignsError):
    """The run failed (invalid rows, failed items, a stop part-way); carries the whole result."""

    def __init__(self, message, result, changed):
        super(BulkFailure, self).__init__(message)
        self.result = result
        self.changed = changed

    def result_fields(self):
        fields = dict(self.result)
        fields["changed"] = self.changed
        return fields


class FailureWriter:
    """Every failed item as a CSV row the module can read back after a fix; flushed as it goes."""

    def __init__(self, path):
        self.path = path
        self.handle = io.open(path, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(FAILURE_COLUMNS)

    def write(self, cid, schedule, origin, http_status, message, zone=None):
        """schedule and zone: as sent, or for a row refused locally as the row held them (fed back, they read the same)."""
        line = origin if origin and origin > 0 else ""
        self.writer.writerow((as_written(cid), as_written(schedule), as_written(zone), line, as_written(http_status), message))

    def close(self):
        self.handle.close()


def as_written(value):
    """A value of a row as its column reads back: '' for none, else its text (a YAML or JSON number as written)."""
    return "" if value is None else str(value).strip()


class Tally:
    """Counts and failures of one run; the worker threads update it under the run's lock."""

    def __init__(self, failure_writer=None):
        self.counts = dict((key, 0) for key in SUMMARY_KEYS)
        self.failures = []
        self.named = dict((key, []) for key in NAMED_KEYS)
        self.writer = failure_writer
        # A write no count shows: a reschedule's delete (its add may fail, leaving the customer out).
        self.deleted_to_reschedule = 0

    def take(self, result):
        """Count one ItemResult (settled: not UNKNOWN)."""
        outcome = COUNTED_AS.get((result.purpose, result.outcome), result.outcome)
        if outcome == NOT_DELETABLE and result.origin is None:
            # Undeclared and kept by exclusive: not a failure.
            outcome = KEPT_NOT_DELETABLE
        self.counts[outcome] += 1
        if outcome in FAILURE_OUTCOMES:
            self.fail(result.customer_id, result.origin, result.http_status, failure_text(result), result.schedule)
            return
        self.name(outcome, result.customer_id)
        if outcome == ALREADY_PRESENT and result.schedule:
            # Held already (a Duplicate answer): the declared schedule was not applied.
            self.note(SCHEDULE_NOT_APPLIED, result.customer_id)

    def refuse(self, cid, origin, message, raw_schedule=None, raw_zone=None):
        """One row refused before sending (invalid, outside the window or the calling hours): its row kept as written."""
        self.counts["invalid"] += 1
        self.fail(cid, origin, None, message, raw_schedule, raw_zone)

    def note(self, key, cid):
        """Count one customer under `key` outside the outcomes (suppressed, schedule_not_applied)."""
        self.counts[key] += 1
        self.name(key, cid)

    def name(self, key, cid):
        named = self.named.get(key)
        if named is not None and len(named) < MAX_DIFF_IDS:
            named.append(str(cid))

    def add_added(self, texts, purpose=None):
        """A batch added whole: texts are the customer ids as sent."""
        key = COUNTED_AS.get((purpose, ADDED), ADDED)
        self.counts[key] += len(texts)
        named = self.named[key]
        room = MAX_DIFF_IDS - len(named)
        if room > 0:
            named.extend(texts[:room])

    def fail(self, cid, origin, http_status, message, schedule=None, zone=None):
        if self.writer is not None:
            self.writer.write(cid, schedule, origin, http_status, message, zone)
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
        return sum(self.counts[key] for key in FAILURE_OUTCOMES)

    @property
    def handled(self):
        return sum(self.counts[key] for key in HANDLED_KEYS)

    @property
    def changed(self):
        return bool(self.deleted_to_reschedule) or any(self.counts[key] for key in CHANGING_KEYS)


class Progress:
    """A JSON file rewritten atomically every few seconds (async tasks, AWX)."""

    def __init__(self, path, campaign_id, state, clock=time.monotonic, every=2.0):
        self.path = path
        self.campaign_id = campaign_id
        self.state = state
        self.clock = clock
        self.every = every
        self.started = clock()
        self.phase_started = self.started
        self.written = None
        self.phase = "validating"
        self.total = 0

    def finish(self, phase, done, counts, rate):
        """The last write (done or stopped): the run's rate, the summary's records_per_second, not the phase's."""
        self.phase = phase
        self.total = done
        self.update(done, counts, force=True, rate=rate)

    def start_phase(self, phase, total, done=0, counts=None):
        self.phase = phase
        self.total = total
        self.phase_started = self.clock()
        self.update(done, counts, force=True)

    def update(self, done, counts=None, force=False, rate=None, total=None):
        if total is not None:
            self.total = total
        if not self.path:
            return
        now = self.clock()
        if not force and self.written is not None and now - self.written < self.every:
            return
        self.written = now
        self.write(self.snapshot(now, done, counts, rate))

    def snapshot(self, now, done, counts, rate=None):
        if rate is None:
            rate = done / max(now - self.phase_started, 1e-6)
        remaining = max(self.total - done, 0)
        return {
            "campaign_id": self.campaign_id,
            "state": self.state,
            "phase": self.phase,
            "done": done,
            "total": self.total,
            "rate": round(rate, 1),
            "eta_seconds": round(remaining / rate, 1) if rate > 0 else None,
            "elapsed": round(now - self.started, 1),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "summary": dict(counts or {}),
        }

    def write(self, payload):
        directory = os.path.dirname(os.path.abspath(self.path))
        handle, temporary = tempfile.mkstemp(prefix=".progress-", dir=directory)
        with os.fdopen(handle, "w") as stream:
            json.dump(payload, stream)
        os.replace(temporary, self.path)


def records_per_second(handled, elapsed):
    """The summary's rate, which the progress file's last write repeats: one rule, one rounding."""
    return round(handled / max(elapsed, 1e-6), 1)


def failure_text(result):
    """The message of a failed item; the halves of a reschedule say what they mean for the customer."""
    if result.purpose == RESCHEDULE_DELETE:
        return "the record could not be deleted to apply the declared schedule (it keeps its old one): {0}".format(result.message)
    if result.purpose == RESCHEDULE and result.outcome == FAILED:
        return (
            "deleted to apply the declared schedule, then the add was refused, so the customer is no longer in the campaign"
            " (fix and feed the failures file back): {0}".format(result.message)
        )
    return result.message


def failure_texts(failures):
    return [
        "{0}{1}: {2}".format(
            "customer {0} ".format(f["customer_id"]) if f["customer_id"] else "",
            "(line {0})".format(f["line"]) if "line" in f else "({0})".format(f.get("item", "")),
            f["message"],
        )
        for f in failures[:MAX_MESSAGE_ERRORS]
    ]


class Report:
    """Builds the result, the messages and the failure of one run."""

    def __init__(self, run):
        self.run = run

    def where_all(self):
        return "; all in failed_records_path" if self.run.writer else "; set failed_records_path to get them all"

    def result(self):
        run = self.run
        elapsed = max(run.clock() - run.started, 1e-6)
        summary = dict(run.tally.counts)
        planned = summary["requested"] + len(run.plan.removals) + len(run.plan.suppress_removals) if run.plan else summary["requested"]
        # Records the plan counted as kept (exclusive) were never to be sent: they are no part of `planned`.
        sent = run.tally.handled - (run.plan.kept if run.plan else 0)
        summary["not_sent"] = max(planned - sent, 0) if run.sending_started else 0
        summary.update(
            elapsed=round(elapsed, 3),
            records_per_second=records_per_second(run.tally.handled, elapsed),
            requests=run.client.stats["requests"],
            retries=run.client.stats["retries"] + (run.sender.resent if run.sender else 0),
            rate_limited=run.pacer.limited_count,
        )
        result = {
            "campaign_id": run.campaign_id,
            "state": run.options.state,
            "summary": summary,
            "failures": list(run.tally.failures),
            "failures_truncated": run.tally.failing > len(run.tally.failures),
        }
        if run.writer:
            result["failed_records_path"] = run.writer.path
        return result

    def declared_warnings(self):
        """Declared schedules of customers held already that were left as they are (reschedule off)."""
        counts, named = self.run.tally.counts, self.run.tally.named
        if not counts[SCHEDULE_NOT_APPLIED]:
            return []
        more = counts[SCHEDULE_NOT_APPLIED] - len(named[SCHEDULE_NOT_APPLIED])
        return [
            (
                "Campaign {0}: {1} customer(s) with a declared schedule are held already, and their schedule was not applied: {2}{3}."
                " Set reschedule to delete and add them again with the declared schedule."
            ).format(
                self.run.campaign_id, counts[SCHEDULE_NOT_APPLIED], ", ".join(named[SCHEDULE_NOT_APPLIED]), " and {0} more".format(more) if more > 0 else ""
            )
        ]

    def invalid_message(self, index):
        run = self.run
        texts = [failure["message"] for failure in run.tally.failures[:MAX_MESSAGE_ERRORS]]
        more = index.invalid - len(texts)
        return "Campaign {0}: {1} invalid row(s) in {2}; nothing was sent. {3}{4}".format(
            run.campaign_id,
            index.invalid,
            input_name(run.source),
            "; ".join(texts),
            " (and {0} more{1})".format(more, self.where_all()) if more > 0 else "",
        )

    def rate_limited_note(self):
        """Why requests were given up on 429s, by whom, for how long and what to do ('' when none was)."""
        run = self.run
        given_up = run.sender.rate_limited_out if run.sender else 0
        if not given_up:
            return ""
        cap = " (now {0:g})".format(run.options.max_rate) if run.options.max_rate else ""
        advice = (
            "{0} request(s) were given up after {1} attempt(s) each. Lower workers (now {2}) or set max_requests_per_second{3}"
            " below the tenant's rate limit, or run fewer tasks against the tenant at once."
        ).format(given_up, run.client.max_retries, run.options.workers, cap)
        return rate_limited_text(host_of(run.client.base_url), run.pacer.limited_count, run.pacer.limited_seconds, advice)

    def failure_message(self):
        counts = self.run.tally.counts
        text = (
            "Campaign {0}: {1} customer(s) failed, {2} not deletable, {3} invalid row(s) (set allow_partial to accept partial results{4}). First: {5}"
        ).format(
            self.run.campaign_id,
            counts["failed"],
            counts["not_deletable"],
            counts["invalid"],
            self.where_all(),
            "; ".join(failure_texts(self.run.tally.failures)),
        )
        note = self.rate_limited_note()
        return "{0}. {1}".format(text.rstrip("."), note) if note else text

    def stopped_message(self, cause):
        """A run that stopped part-way: why, what it did, how to finish."""
        counts = self.run.tally.counts
        text = cause.message if isinstance(cause, DynamicCampaignsError) else str(cause)
        note = self.rate_limited_note()
        if note:
            text = "{0}. {1}".format(text.rstrip("."), note)
        return (
            "{0}. The run stopped part-way: {1} added, {2} removed, {3} uncertain, {4} failed, {5} not sent (see summary{6})."
            " Run the task again to finish: it reaches the declared state."
        ).format(
            text.rstrip("."), counts["added"], counts["removed"], counts["uncertain"], counts["failed"], self.result()["summary"]["not_sent"], self.where_all()
        )


def input_name(source):
    names = []
    if source.customers:
        names.append("customers")
    if source.path:
        names.append("customers_file {0}".format(source.path))
    return " and ".join(names) or "the input"

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""campaign_customer on the Campaigns API v1: plan → send → report, with the engine's worker pool, Sender,
pacing, tally, failures file and progress file.

The API adds records and nothing else: no read, no delete. So state=absent and exclusive are refused
before any call, and what the campaign holds is known only from the answers of this run and of earlier
ones kept in the ledger (v1_ledger). Every row is validated before the first call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ADDED,
    ALREADY_PRESENT,
    item,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_plan import MAX_WORKERS, check_output_paths
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_report import (
    BulkFailure,
    FailureWriter,
    records_per_second,
    Progress,
    Tally,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_send import RunStopped, Sender, WorkerPool
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import RetryPolicy
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import ID_COLUMNS, SCHEDULE_COLUMNS, IdRun, origin_text
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import Interrupted, Interruption
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_budget import open_store
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_pacing import Pacer
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.membership_diff import membership_diff
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import DynamicCampaignsError, ValidationError
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import Ledger, LedgerWriteError
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_records import MAX_BATCH, input_rows, record_of
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_send import V1AddSender

# Options of the legacy engine that need a read or a delete, which this API does not have.
NEEDS_READ_OR_DELETE = ("exclusive", "max_removals", "reschedule", "suppressed_customers", "suppressed_file", "calling_hours")


def refuse_unsupported(params):
    """Before any call: what the Campaigns API v1 cannot do, and option values out of its range."""
    prefix = "Campaign {0}: ".format(params["campaign_id"])
    if params.get("state") == "absent":
        raise ValidationError(prefix + "state=absent is not possible on api campaigns_v1: the Campaigns API v1 has no endpoint to delete records.")
    given = [name for name in NEEDS_READ_OR_DELETE if params.get(name)]
    if given:
        raise ValidationError(
            prefix
            + "{0} not possible on api campaigns_v1: the Campaigns API v1 cannot read or delete records.".format(
                ", ".join(given) + (" is" if len(given) == 1 else " are")
            )
        )
    for name, most, where in (("batch_size", MAX_BATCH, " on api campaigns_v1"), ("workers", MAX_WORKERS, "")):
        value = params.get(name)
        if value is not None and (value.__class__ is bool or not isinstance(value, int) or not 1 <= value <= most):
            raise ValidationError(prefix + "{0} must be from 1 to {1}{2}, not {3}.".format(name, most, where, value))
    check_output_paths(prefix, params)


class V1Options:
    """What the engine's worker pool reads of a run's options."""

    def __init__(self, params):
        self.batch_size = params.get("batch_size") or MAX_BATCH
        self.workers = params.get("workers") or 4


class V1CustomerService:
    """The HTTP call of campaign_customer on the Campaigns API v1 (POST /{campaignId}/records), and its run."""

    def __init__(self, client, clock=time.monotonic):
        self.client = client
        self.clock = clock

    def sync(self, params, check_mode=False, warn=None):
        refuse_unsupported(params)
        run = V1Run(self, params, check_mode, warn or (lambda text: None))
        try:
            with run.interruption.installed():
                return run.execute()
        finally:
            run.close()

    def post_records(self, campaign_id, records, on_retry=None):
        """A repeat after a lost answer is told apart by its answer (the record held already), so 500 and lost
        answers are retried; a 429 is answered, and sent again in the pacer's turn (bulk_send.Sender)."""
        policy = RetryPolicy(self.client.max_retries, self.client.retry_max_time, statuses=frozenset((500, 502, 503, 504)), connection_errors=True)
        path = "/{0}/records".format(campaign_id)
        return self.client.request(
            "POST", path, "action", body={"records": records}, retry=policy, accept=(400, 409, 429), on_retry=on_retry, success_body=False
        )


class V1Input:
    """The two passes over a run's rows (the list, then the file, streamed each time): every row validated before
    any call, then the first valid row of each id, in input order.

    An IdRun (lines of a one-column file, ids only, checked by the reader) is only checked against the ids given
    earlier with fields in the first pass, so that pass stays a scan; the second pass, which keeps the set of the
    ids it sent anyway, counts its ids requested or duplicate. Memory: that set, and for rows that are not in an
    IdRun the origin of each id's first row and a hash of its fields where it has more than the id; never the
    records."""

    def __init__(self, params, tally):
        self.params = params
        self.tally = tally
        self.first = {}
        self.fingerprints = {}
        self.sent = set()
        # Ids of IdRuns the first pass found valid and the second has not counted yet.
        self.pending = 0

    def rows(self):
        return input_rows(self.params.get("customers"), self.params.get("customers_file"), self.params.get("customers_file_format"))

    def validate(self):
        """First pass over every row, before any call: a repeat with other fields is invalid."""
        for part in self.rows():
            if part.__class__ is IdRun:
                self.check_run(part)
                continue
            origin, fields, error = part
            record, reason = (None, error) if error else record_of(fields)
            if reason:
                self.invalid(origin, fields, reason)
            else:
                self.take_row(origin, record, fields)

    def check_run(self, run):
        """An IdRun's repeats of an id given earlier with fields are invalid (an id alone repeats an id alone)."""
        invalid = 0
        if self.fingerprints and not self.fingerprints.keys().isdisjoint(run.ids):
            for origin, cid in enumerate(run.ids, run.first_line):
                if cid in self.fingerprints:
                    self.invalid(origin, {"customer_id": cid}, self.repeat_text(cid))
                    invalid += 1
        self.pending += len(run.ids) - invalid

    def take_row(self, origin, record, fields):
        """A valid row: the first of its id is sent; a repeat with the same fields counts as a duplicate."""
        counts, cid = self.tally.counts, record["crmRecordId"]
        # The fields as a hash, not the record: a million records must not be held in memory.
        fingerprint = hash(tuple(sorted(record.items()))) if len(record) > 1 else None
        if cid not in self.first:
            self.first[cid] = origin
            if fingerprint is not None:
                self.fingerprints[cid] = fingerprint
            counts["requested"] += 1
        elif self.fingerprints.get(cid) == fingerprint:
            counts["duplicates"] += 1
        else:
            self.invalid(origin, fields, self.repeat_text(cid))

    def repeat_text(self, cid):
        # An id first seen in an IdRun has no fields, and only a one-column file, read last, has IdRuns.
        where = origin_text(self.first[cid]) if cid in self.first else "an earlier line"
        return "customer {0} is repeated with other fields than {1}".format(cid, where)

    def invalid(self, origin, fields, reason):
        cid, schedule = (next((fields[key] for key in fields or () if str(key).strip().lower() in names), None) for names in (ID_COLUMNS, SCHEDULE_COLUMNS))
        self.tally.refuse(None if cid is None else str(cid).strip(), origin, "{0}: {1}".format(origin_text(origin), reason), schedule)

    def batches(self, size):
        """Second pass: lists of at most `size` (origin, record), the first valid row of each id, in input order."""
        chunk = []
        for part in self.rows():
            for entries in self.sendable(part, size) if part.__class__ is IdRun else self.row_sendable(part):
                chunk.extend(entries)
                if len(chunk) >= size:
                    yield chunk[:size]
                    chunk = chunk[size:]
        if chunk:
            yield chunk

    def row_sendable(self, part):
        """A row that is not in an IdRun: sent when it is the first valid row of its id, unless an IdRun before it
        sent the id (then a duplicate, which the first pass, blind to IdRuns, counted requested)."""
        origin, fields, error = part
        record = None if error else record_of(fields)[0]
        if record is None or self.first.get(record["crmRecordId"], origin) != origin:
            return ()
        if record["crmRecordId"] in self.sent:
            self.tally.counts["requested"] -= 1
            self.tally.counts["duplicates"] += 1
            return ()
        self.sent.add(record["crmRecordId"])
        return (((origin, record),),)

    def sendable(self, part, size):
        """Lists of (origin, record) of an IdRun, `size` ids at a time: the ids it is the first to give, counted
        requested; its repeats counted duplicates (an id given with fields was counted invalid by the first pass)."""
        sent, counts = self.sent, self.tally.counts
        for start in range(0, len(part.ids), size):
            ids = part.ids[start : start + size]
            origins = range(part.first_line + start, part.first_line + start + len(ids))
            fresh = set(ids)
            if len(fresh) == len(ids) and sent.isdisjoint(fresh):
                sent |= fresh
                counts["requested"] += len(ids)
                self.pending -= len(ids)
                yield zip(origins, [{"crmRecordId": cid} for cid in ids])
                continue
            entries = []
            for origin, cid in zip(origins, ids):
                if cid in self.fingerprints:
                    continue
                self.pending -= 1
                if cid in sent:
                    counts["duplicates"] += 1
                else:
                    sent.add(cid)
                    counts["requested"] += 1
                    entries.append((origin, {"crmRecordId": cid}))
            yield entries


class V1Run:
    """One run: validate every row, then send (or, in check mode, predict) the records not confirmed yet."""

    def __init__(self, service, params, check_mode, warn):
        self.service = service
        self.client = service.client
        self.campaign_id = params["campaign_id"]
        self.params = params
        self.options = V1Options(params)
        self.check_mode = check_mode
        self.warn = warn
        self.started = service.clock()
        self.writer = FailureWriter(params["failed_records_path"]) if params.get("failed_records_path") else None
        self.tally = Tally(self.writer)
        self.progress = Progress(params.get("progress_path"), self.campaign_id, "present", clock=service.clock)
        # The tenant's budget of this API root, shared by the tasks of the machine, and the task's own cap.
        self.pacer = Pacer(open_store(self.client.tenant, self.client.base_url), params.get("max_requests_per_second"))
        self.ledger = Ledger(params["ledger_path"]) if params.get("ledger_path") else None
        # Read once, before any write of this run: a ledger without a record of the campaign holds none of its ids.
        self.ledger_holds = self.ledger is not None and self.ledger.holds_any(self.campaign_id)
        self.interruption = Interruption()
        # Guards the tally and the feed of batches, shared by the worker threads.
        self.lock = threading.RLock()
        self.input = V1Input(params, self.tally)
        # The second pass once it started (a run that stops counts the rest of it).
        self.chunks = None
        self.sending = False

    def close(self):
        self.pacer.close()
        for resource in (self.writer, self.ledger):
            if resource is not None:
                resource.close()

    def take(self, result):
        self.tally.take(result)

    def tick(self):
        self.progress.update(self.tally.handled, self.tally.counts, total=self.to_add())

    def to_add(self):
        """Records the adding phase takes: the ids counted requested, and those of IdRuns not counted yet (their
        repeats among them until the second pass reaches them)."""
        return self.tally.counts["requested"] + self.input.pending

    def execute(self):
        try:
            self.validate()
            if self.tally.counts["invalid"] and not self.params.get("allow_partial"):
                self.whole_counts(self.input.batches(self.options.batch_size))
                raise BulkFailure(self.invalid_message(), self.result(), False)
            self.progress.start_phase("adding", self.to_add())
            if self.check_mode:
                for batch in self.batches():
                    self.predict(batch)
            else:
                self.send()
        except (RunStopped, Interrupted) as stop:
            self.interruption.stopping()
            if self.chunks is not None:
                self.whole_counts(self.chunks)
            if self.ledger is not None:
                # A batch is counted once the ledger has it: all of them before the result (a signal that stops
                # the run while the ledger writes must not leave a batch out; it is raised once, so this wait stays).
                self.ledger.wait()
            result = self.result()
            self.progress.finish("stopped", self.tally.handled, self.tally.counts, result["summary"]["records_per_second"])
            raise BulkFailure(self.stopped_message(stop), result, self.tally.changed)
        return self.outcome()

    def send(self):
        self.sending = True
        adds = V1AddSender(self, Sender(self))
        WorkerPool(self).pump(self.batches(), adds.send)
        self.flush_ledger()

    def flush_ledger(self):
        """What the workers confirmed is counted once the ledger has it: all of it, before the result."""
        if self.ledger is not None:
            try:
                self.ledger.flush()
            except LedgerWriteError as exc:
                raise RunStopped(exc)

    def validate(self):
        self.progress.start_phase("validating", 0)
        self.input.validate()

    def batches(self):
        """Batches of the second pass, the ledger's confirmed ids left out. Worker threads pull from it under the run's lock."""
        self.chunks = self.input.batches(self.options.batch_size)
        return (self.unconfirmed(chunk) for chunk in self.chunks)

    def whole_counts(self, chunks):
        """The second pass's counts of the rows it has not reached (requested, duplicates): the rest of the pass, not
        sent, before a result that is not the end of it; a file that cannot be read again leaves them as they are."""
        try:
            for _chunk in chunks:
                pass
        except DynamicCampaignsError:
            pass

    def unconfirmed(self, chunk):
        if not self.ledger_holds:
            return chunk
        held = self.ledger.held(self.campaign_id, (record["crmRecordId"] for _origin, record in chunk))
        for origin, record in chunk:
            if record["crmRecordId"] in held:
                self.tally.take(item(ALREADY_PRESENT, record["crmRecordId"], origin))
        return [(origin, record) for origin, record in chunk if record["crmRecordId"] not in held]

    def predict(self, batch):
        for origin, record in batch:
            self.tally.take(item(ADDED, record["crmRecordId"], origin, schedule=record.get("scheduleAt")))

    def outcome(self):
        counts = self.tally.counts
        if self.check_mode and self.ledger is None and counts["added"]:
            self.warn(
                "Campaign {0}: check mode cannot know which records the campaign holds already (the Campaigns API v1 has no"
                " read, and no ledger_path is set): it counts every valid record as added.".format(self.campaign_id)
            )
        if counts["uncertain"]:
            self.warn(
                "Campaign {0}: {1} record(s) may or may not have been added by this run: an attempt got no answer (after"
                " retries, or before the API said the campaign holds them), and the Campaigns API v1 has no read; run the task"
                " again: the API refuses a record it holds, so the re-run counts each exactly.".format(self.campaign_id, counts["uncertain"])
            )
        result = self.result()
        self.progress.finish("done", self.tally.handled, counts, result["summary"]["records_per_second"])
        if self.tally.failing and not self.params.get("allow_partial"):
            raise BulkFailure(self.failure_message(), result, self.tally.changed)
        return self.tally.changed, result, membership_diff(self.campaign_id, self.tally, None, "the Campaigns API v1 has no read")

    def result(self):
        return run_result(self)

    def invalid_message(self):
        texts = "; ".join(failure["message"] for failure in self.tally.failures[:10])
        return "Campaign {0}: {1} invalid row(s); nothing was sent (allow_partial sends the valid ones). {2}".format(
            self.campaign_id, self.tally.counts["invalid"], texts
        )

    def failure_message(self):
        texts = "; ".join("{0}: {1}".format(failure.get("customer_id"), failure["message"]) for failure in self.tally.failures[:10])
        return "Campaign {0}: {1} record(s) failed. {2}".format(self.campaign_id, self.tally.failing, texts)

    def stopped_message(self, stop):
        """Why the run stopped, what it did, how to finish."""
        cause = stop.cause if isinstance(stop, RunStopped) else stop
        counts, summary = self.tally.counts, self.result()["summary"]
        kept = " (the ledger holds what was confirmed, so it sends nothing for those)" if self.ledger is not None else ""
        return "{0} The run stopped part-way: {1} added, {2} already present, {3} uncertain, {4} failed, {5} not sent. Run the task again to finish{6}.".format(
            cause.message.rstrip(".") + ".", counts["added"], counts["already_present"], counts["uncertain"], counts["failed"], summary["not_sent"], kept
        )


SUMMARY = ("requested", "duplicates", "invalid", "added", "already_present", "uncertain", "failed", "schedule_not_applied")


def run_result(run):
    """The task result of a run, finished or stopped part-way."""
    tally = run.tally
    elapsed = max(run.service.clock() - run.started, 1e-6)
    summary = dict((key, tally.counts[key]) for key in SUMMARY)
    summary["not_sent"] = max(summary["requested"] - tally.handled, 0) if run.sending else 0
    stats = run.client.stats
    summary.update(
        elapsed=round(elapsed, 3), records_per_second=records_per_second(tally.handled, elapsed), requests=stats["requests"], retries=stats["retries"]
    )
    result = {"campaign_id": run.campaign_id, "state": "present", "summary": summary, "failures": list(tally.failures)}
    result["failures_truncated"] = tally.failing > len(tally.failures)
    for name in ("failed_records_path", "ledger_path"):
        if run.params.get(name):
            result[name] = run.params[name]
    return result

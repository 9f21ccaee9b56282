# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""campaign_customer on the Campaigns API v1: plan → send → report, with the engine's tally, failures
file, progress file and pacing.

The API adds records and nothing else: no read, no delete. So state=absent and exclusive are refused
before any call, and what the campaign holds is known only from the answers of this run and of earlier
ones kept in the ledger (v1_ledger). Every row is validated before the first call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ADDED,
    ALREADY_PRESENT,
    FAILED,
    item,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_report import (
    BulkFailure,
    FailureWriter,
    records_per_second,
    Progress,
    Tally,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import TRANSIENT_STATUSES, RetryPolicy
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import ID_COLUMNS, SCHEDULE_COLUMNS, origin_text
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_budget import MemoryStore
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_pacing import Pacer
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.membership_diff import membership_diff
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import CampaignError, HttpError, ValidationError
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import Ledger
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_records import (
    MAX_BATCH,
    add_batch,
    held_id,
    input_rows,
    record_of,
    refusal_text,
)

# Options of the legacy engine that need a read or a delete, which this API does not have.
NEEDS_READ_OR_DELETE = ("exclusive", "max_removals", "reschedule", "suppressed_customers", "suppressed_file", "calling_hours")
CAMPAIGN_REFUSAL = re.compile(r"dynamic campaign|not (?:a )?dynamic|\b(?:CREATED|BUILDING|STARTING|COMPLETE|DELETED)\b", re.IGNORECASE)


def refuse_unsupported(params):
    """Before any call: what the Campaigns API v1 cannot do."""
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
    size = params.get("batch_size")
    if size is not None and (size.__class__ is bool or not isinstance(size, int) or not 1 <= size <= MAX_BATCH):
        raise ValidationError(prefix + "batch_size must be from 1 to {0} on api campaigns_v1, not {1}.".format(MAX_BATCH, size))


class V1CustomerService:
    """The HTTP call of campaign_customer on the Campaigns API v1 (POST /{campaignId}/records), and its run."""

    def __init__(self, client, clock=time.monotonic):
        self.client = client
        self.clock = clock

    def sync(self, params, check_mode=False, warn=None):
        refuse_unsupported(params)
        run = V1Run(self, params, check_mode, warn or (lambda text: None))
        try:
            return run.execute()
        finally:
            run.close()

    def post_records(self, campaign_id, records, on_retry=None):
        """A repeat after a lost answer is told apart by its answer (the record held already), so 500 and lost answers are retried."""
        policy = RetryPolicy(self.client.max_retries, self.client.retry_max_time, statuses=TRANSIENT_STATUSES | frozenset((500,)), connection_errors=True)
        path = "/{0}/records".format(campaign_id)
        return self.client.request("POST", path, "action", body={"records": records}, retry=policy, accept=(400, 409), on_retry=on_retry)


class V1Run:
    """One run: validate every row, then send (or, in check mode, predict) the records not confirmed yet."""

    def __init__(self, service, params, check_mode, warn):
        self.service = service
        self.campaign_id = params["campaign_id"]
        self.params = params
        self.check_mode = check_mode
        self.warn = warn
        self.started = service.clock()
        self.batch_size = params.get("batch_size") or MAX_BATCH
        self.writer = FailureWriter(params["failed_records_path"]) if params.get("failed_records_path") else None
        self.tally = Tally(self.writer)
        self.progress = Progress(params.get("progress_path"), self.campaign_id, "present", clock=service.clock)
        # The task's own cap only: the v1 client retries its 429s itself, so no budget is shared here.
        self.throttle = Pacer(MemoryStore(), params.get("max_requests_per_second"))
        self.ledger = Ledger(params["ledger_path"]) if params.get("ledger_path") else None
        self.first = {}
        self.sending = False

    def close(self):
        for resource in (self.writer, self.ledger):
            if resource is not None:
                resource.close()

    def rows(self):
        return input_rows(self.params.get("customers"), self.params.get("customers_file"), self.params.get("customers_file_format"))

    def execute(self):
        self.validate()
        if self.tally.counts["invalid"] and not self.params.get("allow_partial"):
            raise BulkFailure(self.invalid_message(), self.result(), False)
        self.progress.start_phase("adding", self.tally.counts["requested"])
        self.sending = not self.check_mode
        for batch in self.batches():
            if self.check_mode:
                self.predict(batch)
            else:
                self.send(batch)
        return self.outcome()

    def validate(self):
        """First pass over every row, before any call: each id once; a repeat with other fields is invalid."""
        self.progress.start_phase("validating", 0)
        counts = self.tally.counts
        for origin, fields, error in self.rows():
            record, reason = (None, error) if error else record_of(fields)
            if reason:
                self.invalid(origin, fields, reason)
                continue
            cid = record["crmRecordId"]
            seen = self.first.get(cid)
            # The fields as a hash, not the record: a million records must not be held in memory.
            fingerprint = hash(tuple(sorted(record.items())))
            if seen is None:
                self.first[cid] = (origin, fingerprint)
                counts["requested"] += 1
            elif seen[1] == fingerprint:
                counts["duplicates"] += 1
            else:
                self.invalid(origin, fields, "customer {0} is repeated with other fields than {1}".format(cid, origin_text(seen[0])))

    def invalid(self, origin, fields, reason):
        cid, schedule = (next((fields[key] for key in fields or () if str(key).strip().lower() in names), None) for names in (ID_COLUMNS, SCHEDULE_COLUMNS))
        self.tally.refuse(None if cid is None else str(cid).strip(), origin, "{0}: {1}".format(origin_text(origin), reason), schedule)

    def batches(self):
        """Second pass: the first valid row of each id, in input order, the ledger's confirmed ids left out."""
        chunk = []
        for origin, fields, error in self.rows():
            record = None if error else record_of(fields)[0]
            if record is not None and self.first.get(record["crmRecordId"], (None,))[0] == origin:
                chunk.append((origin, record))
                if len(chunk) == self.batch_size:
                    yield self.unconfirmed(chunk)
                    chunk = []
        if chunk:
            yield self.unconfirmed(chunk)

    def unconfirmed(self, chunk):
        held = self.ledger.held(self.campaign_id, (record["crmRecordId"] for _origin, record in chunk)) if self.ledger else ()
        for origin, record in chunk:
            if record["crmRecordId"] in held:
                self.tally.take(item(ALREADY_PRESENT, record["crmRecordId"], origin))
        return [(origin, record) for origin, record in chunk if record["crmRecordId"] not in held]

    def predict(self, batch):
        for origin, record in batch:
            self.tally.take(item(ADDED, record["crmRecordId"], origin, schedule=record.get("scheduleAt")))

    def send(self, batch):
        if not batch:
            return
        try:
            results = add_batch(self.post, batch)
        except (CampaignError, HttpError) as exc:
            result = self.result()
            self.progress.finish("stopped", self.tally.handled, self.tally.counts, result["summary"]["records_per_second"])
            raise BulkFailure(self.stopped_message(exc), result, self.tally.changed)
        for (origin, record), outcome, http_status, message in results:
            self.tally.take(item(outcome, record["crmRecordId"], origin, http_status, message, record.get("scheduleAt")))
        if self.ledger is not None:
            confirmed = [record["crmRecordId"] for (_origin, record), outcome, _status, _message in results if outcome != FAILED]
            self.ledger.confirm(self.campaign_id, confirmed)
        self.progress.update(self.tally.handled, self.tally.counts)

    def post(self, records):
        """(status, body) of one add; a refusal of the whole request (campaign state, not dynamic) stops the run."""
        self.throttle.pace()
        response = self.service.post_records(self.campaign_id, records)
        body = response.body
        if response.status in (400, 409) and held_id(body) is None and CAMPAIGN_REFUSAL.search(refusal_text(body)):
            raise CampaignError(self.campaign_id, "the campaign refused records: {0}".format(refusal_text(body)))
        return response.status, body

    def outcome(self):
        counts = self.tally.counts
        if self.check_mode and self.ledger is None and counts["added"]:
            self.warn(
                "Campaign {0}: check mode cannot know which records the campaign holds already (the Campaigns API v1 has no"
                " read, and no ledger_path is set): it counts every valid record as added.".format(self.campaign_id)
            )
        result = self.result()
        self.progress.finish("done", self.tally.handled, counts, result["summary"]["records_per_second"])
        if self.tally.failing and not self.params.get("allow_partial"):
            raise BulkFailure(self.failure_message(), result, self.tally.changed)
        return self.tally.changed, result, membership_diff(self.campaign_id, self.tally, None, "the Campaigns API v1 has no read")

    def result(self):
        elapsed = max(self.service.clock() - self.started, 1e-6)
        summary = dict(
            (key, self.tally.counts[key]) for key in ("requested", "duplicates", "invalid", "added", "already_present", "failed", "schedule_not_applied")
        )
        summary["not_sent"] = max(summary["requested"] - self.tally.handled, 0) if self.sending else 0
        stats = self.service.client.stats
        summary.update(
            elapsed=round(elapsed, 3), records_per_second=records_per_second(self.tally.handled, elapsed), requests=stats["requests"], retries=stats["retries"]
        )
        result = {"campaign_id": self.campaign_id, "state": "present", "summary": summary, "failures": list(self.tally.failures)}
        result["failures_truncated"] = self.tally.failing > len(self.tally.failures)
        for name in ("failed_records_path", "ledger_path"):
            if self.params.get(name):
                result[name] = self.params[name]
        return result

    def invalid_message(self):
        texts = "; ".join(failure["message"] for failure in self.tally.failures[:10])
        return "Campaign {0}: {1} invalid row(s); nothing was sent (allow_partial sends the valid ones). {2}".format(
            self.campaign_id, self.tally.counts["invalid"], texts
        )

    def failure_message(self):
        texts = "; ".join("{0}: {1}".format(failure.get("customer_id"), failure["message"]) for failure in self.tally.failures[:10])
        return "Campaign {0}: {1} record(s) failed. {2}".format(self.campaign_id, self.tally.failing, texts)

    def stopped_message(self, exc):
        counts = self.tally.counts
        return "Campaign {0}: the run stopped after {1} added and {2} already present: {3}".format(
            self.campaign_id, counts["added"], counts["already_present"], exc.message
        )

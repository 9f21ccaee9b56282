# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bulk add and remove of customers in a dynamic campaign: plan → send → settle → report.

- plan (bulk_plan): options, input validation, the campaign read, the snapshot, exclusive removals.
  Check mode reports the plan and stops there.
- send (bulk_send): one worker pool and one send_until_answered for adds and deletes.
- settle (bulk_settle): outcomes the answers left open, read back or counted uncertain.
- report (bulk_report): summary, failures, failures file, progress file, messages.

A run that stops part-way (a request-level refusal, the API gone, SIGTERM or
SIGINT) fails with the summary of what it did, `changed` true when anything
was written, and the failures file complete up to that point.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import signal
import threading
import time
from contextlib import contextmanager

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ALREADY_ABSENT,
    REMOVED,
    RESCHEDULE,
    RESCHEDULE_DELETE,
    SUPPRESS,
    UNKNOWN,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_plan import (
    BulkOptions,
    Planner,
    predict,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_report import (
    BulkFailure,
    FailureWriter,
    Progress,
    Report,
    Tally,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_send import (
    AddSender,
    DeleteSender,
    RunStopped,
    Sender,
    WorkerPool,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_settle import (
    settle,
    settle_blind,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import (
    CampaignService,
    campaign_path,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    CustomerInput,
    unique_rows,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_budget import (
    open_store,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.rate_pacing import (
    Pacer,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.membership_diff import membership_diff
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    DynamicCampaignsError,
)

__all__ = ["BulkFailure", "CustomerService"]


class Interrupted(DynamicCampaignsError):
    """SIGTERM or SIGINT reached the module during a run."""


class Interruption:
    """SIGTERM and SIGINT as Interrupted in the main thread, once, so the run can report what it did.

    Inside `held()` (while workers start) a signal waits and is raised when the block ends: raised in
    the middle of Thread.start() it would leave a worker running unseen.
    """

    def __init__(self):
        self.received = []
        self.holding = False
        self.raised = False

    @contextmanager
    def installed(self):
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = dict((signum, signal.signal(signum, self.handler)) for signum in (signal.SIGTERM, signal.SIGINT))
        try:
            yield self
        finally:
            for signum, old in previous.items():
                signal.signal(signum, old)

    def handler(self, signum, _frame):
        self.received.append(signum)
        # Once: the run then counts what is in flight (bounded by the requests' deadlines) and reports.
        if not self.holding:
            self.raise_it()

    def raise_it(self):
        if self.raised:
            return
        self.raised = True
        raise Interrupted("interrupted by {0}".format(signal.Signals(self.received[0]).name))

    def stopping(self):
        """The run stops and reports what it did: a signal from now on is noted, not raised (it would lose the report)."""
        self.raised = True

    @contextmanager
    def held(self):
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.received:
            self.raise_it()


def paced_write_policy(client):
    """The client's write retries without 429: a bulk run sends a 429 again in its pacer's turn (bulk_send.Sender)."""
    policy = client.write_policy(retry_unanswered=True)
    policy.statuses = policy.statuses - frozenset((429,))
    return policy


class CustomerService:
    """campaign_customer's service: the HTTP calls of a bulk run, and the run itself."""

    def __init__(self, client, clock=time.monotonic):
        self.client = client
        self.campaigns = CampaignService(client)
        self.clock = clock

    def sync(self, params, check_mode=False, warn=None):
        """Bring the campaign's customers to the declared state; (changed, result, diff)."""
        started = self.clock()
        options = BulkOptions(params, self.client.can_read)
        source = CustomerInput(params.get("customers"), params.get("customers_file"), params.get("customers_file_format"))
        if not check_mode:
            self.client.require_token("action", "add or remove customers")
        run = BulkRun(self, options, source, check_mode, warn or (lambda text: None), started)
        try:
            with run.interruption.installed():
                return run.execute()
        finally:
            run.close()

    @staticmethod
    def records_path(campaign_id):
        return campaign_path(campaign_id) + "/customers"

    def post_batch(self, campaign_id, data, on_retry):
        """POST a batch whose JSON body is encoded already (bytes)."""
        return self.client.request(
            "POST",
            self.records_path(campaign_id),
            "action",
            data=data,
            retry=paced_write_policy(self.client),
            accept=(400, 404, 409, 413, 429, 500),
            on_retry=on_retry,
        )

    def delete_customer(self, campaign_id, cid, on_retry):
        return self.client.request(
            "DELETE",
            "{0}/{1}".format(self.records_path(campaign_id), cid),
            "action",
            retry=paced_write_policy(self.client),
            accept=(400, 404, 429, 500),
            on_retry=on_retry,
        )


class BulkRun:
    """One sync: the shared state of its stages (options, tally, progress, pacer, plan) and their order."""

    def __init__(self, service, options, source, check_mode, warn, started):
        self.service = service
        self.client = service.client
        self.campaigns = service.campaigns
        self.clock = service.clock
        self.options = options
        self.source = source
        self.check_mode = check_mode
        self.warn = warn
        self.started = started
        self.campaign_id = options.campaign_id
        self.writer = FailureWriter(options.failed_records_path) if options.failed_records_path else None
        self.tally = Tally(self.writer)
        self.progress = Progress(options.progress_path, self.campaign_id, options.state, clock=self.clock)
        self.pacer = Pacer(open_store(self.client.tenant, self.client.base_url), options.max_rate)
        self.sender = None
        self.report = Report(self)
        self.plan = None
        self.interruption = Interruption()
        self.sending_started = False
        self.unknown = []
        # Customers whose record a reschedule deleted (or found gone): added again with the declared schedule.
        self.readds = set()
        self.stray_results = 0
        # Guards the tally and the feed of work units, shared by the worker threads.
        self.lock = threading.RLock()

    def close(self):
        self.pacer.close()
        if self.writer is not None:
            self.writer.close()

    def failure(self, message):
        return BulkFailure(message, self.report.result(), self.tally.changed)

    def take(self, result):
        if result.outcome == UNKNOWN:
            self.unknown.append(result)
        elif result.purpose == RESCHEDULE_DELETE and result.outcome in (REMOVED, ALREADY_ABSENT):
            self.readds.add(result.customer_id)
            self.tally.deleted_to_reschedule += result.outcome == REMOVED
        else:
            self.tally.take(result)

    def tick(self):
        self.progress.update(self.tally.handled + len(self.unknown), self.tally.counts)

    def execute(self):
        try:
            self.plan = Planner(self).plan()
        except Interrupted as exc:
            raise self.failure("Campaign {0}: {1} before anything was sent; nothing was changed.".format(self.campaign_id, exc.message))
        if self.check_mode:
            predict(self, self.plan)
            return self.outcome()
        self.sending_started = True
        try:
            self.send()
        except (RunStopped, Interrupted) as stop:
            raise self.stopped(stop)
        return self.outcome()

    def send(self):
        self.sender = Sender(self)
        pool, sender, plan = WorkerPool(self), self.sender, self.plan
        if self.options.state == "present":
            # Do-not-call first, so suppressed customers stop being dialed as soon as possible.
            self.delete_phase("suppressing", pool, sender, ((cid, None) for cid in plan.suppress_removals), len(plan.suppress_removals), SUPPRESS)
            self.reschedule(pool, sender)
            adds = AddSender(self, sender, plan)
            self.phase("adding", plan.index.requested, lambda: pool.pump(adds.batches(), adds.send), adds=True)
            self.delete_phase("removing", pool, sender, ((cid, None) for cid in plan.removals), len(plan.removals))
        else:
            deletes = DeleteSender(self, sender, plan)
            units = deletes.units((cid, origin) for cid, _text, origin in unique_rows(plan.index))
            self.phase("removing", plan.index.requested, lambda: pool.pump(units, deletes.send), adds=False)

    def delete_phase(self, name, pool, sender, customers, total, purpose=None):
        if total:
            deletes = DeleteSender(self, sender, self.plan, purpose)
            units = deletes.units(customers)
            self.phase(name, total, lambda: pool.pump(units, deletes.send), adds=False)

    def reschedule(self, pool, sender):
        """Delete each held customer to reschedule, then add the deleted ones again with the declared schedule."""
        plan = self.plan
        ids, origins = plan.index.ids, plan.index.origins
        total = len(plan.reschedules)
        self.delete_phase("rescheduling", pool, sender, ((ids[p], origins[p]) for p in plan.reschedules), total, RESCHEDULE_DELETE)
        positions = [p for p in plan.reschedules if ids[p] in self.readds]
        if positions:
            adds = AddSender(self, sender, plan, positions, RESCHEDULE)
            self.phase("rescheduling", total, lambda: pool.pump(adds.batches(), adds.send), adds=True)

    def phase(self, name, total, work, adds):
        """Run one sending phase, then settle its unknown outcomes (also when it stopped part-way)."""
        self.progress.start_phase(name, total)
        try:
            work()
        except RunStopped:
            self.settle(adds)
            raise
        except Interrupted:
            # No more HTTP after an interruption: what stayed open is uncertain.
            self.unknown, unknown = [], self.unknown
            if unknown:
                settle_blind(self, unknown, "the run was interrupted before they could be read back")
            raise
        self.settle(adds)

    def settle(self, adds):
        self.unknown, unknown = [], self.unknown
        error = settle(self, unknown, adds)
        if error is not None:
            raise RunStopped(error)

    def stopped(self, stop):
        cause = stop.cause if isinstance(stop, RunStopped) else stop
        # An interruption between a phase's end and its settling leaves open outcomes: never drop them.
        self.unknown, unknown = [], self.unknown
        if unknown:
            settle_blind(self, unknown, "the run stopped before they could be read back")
        failure = self.failure(self.report.stopped_message(cause))
        self.progress.finish("stopped", self.tally.handled, self.tally.counts, failure.result["summary"]["records_per_second"])
        return failure

    def outcome(self):
        if self.stray_results:
            self.warn(
                "Campaign {0}: {1} result(s) of the API matched no customer sent in their batch and were ignored.".format(self.campaign_id, self.stray_results)
            )
        blind_check = self.check_mode and self.plan.snapshot is None and bool(self.tally.counts["requested"])
        if blind_check:
            self.warn(
                "Campaign {0}: check mode without data_token cannot read the campaign; it reports changed without knowing which customers would change.".format(
                    self.campaign_id
                )
            )
        for warning in self.report.declared_warnings():
            self.warn(warning)
        result = self.report.result()
        self.progress.finish("done", self.tally.handled, self.tally.counts, result["summary"]["records_per_second"])
        changed = self.tally.changed or blind_check
        if self.tally.failing and not self.options.allow_partial:
            raise BulkFailure(self.report.failure_message(), result, changed)
        return changed, result, membership_diff(self.campaign_id, self.tally, self.plan.snapshot, "no data_token")

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan stage of a bulk run: options, input validation, the campaign read, the snapshot, exclusive removals,
and the declared state beyond presence: suppressed (do-not-call) customers and reschedules.

Everything here happens before the first write. Check mode stops after this
stage and reports the plan's predicted counts (`predict`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
from fractions import Fraction
import time

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ADDED,
    ALREADY_ABSENT,
    ALREADY_PRESENT,
    KEPT_NOT_DELETABLE,
    NOT_DELETABLE,
    REMOVED,
    RESCHEDULE,
    RESCHEDULE_DELETE,
    SCHEDULE_NOT_APPLIED,
    SUPPRESS,
    SUPPRESSED,
    item,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.calling_hours import (
    CallingHours,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.codes import (
    DELETABLE_RECORD_CODES,
    RECORD_STATUSES,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    RowValidator,
    apply_window,
    origin_text,
    parse_schedule,
    read_schedule,
    read_suppressed,
    scan,
    unique_rows,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    CampaignError,
    ValidationError,
)

# Bounds of the tuning options: a batch above ~1 MB of JSON or hundreds of threads helps no one.
MAX_BATCH_SIZE = 10000
MAX_WORKERS = 64
MAX_RATE = 100000.0
# Files a run writes (the ledger, on api campaigns_v1, is read and written), and the files it only reads.
OUTPUT_OPTIONS = ("ledger_path", "failed_records_path", "progress_path")
INPUT_OPTIONS = ("customers_file", "suppressed_file")


class BulkOptions:
    """The module's options, checked before any HTTP call (and before any file is opened)."""

    def __init__(self, params, can_read):
        self.campaign_id = params["campaign_id"]
        self.state = params.get("state") or "present"
        self.exclusive = bool(params.get("exclusive"))
        self.batch_size = 100 if params.get("batch_size") is None else params["batch_size"]
        self.workers = 4 if params.get("workers") is None else params["workers"]
        self.max_rate = params.get("max_requests_per_second")
        self.allow_partial = bool(params.get("allow_partial"))
        self.failed_records_path = params.get("failed_records_path")
        self.progress_path = params.get("progress_path")
        self.prefix = "Campaign {0}: ".format(self.campaign_id)
        self.reschedule = bool(params.get("reschedule"))
        self.suppressed_customers = params.get("suppressed_customers")
        self.suppressed_file = params.get("suppressed_file")
        self.assume_started = bool(params.get("assume_started"))
        self.check(can_read, params.get("max_removals"))
        self.calling_hours = self.hours(params.get("calling_hours"), can_read)
        check_output_paths(self.prefix, params)

    def check(self, can_read, max_removals):
        for name, most in (("batch_size", MAX_BATCH_SIZE), ("workers", MAX_WORKERS)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
                raise ValidationError(self.prefix + "{0} must be from 1 to {1}, not {2}.".format(name, most, value))
        if self.max_rate is not None and not (isinstance(self.max_rate, (int, float)) and 0 < self.max_rate <= MAX_RATE):
            raise ValidationError(
                self.prefix + "max_requests_per_second must be a number more than 0 and at most {0:g}, not {1}.".format(MAX_RATE, self.max_rate)
            )
        if self.exclusive and self.state != "present":
            raise ValidationError(self.prefix + "exclusive applies to state=present only.")
        if self.exclusive and not can_read:
            raise ValidationError(self.prefix + "exclusive needs data_token to read the campaign's records.")
        if max_removals is not None and not self.exclusive:
            raise ValidationError(self.prefix + "max_removals applies only with exclusive=true (it caps the removals exclusive makes).")
        self.max_removals = parse_max_removals(max_removals, self.prefix)
        self.check_declared(can_read)

    def check_declared(self, can_read):
        present_only = [name for name in ("reschedule", "suppressed_customers", "suppressed_file") if getattr(self, name)]
        if present_only and self.state != "present":
            raise ValidationError(self.prefix + "{0} applies to state=present only.".format(" and ".join(present_only)))
        if self.reschedule and not can_read:
            raise ValidationError(self.prefix + "reschedule needs data_token to read which customers the campaign holds.")

    def hours(self, spec, can_read):
        """CallingHours of the option, or None; its zone comes from the campaign read when it names none."""
        if spec is None:
            return None
        if self.state != "present":
            raise ValidationError(self.prefix + "calling_hours applies to state=present only.")
        try:
            hours = CallingHours(spec)
        except ValidationError as exc:
            raise ValidationError(self.prefix + exc.message)
        if hours.zone is None and not can_read:
            raise ValidationError(self.prefix + "calling_hours.timezone is required without data_token (the campaign's own zone cannot be read).")
        return hours


def check_output_paths(prefix, params):
    """An output file is never an input (nor another output), a directory, or in a missing directory."""
    inputs = [params[name] for name in INPUT_OPTIONS if params.get(name)]
    seen = []
    for name in OUTPUT_OPTIONS:
        path = params.get(name)
        if not path:
            continue
        problem = output_problem(path, inputs + seen)
        if problem:
            raise ValidationError(prefix + "{0} {1} {2}; nothing was sent.".format(name, path, problem))
        seen.append(path)


def output_problem(path, others):
    """Why `path` cannot be written as an output file, or None."""
    try:
        real = os.path.realpath(path)
        if os.path.isdir(real):
            return "is a directory; give a file path"
        for other in others:
            if real == os.path.realpath(other) or (os.path.exists(real) and os.path.exists(other) and os.path.samefile(real, other)):
                return "is the same file as {0}, which it would overwrite".format(other)
        parent = os.path.dirname(real)
        if not os.path.isdir(parent):
            return "lies in a directory that does not exist ({0})".format(parent)
        if not os.access(parent, os.W_OK) or (os.path.exists(real) and not os.access(real, os.W_OK)):
            return "cannot be written (permission denied)"
    except (ValueError, OSError) as exc:
        return "is not a usable path ({0})".format(exc)
    return None


def parse_max_removals(value, prefix=""):
    """('count', n) or ('percent', p) from 500, '500' or '10%'; the default is 10%."""
    text = "10%" if value is None else str(value).strip()
    percent = text.endswith("%")
    number = text[:-1].strip() if percent else text
    try:
        amount = float(number) if percent else int(number)
    except (ValueError, OverflowError):
        amount = None
    if isinstance(value, (bool, float)) or amount is None or not math.isfinite(amount) or amount < 0 or (percent and amount > 100):
        raise ValidationError(
            prefix + "max_removals must be a whole number of records or a percentage from 0% to 100% such as 10%, not '{0}'.".format(str(value)[:40])
        )
    return ("percent", amount) if percent else ("count", amount)


def removal_cap(spec, total):
    kind, amount = spec
    if kind == "percent":
        # Exact (no float rounding of 7% of 100 down to 6): the percentage as written, as a fraction.
        return int(total * Fraction(repr(amount)) / 100)
    return amount


def campaign_window(campaign):
    """(start, end) epochs of the campaign's window; None where unset."""
    return tuple(parse_schedule(str(campaign.get(key))) if campaign.get(key) else None for key in ("start_time", "end_time"))


def refusal_for(campaign, state):
    """Why the API would refuse every add (present) or removal (absent), or None."""
    verb = "added" if state == "present" else "removed"
    if campaign.get("dynamic") is False:
        return "customers cannot be {0}: it is not a dynamic campaign.".format(verb)
    if campaign.get("enabled") is False:
        return "customers cannot be changed: the campaign is not enabled."
    if state == "present" and campaign["status"] == "new":
        return "customers cannot be added: the campaign has not started (status new); start it first (campaign_status: running)."
    if campaign["status"] == "stopped":
        return "customers cannot be {0}: the campaign is stopped.".format(verb)
    return None


class Plan:
    """What a run will do: the valid input, the campaign, its records before the first write, the removals.

    suppress_removals: records of suppressed customers to delete; reschedules: positions of held customers
    to delete and add again with their declared schedule; elsewhere: positions the add phase leaves to others
    (the reschedules, and held records that cannot be deleted to reschedule them, counted in the plan)."""

    def __init__(self, index, campaign, snapshot, removals, suppress_removals=(), reschedules=(), elsewhere=frozenset()):
        self.index = index
        self.campaign = campaign
        self.snapshot = snapshot
        self.removals = removals
        self.kept = 0
        self.suppress_removals = suppress_removals
        self.reschedules = reschedules
        self.elsewhere = elsewhere


class Planner:
    """Builds the Plan of a run; raises before any write when the run cannot go ahead."""

    def __init__(self, run):
        self.run = run
        self.kept = 0

    def plan(self):
        run = self.run
        hours = run.options.calling_hours
        # Every row is checked before the first HTTP call; the campaign's window only once it was read. Calling
        # hours without a zone of their own take the campaign's: then the campaign is read first.
        campaign = self.campaign_zone(hours) if hours is not None and hours.zone is None else None
        index = self.validate()
        self.refuse_invalid(index)
        if campaign is None:
            campaign = self.read_campaign()
        if apply_window(index, self.validator, campaign_window(campaign), self.record_invalid):
            self.refuse_invalid(index)
        snapshot, removals, declared = None, [], DeclaredState(run, index, self.suppressed)
        if run.client.can_read:
            run.progress.start_phase("reading", campaign.get("records_count") or 0)
            schedules = {}
            snapshot = run.campaigns.snapshot(
                run.campaign_id, expected=campaign.get("records_count"), schedules_of=declared.wanted_schedules(), schedules=schedules
            )
            declared.schedules = schedules
            if run.options.exclusive:
                removals = self.exclusive_removals(index, snapshot)
        plan = declared.plan(Plan(index, campaign, snapshot, removals))
        plan.kept = self.kept
        return plan

    def campaign_zone(self, hours):
        campaign = self.read_campaign()
        hours.use_zone(campaign.get("timezone"), "campaign {0}".format(self.run.campaign_id))
        return campaign

    def validate(self):
        run = self.run
        run.progress.start_phase("validating", 0)
        self.suppressed = read_suppressed(run.options.suppressed_customers, run.options.suppressed_file)
        self.validator = RowValidator(time.time(), (None, None), run.options.state == "present", run.options.calling_hours)
        index = scan(run.source, self.validator, self.record_invalid, tick=run.progress.update)
        suppress_declared(index, self.suppressed, run.tally)
        run.tally.counts["requested"] = index.requested
        run.tally.counts["duplicates"] = index.duplicates
        return index

    def record_invalid(self, origin, raw_id, reason, raw_schedule=None, raw_zone=None):
        cid = None if raw_id is None else str(raw_id).strip()
        self.run.tally.refuse(cid, origin, "{0}: {1}".format(origin_text(origin), reason), raw_schedule, raw_zone)

    def refuse_invalid(self, index):
        self.run.tally.counts["requested"] = index.requested
        if index.invalid and not self.run.options.allow_partial:
            raise self.run.failure(self.run.report.invalid_message(index))

    def read_campaign(self):
        run = self.run
        if not run.client.can_read:
            run.warn(
                "Campaign {0}: no data_token, so the campaign and its records cannot be read:"
                " schedules are not checked against its window, results whose outcome is ambiguous cannot be"
                " read back{1}.".format(run.campaign_id, " and check mode cannot predict changes" if run.check_mode else "")
            )
            return {}
        campaign = run.campaigns.get(run.campaign_id)
        refusal = refusal_for(campaign, run.options.state)
        if refusal and run.check_mode and campaign["status"] == "new":
            if not run.options.assume_started:
                run.warn("Campaign {0}: {1} In check mode this is a warning: an earlier task may start it.".format(run.campaign_id, refusal))
        elif refusal:
            raise CampaignError(run.campaign_id, refusal)
        return campaign

    def exclusive_removals(self, index, snapshot):
        """Undeclared records: deletable ones to remove, the rest kept. A declared customer is never removed,
        whatever its row's validity."""
        declared = set(index.ids)
        declared.update(index.declared_invalid)
        # Suppressed customers are removed as such (DeclaredState), never twice.
        declared.update(self.suppressed)
        removals = []
        for cid, status in snapshot.items():
            if cid in declared:
                continue
            if status in DELETABLE_RECORD_CODES:
                removals.append(cid)
            else:
                self.run.tally.counts[KEPT_NOT_DELETABLE] += 1
                self.kept += 1
        del declared
        cap = removal_cap(self.run.options.max_removals, len(snapshot))
        if len(removals) > cap:
            raise CampaignError(
                self.run.campaign_id,
                (
                    "exclusive would remove {0} record(s) not declared in the input, more than max_removals allows ({1} of"
                    " the campaign's {2} records); nothing was removed. Check the input, or raise max_removals."
                ).format(len(removals), cap, len(snapshot)),
            )
        return sorted(removals)


def suppress_declared(index, suppressed, tally):
    """Declared rows of suppressed customers are never sent: out of the requested, counted `suppressed`."""
    if not suppressed:
        return
    ids = index.ids
    for position in list(index.positions()):
        if ids[position] in suppressed:
            index.skip.add(position)
            tally.note(SUPPRESSED, ids[position])


def shown_schedule(text):
    """A record's schedule as the read shows it, as RFC 3339 UTC text ('' for none), like a declared one."""
    text = (text or "").strip()
    return (read_schedule(text)[1] or text) if text else ""


class DeclaredState:
    """Suppression and reschedules: what the snapshot makes of the declared customers beyond their presence.

    schedules: {customer id: schedule text} of held customers with a declared schedule whose record the read
    shows a schedule field for ('' when it is empty); a customer missing from it: the read does not show it.
    """

    def __init__(self, run, index, suppressed):
        self.run = run
        self.index = index
        self.suppressed = suppressed
        self.schedules = {}

    def wanted_schedules(self):
        """Customers whose records' schedules the read should keep: the scheduled rows, when rescheduling."""
        index = self.index
        if not self.run.options.reschedule or index.schedule_refs is None:
            return frozenset()
        return frozenset(index.ids[p] for p in index.positions() if index.schedule(p))

    def plan(self, plan):
        plan.suppress_removals = self.suppress_removals(plan.snapshot)
        if plan.snapshot is not None and self.index.schedule_refs is not None:
            plan.reschedules, plan.elsewhere = self.reschedules(plan.snapshot)
        return plan

    def suppress_removals(self, snapshot):
        """Held suppressed records that can be deleted; all suppressed ids without a snapshot (blind deletes)."""
        if snapshot is None:
            return sorted(self.suppressed)
        removals = []
        for cid in sorted(self.suppressed):
            status = snapshot.get(cid)
            if status in DELETABLE_RECORD_CODES:
                removals.append(cid)
            elif status is not None:
                self.run.tally.counts[KEPT_NOT_DELETABLE] += 1
        return removals

    def reschedules(self, snapshot):
        """(positions to reschedule, positions the add phase leaves alone) of held customers with a schedule."""
        index, tally, rescheduling = self.index, self.run.tally, self.run.options.reschedule
        positions, elsewhere, unshown = [], set(), 0
        for position in index.positions():
            cid, text = index.ids[position], index.schedule(position)
            if not text or cid not in snapshot:
                continue
            if not rescheduling:
                tally.note(SCHEDULE_NOT_APPLIED, cid)
            elif cid in self.schedules and shown_schedule(self.schedules[cid]) == text:
                continue
            elif snapshot[cid] not in DELETABLE_RECORD_CODES:
                elsewhere.add(position)
                tally.take(not_reschedulable(cid, index.origins[position], text, snapshot[cid]))
            else:
                positions.append(position)
                elsewhere.add(position)
                unshown += cid not in self.schedules
        self.warn_unshown(unshown)
        return positions, elsewhere

    def warn_unshown(self, unshown):
        if unshown:
            self.run.warn(
                "Campaign {0}: the records read does not show when {1} held customer(s) are scheduled (8x8's documented read has no"
                " schedule field), so they are rescheduled on every run, even when their schedule is already the declared one.".format(
                    self.run.campaign_id, unshown
                )
            )


def not_reschedulable(cid, origin, text, status):
    return item(NOT_DELETABLE, cid, origin, message=not_deletable_message(status), schedule=text, purpose=RESCHEDULE_DELETE)


def predict(run, plan):
    """Check mode: the counts a run would reach, from the snapshot; nothing is sent."""
    if plan.snapshot is None:
        return
    snapshot, take, index = plan.snapshot, run.tally.take, plan.index
    if run.options.state == "present":
        for position in index.positions():
            if position not in plan.elsewhere:
                take(item(ALREADY_PRESENT if index.ids[position] in snapshot else ADDED, index.ids[position], index.origins[position]))
        for position in plan.reschedules:
            take(item(ADDED, index.ids[position], index.origins[position], schedule=index.schedule(position), purpose=RESCHEDULE))
        for cid in plan.removals:
            take(item(REMOVED, cid, None))
        for cid in plan.suppress_removals:
            take(item(REMOVED, cid, None, purpose=SUPPRESS))
        return
    for cid, _text, origin in unique_rows(index):
        take(predicted_removal(cid, origin, snapshot.get(cid)))


def predicted_removal(cid, origin, status):
    if status is None:
        return item(ALREADY_ABSENT, cid, origin)
    if status in DELETABLE_RECORD_CODES:
        return item(REMOVED, cid, origin)
    return item(NOT_DELETABLE, cid, origin, message=not_deletable_message(status))


def not_deletable_message(status):
    state = RECORD_STATUSES.get(status, "in an unknown status")
    return "the record is {0}; only new, queued or scheduled records can be deleted".format(state)

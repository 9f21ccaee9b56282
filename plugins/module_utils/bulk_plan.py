# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan stage of a bulk run: options, input validation, the campaign read, the snapshot, exclusive removals.

Everything here happens before the first write. Check mode stops after this
stage and reports the plan's predicted counts (`predict`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import time

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ADDED,
    ALREADY_ABSENT,
    ALREADY_PRESENT,
    INVALID,
    KEPT_NOT_DELETABLE,
    NOT_DELETABLE,
    REMOVED,
    item,
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
OUTPUT_OPTIONS = ("failed_records_path", "progress_path")


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
        self.check(can_read, params.get("max_removals"))
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


def check_output_paths(prefix, params):
    """An output file is never an input, a directory, or in a missing directory."""
    inputs = [params["customers_file"]] if params.get("customers_file") else []
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
        return int(total * amount / 100.0)
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
    """What a run will do: the valid input, the campaign, its records before the first write, the removals."""

    def __init__(self, index, campaign, snapshot, removals):
        self.index = index
        self.campaign = campaign
        self.snapshot = snapshot
        self.removals = removals


class Planner:
    """Builds the Plan of a run; raises before any write when the run cannot go ahead."""

    def __init__(self, run):
        self.run = run

    def plan(self):
        run = self.run
        # Every row is checked before the first HTTP call; the campaign's window only once it was read.
        index = self.validate()
        self.refuse_invalid(index)
        campaign = self.read_campaign()
        if apply_window(index, self.validator, campaign_window(campaign), self.record_invalid):
            self.refuse_invalid(index)
        snapshot, removals = None, []
        if run.client.can_read:
            run.progress.start_phase("reading", campaign.get("records_count") or 0)
            snapshot = run.campaigns.snapshot(run.campaign_id, expected=campaign.get("records_count"))
            if run.options.exclusive:
                removals = self.exclusive_removals(index, snapshot)
        return Plan(index, campaign, snapshot, removals)

    def validate(self):
        run = self.run
        run.progress.start_phase("validating", 0)
        self.validator = RowValidator(time.time(), (None, None), run.options.state == "present")
        index = scan(run.source, self.validator, self.record_invalid, tick=run.progress.update)
        run.tally.counts["requested"] = index.requested
        run.tally.counts["duplicates"] = index.duplicates
        return index

    def record_invalid(self, origin, raw_id, reason):
        self.run.tally.take(item(INVALID, None if raw_id is None else str(raw_id).strip(), origin, message="{0}: {1}".format(origin_text(origin), reason)))

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
            run.warn("Campaign {0}: {1} In check mode this is a warning: an earlier task may start it.".format(run.campaign_id, refusal))
        elif refusal:
            raise CampaignError(run.campaign_id, refusal)
        return campaign

    def exclusive_removals(self, index, snapshot):
        """Undeclared records: deletable ones to remove, the rest kept. A declared customer is never removed,
        whatever its row's validity."""
        declared = set(index.ids)
        declared.update(index.declared_invalid)
        removals = []
        for cid, status in snapshot.items():
            if cid in declared:
                continue
            if status in DELETABLE_RECORD_CODES:
                removals.append(cid)
            else:
                self.run.tally.counts[KEPT_NOT_DELETABLE] += 1
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


def predict(run, plan):
    """Check mode: the counts a run would reach, from the snapshot; nothing is sent."""
    if plan.snapshot is None:
        return
    snapshot, take = plan.snapshot, run.tally.take
    if run.options.state == "present":
        for cid, _text, origin in unique_rows(plan.index):
            take(item(ALREADY_PRESENT if cid in snapshot else ADDED, cid, origin))
        for cid in plan.removals:
            take(item(REMOVED, cid, None))
        return
    for cid, _text, origin in unique_rows(plan.index):
        take(predicted_removal(cid, origin, snapshot.get(cid)))


def predicted_removal(cid, origin, status):
    if status is None:
        return item(ALREADY_ABSENT, cid, origin)
    if status in DELETABLE_RECORD_CODES:
        return item(REMOVED, cid, origin)
    state = RECORD_STATUSES.get(status, "in an unknown status")
    return item(NOT_DELETABLE, cid, origin, message="the record is {0}; only new, queued or scheduled records can be deleted".format(state))

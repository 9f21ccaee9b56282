# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bulk add and remove of customers in a dynamic campaign.

One run: check the options, read the campaign (data_token), validate the
whole input in a streaming pass, read the campaign's records once (the
snapshot every result is classified against), then stream batches to a pool
of workers. Adds are POSTed in batches; removals are one DELETE each.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
import time
from itertools import islice

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import (
    CampaignService,
    campaign_path,
    records_read_path,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.codes import (
    DELETABLE_RECORD_CODES,
    RECORD_STATUSES,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    CustomerInput,
    RowValidator,
    apply_window,
    origin_text,
    parse_schedule,
    scan,
    unique_rows,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_results import (
    REFUSED,
    FailureWriter,
    Progress,
    Tally,
    all_added,
    classify_add,
    classify_delete,
    item_status,
    normal_id,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_transport import (
    Feed,
    Throttle,
    parse_records,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    CampaignError,
    DynamicCampaignsError,
    NotFoundError,
    TransportError,
    ValidationError,
)

MAX_MESSAGE_ERRORS = 10
MAX_206_RESENDS = 3
# A run stops when this many batches in a row got no usable answer at all.
MAX_DEAD_BATCHES = 10
# Bounds of the tuning options: a batch above ~1 MB of JSON or hundreds of threads helps no one.
MAX_BATCH_SIZE = 10000
MAX_WORKERS = 64


class BulkFailure(DynamicCampaignsError):
    """The run ended with failed items (or invalid rows); carries the whole result."""

    def __init__(self, message, result, changed):
        super(BulkFailure, self).__init__(message)
        self.result = result
        self.changed = changed

    def result_fields(self):
        fields = dict(self.result)
        fields["changed"] = self.changed
        return fields


class BulkOptions:
    """The module's options, checked before any HTTP call."""

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
        self.max_removals = parse_max_removals(params.get("max_removals"))
        self.check(can_read)

    def check(self, can_read):
        prefix = "Campaign {0}: ".format(self.campaign_id)
        for name, most in (("batch_size", MAX_BATCH_SIZE), ("workers", MAX_WORKERS)):
            value = getattr(self, name)
            if not 1 <= value <= most:
                raise ValidationError(prefix + "{0} must be from 1 to {1}, not {2}.".format(name, most, value))
        if self.max_rate is not None and self.max_rate <= 0:
            raise ValidationError(prefix + "max_requests_per_second must be more than 0.")
        if self.exclusive and self.state != "present":
            raise ValidationError(prefix + "exclusive applies to state=present only.")
        if self.exclusive and not can_read:
            raise ValidationError(prefix + "exclusive needs data_token to read the campaign's records.")


def parse_max_removals(value):
    """('count', n) or ('percent', p) from 500, '500' or '10%'."""
    text = "10%" if value is None else str(value).strip()
    number = text[:-1].strip() if text.endswith("%") else text
    try:
        amount = float(number) if text.endswith("%") else int(number)
    except ValueError:
        amount = -1
    if amount < 0:
        raise ValidationError("max_removals must be a number of records or a percentage such as 10%, not '{0}'.".format(value))
    return ("percent", amount) if text.endswith("%") else ("count", amount)


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


def records_path(campaign_id):
    return campaign_path(campaign_id) + "/customers"


class CustomerService:
    """campaign_customer's service: validation, snapshot, batches, counts."""

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
            return run.execute()
        finally:
            run.close()

    def read_snapshot(self, campaign_id):
        """{customer id: record status code} of every record of the campaign."""
        path = records_read_path(campaign_id)
        for attempt in (1, 2):
            try:
                snapshot = {}
                snapshot.update(parse_records(self.client.stream_json_chunks(path)))
                return snapshot
            except TransportError:
                if attempt == 2:
                    raise
            except NotFoundError as exc:
                raise CampaignError(campaign_id, "not found", exc)
        return {}

    def post_batch(self, campaign_id, data, on_retry):
        """POST a batch whose JSON body is encoded already (bytes)."""
        return self.client.request(
            "POST",
            records_path(campaign_id),
            "action",
            data=data,
            retry=self.client.write_policy(retry_unanswered=True),
            accept=(400, 404, 409, 413, 500),
            on_retry=on_retry,
        )

    def delete_customer(self, campaign_id, cid, on_retry):
        return self.client.request(
            "DELETE",
            "{0}/{1}".format(records_path(campaign_id), cid),
            "action",
            retry=self.client.write_policy(retry_unanswered=True),
            accept=(400, 404, 500),
            on_retry=on_retry,
        )


class Attempt:
    """What the retries of one request tell: ambiguity and rate limiting."""

    def __init__(self, throttle):
        self.throttle = throttle
        self.ambiguous = False

    def on_retry(self, outcome):
        if getattr(outcome, "status_code", None) == 429:
            self.throttle.rate_limited()
        else:
            # A lost answer, a reset or a 5xx may hide a write the server applied.
            self.ambiguous = True
        self.throttle.pace()


class BulkRun:
    """State of one sync: options, snapshot, tally, progress, worker pool."""

    def __init__(self, service, options, source, check_mode, warn, started):
        self.service = service
        self.client = service.client
        self.options = options
        self.source = source
        self.check_mode = check_mode
        self.warn = warn
        self.started = started
        self.campaign_id = options.campaign_id
        self.writer = FailureWriter(options.failed_records_path) if options.failed_records_path else None
        self.tally = Tally(self.writer)
        self.progress = Progress(options.progress_path, self.campaign_id, options.state)
        self.throttle = Throttle(options.workers, options.max_rate)
        self.batch_size = options.batch_size
        self.snapshot = None
        self.unknown = []
        self.stray_results = 0
        self.dead_batches = 0
        self.exclusive_removals = []
        self.warned = set()
        # Guards the tally and the feed of batches, shared by the worker threads.
        self.lock = threading.RLock()
        self.index = None

    def close(self):
        if self.writer is not None:
            self.writer.close()

    def execute(self):
        # Every row is checked before the first HTTP call; the campaign's window only once it was read.
        index = self.validate()
        self.refuse_invalid(index)
        campaign = self.read_campaign()
        if apply_window(index, self.validator, campaign_window(campaign), self.record_invalid):
            self.tally.counts["requested"] = index.requested
            self.refuse_invalid(index)
        if self.client.can_read:
            self.progress.start_phase("reading", campaign.get("records_count") or 0)
            self.snapshot = self.service.read_snapshot(self.campaign_id)
            if self.options.exclusive:
                self.plan_exclusive(index)
        self.apply(index)
        return self.outcome()

    def read_campaign(self):
        if not self.client.can_read:
            self.warn_once(
                "no_read",
                "Campaign {0}: no data_token, so the campaign and its records cannot be read:"
                " schedules are not checked against its window, results whose outcome is ambiguous are"
                " counted as uncertain{1}.".format(self.campaign_id, " and check mode cannot predict changes" if self.check_mode else ""),
            )
            return {}
        campaign = self.service.campaigns.get(self.campaign_id)
        refusal = refusal_for(campaign, self.options.state)
        if refusal and self.check_mode and campaign["status"] == "new":
            self.warn("Campaign {0}: {1} In check mode this is a warning: an earlier task may start it.".format(self.campaign_id, refusal))
        elif refusal:
            raise CampaignError(self.campaign_id, refusal)
        return campaign

    def refuse_invalid(self, index):
        if index.invalid and not self.options.allow_partial:
            raise self.failure(self.invalid_message(index))

    def validate(self):
        self.progress.start_phase("validating", 0)
        self.validator = RowValidator(time.time(), (None, None), self.options.state == "present")
        index = scan(self.source, self.validator, self.record_invalid, tick=self.progress.update)
        self.tally.counts["requested"] = index.requested
        self.tally.counts["duplicates"] = index.duplicates
        return index

    def record_invalid(self, origin, raw_id, reason):
        self.tally.add("invalid", None if raw_id is None else str(raw_id).strip(), origin, None, "{0}: {1}".format(origin_text(origin), reason))

    def invalid_message(self, index):
        texts = [failure["message"] for failure in self.tally.failures[:MAX_MESSAGE_ERRORS]]
        more = index.invalid - len(texts)
        return "Campaign {0}: {1} invalid row(s) in {2}; nothing was sent. {3}{4}".format(
            self.campaign_id, index.invalid, self.input_name(), "; ".join(texts), " (and {0} more{1})".format(more, self.where_all()) if more > 0 else ""
        )

    def input_name(self):
        names = []
        if self.source.customers:
            names.append("customers")
        if self.source.path:
            names.append("customers_file {0}".format(self.source.path))
        return " and ".join(names) or "the input"

    def where_all(self):
        return "; all in failed_records_path" if self.writer else "; set failed_records_path to get them all"

    def warn_once(self, key, text):
        if key not in self.warned:
            self.warned.add(key)
            self.warn(text)

    def plan_exclusive(self, index):
        """Undeclared records: deletable ones to remove, the rest kept."""
        declared = set(index.ids)
        removals = []
        for cid, status in self.snapshot.items():
            if cid in declared:
                continue
            if status in DELETABLE_RECORD_CODES:
                removals.append(cid)
            else:
                self.tally.counts["kept_not_deletable"] += 1
        del declared
        cap = removal_cap(self.options.max_removals, len(self.snapshot))
        if len(removals) > cap:
            raise CampaignError(
                self.campaign_id,
                (
                    "exclusive would remove {0} record(s) not declared in the input, more than max_removals allows ({1} of"
                    " the campaign's {2} records); nothing was removed. Check the input, or raise max_removals."
                ).format(len(removals), cap, len(self.snapshot)),
            )
        self.exclusive_removals = sorted(removals)

    def apply(self, index):
        self.index = index
        if self.options.state == "present":
            self.progress.start_phase("adding", index.requested)
            self.run_adds(index)
            if self.exclusive_removals:
                self.progress.start_phase("removing", len(self.exclusive_removals))
                self.run_deletes((cid, None) for cid in self.exclusive_removals)
        else:
            self.progress.start_phase("removing", index.requested)
            self.run_deletes((cid, origin) for cid, _text, origin in unique_rows(index))
        self.settle_unknown()

    # ------------------------------------------------------------ adds
    def run_adds(self, index):
        if self.check_mode:
            return self.predict_adds(index)
        return self.pump(self.add_batches(index), self.send_adds)

    def predict_adds(self, index):
        if self.snapshot is None:
            return
        for cid, _text, origin in unique_rows(index):
            self.tally.add("already_present" if cid in self.snapshot else "added", cid, origin)

    def add_batches(self, index):
        """Batches of positions to POST, `batch_size` (which a 413 may lower) at a time."""
        positions = index.positions()
        if self.snapshot is not None:
            positions = self.not_present(positions, index.ids)
        if isinstance(positions, range):
            start = 0
            while start < len(positions):
                yield positions[start : start + self.batch_size]
                start += self.batch_size
            return
        positions = iter(positions)
        batch = list(islice(positions, self.batch_size))
        while batch:
            yield batch
            batch = list(islice(positions, self.batch_size))

    def not_present(self, positions, ids):
        """Positions of customers the snapshot does not hold; the others are counted, not sent."""
        snapshot, counts = self.snapshot, self.tally.counts
        for position in positions:
            if ids[position] in snapshot:
                counts["already_present"] += 1
            else:
                yield position

    def send_adds(self, batch):
        """Worker: POST one batch (split on 413); the per-item results not yet counted."""
        texts = [str(self.index.ids[position]) for position in batch]
        response, ambiguous = self.post_until_answered(add_body(texts, self.schedules(batch)))
        if response is None:
            return self.unanswered(batch)
        if response.status == 413 and len(batch) > 1:
            half = len(batch) // 2
            self.batch_size = min(self.batch_size, half)
            return self.send_adds(batch[:half]) + self.send_adds(batch[half:])
        if response.status >= 400:
            return self.refused_add(batch, response)
        self.dead_batches = 0
        if all_added(response.body, texts):
            with self.lock:
                self.tally.add_added(texts)
            return []
        return self.match_items(batch, texts, response.body, ambiguous)

    def schedules(self, batch):
        if self.index.schedule_refs is None:
            return None
        return [self.index.schedule(position) for position in batch]

    def row(self, position):
        """(id, origin, schedule text) of the row at a position of the input."""
        index = self.index
        return index.ids[position], index.origins[position], index.schedule(position)

    def post_until_answered(self, data):
        """POST; a 206 (outcome unknown) is sent again, so duplicates then mean 'ours'."""
        ambiguous = False
        for _resend in range(MAX_206_RESENDS + 1):
            response, unclear = self.call(self.service.post_batch, self.campaign_id, data)
            ambiguous = ambiguous or unclear
            if response is None or response.status != 206:
                return response, ambiguous
            ambiguous = True
        return None, True

    def call(self, method, *args):
        """One request through the throttle; (Response or None if unanswered, ambiguous)."""
        attempt = Attempt(self.throttle)
        self.throttle.acquire()
        try:
            response = method(*(args + (attempt.on_retry,)))
        except TransportError:
            return None, True
        except ApiError as exc:
            if exc.status in (429, 502, 503, 504):
                return None, True
            raise CampaignError(self.campaign_id, "the request failed", exc)
        finally:
            self.throttle.release()
        self.throttle.answered()
        return response, attempt.ambiguous

    def unanswered(self, batch):
        self.dead_batches += 1
        if self.dead_batches >= MAX_DEAD_BATCHES:
            raise CampaignError(
                self.campaign_id,
                "{0} requests in a row got no usable answer after retries; the run"
                " stopped. Run the task again to finish: it reaches the declared state.".format(MAX_DEAD_BATCHES),
            )
        return [("unknown", cid, origin, None, "no answer after retries", text) for cid, origin, text in map(self.row, batch)]

    def refused_add(self, batch, response):
        if response.status == 413:
            message = response.message or "Request entity too large"
            return [("failed", cid, origin, 413, message, text) for cid, origin, text in map(self.row, batch)]
        raise CampaignError(
            self.campaign_id,
            "adding customers was refused: {0}".format(response.message or "HTTP {0}".format(response.status)),
            ApiError("POST", records_path(self.campaign_id), response.status, response.message),
        )

    def match_items(self, batch, texts, items, ambiguous):
        """Match 207 items to the sent rows by customer id and classify them."""
        sent = dict(zip(texts, batch))
        results = []
        for item in items if isinstance(items, list) else ():
            position = sent.pop(normal_id(item.get("customer-id")) if isinstance(item, dict) else None, None)
            if position is None:
                self.stray_results += 1
                continue
            cid, origin, text = self.row(position)
            status, message = item_status(item.get("http-status")), item.get("message")
            known = None if self.snapshot is None else cid in self.snapshot
            results.append((classify_add(status, message, ambiguous, known), cid, origin, status, message, text))
        for cid, origin, text in map(self.row, sent.values()):
            results.append(("unknown", cid, origin, None, "the API's answer had no result for this customer", text))
        return results

    # ------------------------------------------------------------ deletes
    def run_deletes(self, customers):
        if self.check_mode:
            return self.predict_deletes(customers)
        return self.pump(self.delete_units(customers), self.send_deletes)

    def predict_deletes(self, customers):
        for cid, origin in customers:
            if self.snapshot is not None:
                self.tally_delete_prediction(cid, origin)

    def tally_delete_prediction(self, cid, origin):
        status = self.snapshot.get(cid)
        if status is None:
            self.tally.add("already_absent", cid, origin)
        elif status in DELETABLE_RECORD_CODES:
            self.tally.add("removed", cid, origin)
        else:
            self.add_not_deletable(
                cid,
                origin,
                None,
                "the record is {0}; only new, queued or scheduled records can be deleted".format(RECORD_STATUSES.get(status, "in an unknown status")),
            )

    def add_not_deletable(self, cid, origin, http_status, message):
        if origin is None:
            self.tally.add("kept_not_deletable", cid)
        else:
            self.tally.add("not_deletable", cid, origin, http_status, message)

    def delete_units(self, customers):
        """Groups of customers, one group per worker task; absent ones are counted, not sent."""
        unit = []
        for cid, origin in customers:
            if self.snapshot is not None and cid not in self.snapshot:
                self.tally.add("already_absent", cid, origin)
                continue
            unit.append((cid, origin))
            if len(unit) >= self.batch_size:
                yield unit
                unit = []
        if unit:
            yield unit

    def send_deletes(self, unit):
        return [self.send_delete(cid, origin) for cid, origin in unit]

    def send_delete(self, cid, origin):
        ambiguous = False
        for _resend in range(MAX_206_RESENDS + 1):
            response, unclear = self.call(self.service.delete_customer, self.campaign_id, cid)
            ambiguous = ambiguous or unclear
            if response is None:
                return "unknown", cid, origin, None, "no answer after retries", None
            if response.status != 206:
                break
            ambiguous = True
        else:
            return "unknown", cid, origin, 206, "the API answered 206 (outcome unknown) every time", None
        known = None if self.snapshot is None else cid in self.snapshot
        category = classify_delete(response.status, response.message, ambiguous, known)
        if category == REFUSED:
            raise CampaignError(self.campaign_id, "removing customer {0} was refused: {1}".format(cid, response.message or "HTTP {0}".format(response.status)))
        return category, cid, origin, response.status, response.message, None

    # ------------------------------------------------------------ pool
    def pump(self, units, work):
        """Run work(unit) on `workers` long-lived threads pulling from one feed; take the results."""
        feed = Feed(units, self.lock)
        threads = [threading.Thread(target=self.drain, args=(feed, work), daemon=True) for _worker in range(self.options.workers)]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(1.0)
                    self.progress.update(self.done_count(), self.tally.counts)
        finally:
            feed.stop()
        feed.raise_error()

    def drain(self, feed, work):
        """Worker thread: units until the feed ends or any worker failed."""
        try:
            for unit in feed:
                results = work(unit)
                if results:
                    with self.lock:
                        for result in results:
                            self.take(result)
        except BaseException as exc:
            feed.fail(exc)

    def take(self, result):
        category, cid, origin, http_status, message, schedule = result
        if category == "unknown":
            self.unknown.append(result)
        elif category == "not_deletable":
            self.add_not_deletable(cid, origin, http_status, message)
        else:
            self.tally.add(category, cid, origin, http_status, message, schedule)

    def done_count(self):
        counts = self.tally.counts
        return sum(
            counts[key] for key in ("added", "already_present", "removed", "already_absent", "not_deletable", "kept_not_deletable", "uncertain", "failed")
        ) + len(self.unknown)

    # ------------------------------------------------------------ unknown outcomes
    def settle_unknown(self):
        """Outcomes the answers left open: read back with data_token, else uncertain or failed."""
        if not self.unknown:
            return
        if self.snapshot is None:
            return self.settle_blind()
        self.progress.start_phase("verifying", len(self.unknown))
        wanted = set(result[1] for result in self.unknown)
        present = set(cid for cid, _status in parse_records(self.client.stream_json_chunks(records_read_path(self.campaign_id))) if cid in wanted)
        for result in self.unknown:
            self.take(verified(result, result[1] in present, result[1] in self.snapshot, self.options.state))
        self.unknown = []

    def settle_blind(self):
        uncertain = 0
        for category, cid, origin, status, message, schedule in self.unknown:
            if message.startswith("the API's answer had no result"):
                self.tally.add("failed", cid, origin, status, message, schedule)
            else:
                uncertain += 1
                self.tally.add("uncertain", cid, origin, status, message, schedule)
        self.unknown = []
        if uncertain:
            self.warn(
                "Campaign {0}: the outcome of {1} customer(s) stayed unknown (lost answers); without data_token"
                " they cannot be read back and are counted as uncertain.".format(self.campaign_id, uncertain)
            )

    # ------------------------------------------------------------ result
    def outcome(self):
        self.progress.start_phase("done", self.done_count(), self.done_count(), self.tally.counts)
        if self.stray_results:
            self.warn(
                "Campaign {0}: {1} result(s) of the API matched no customer sent in their batch and were ignored.".format(self.campaign_id, self.stray_results)
            )
        if self.check_mode and self.snapshot is None and self.tally.counts["requested"]:
            self.warn(
                "Campaign {0}: check mode without data_token cannot read the campaign; it reports changed without knowing which customers would change.".format(
                    self.campaign_id
                )
            )
        result = self.result()
        changed = self.tally.changed or (self.check_mode and self.snapshot is None and bool(self.tally.counts["requested"]))
        if self.tally.failing and not self.options.allow_partial:
            raise BulkFailure(self.failure_message(), result, changed)
        return changed, result, self.tally.diff()

    def result(self):
        elapsed = max(self.service.clock() - self.started, 1e-6)
        summary = dict(self.tally.counts)
        handled = summary["requested"] + len(self.exclusive_removals)
        summary.update(
            elapsed=round(elapsed, 3),
            records_per_second=round(handled / elapsed, 1),
            requests=self.client.stats["requests"],
            retries=self.client.stats["retries"],
        )
        result = {
            "campaign_id": self.campaign_id,
            "state": self.options.state,
            "summary": summary,
            "failures": list(self.tally.failures),
            "failures_truncated": self.tally.failing > len(self.tally.failures),
        }
        if self.writer:
            result["failed_records_path"] = self.writer.path
        return result

    def failure(self, message):
        return BulkFailure(message, self.result(), False)

    def failure_message(self):
        counts = self.tally.counts
        texts = [
            "{0}{1}: {2}".format(
                "customer {0} ".format(f["customer_id"]) if f["customer_id"] else "",
                "(line {0})".format(f["line"]) if "line" in f else "({0})".format(f.get("item", "")),
                f["message"],
            )
            for f in self.tally.failures[:MAX_MESSAGE_ERRORS]
        ]
        return (
            "Campaign {0}: {1} customer(s) failed, {2} not deletable, {3} invalid row(s) (set allow_partial to accept partial results{4}). First: {5}"
        ).format(self.campaign_id, counts["failed"], counts["not_deletable"], counts["invalid"], self.where_all(), "; ".join(texts))


def add_body(texts, schedules):
    """The POST body as bytes; the seed types customer-id as a string of digits."""
    if not schedules or not any(schedules):
        return ('[{"customer-id":"' + '"},{"customer-id":"'.join(texts) + '"}]').encode()
    return ("[" + ",".join(map(add_item, texts, schedules)) + "]").encode()


def add_item(text, schedule):
    if schedule:
        return '{{"customer-id":"{0}","schedule-date-time":{1}}}'.format(text, json.dumps(schedule))
    return '{{"customer-id":"{0}"}}'.format(text)


def verified(result, present_now, present_before, state):
    """An unknown outcome settled by reading the campaign's records back."""
    _category, cid, origin, status, message, schedule = result
    if state == "present":
        if present_now:
            return ("already_present" if present_before else "added"), cid, origin, status, message, schedule
        return "failed", cid, origin, status, "not in the campaign when read back ({0})".format(message), schedule
    if not present_now:
        return ("removed" if present_before else "already_absent"), cid, origin, status, message, schedule
    return "failed", cid, origin, status, "still in the campaign when read back ({0})".format(message), schedule

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send stage of a bulk run: one worker pool and one `send_until_answered` for adds and deletes alike.

A request's own retries (5xx, 429, lost answers) are the client's; here a 206
(outcome unknown) is sent again, a 413 splits a batch, the pacer (rate_pacing) gives
every request its turn and a 429 a later one, and a run stops when the API refuses the whole request or
stops answering. Each customer leaves this stage as an ItemResult; those whose
outcome an answer left open are UNKNOWN and go to the settle stage.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading
from collections import namedtuple
from functools import partial
from itertools import islice

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ALREADY_ABSENT,
    ALREADY_PRESENT,
    ALWAYS_206,
    FAILED,
    RESCHEDULE,
    NO_ANSWER,
    NO_ITEM_RESULT,
    NOT_APPLIED,
    RATE_LIMITED,
    REFUSED,
    REQUEST_REFUSED,
    TOO_LARGE,
    UNKNOWN,
    all_added,
    classify_add,
    classify_delete,
    item,
    item_status,
    normal_id,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    never_sent,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    CampaignError,
    DynamicCampaignsError,
    HttpError,
    TransportError,
)

MAX_206_RESENDS = 3
# A run stops when this many requests in a row got no usable answer at all.
MAX_DEAD_REQUESTS = 10
Answer = namedtuple("Answer", "response ambiguous reason")


class RunStopped(Exception):
    """The run cannot go on (a request-level refusal, the API gone); `results` are the stopping unit's.
    `ambiguous`: an earlier attempt of the request that stopped it may have been applied; `refusal`: the
    HttpError that answered its last attempt, when one did (see Sender.send_unit)."""

    def __init__(self, cause, results=(), ambiguous=False, refusal=None):
        super(RunStopped, self).__init__(str(cause))
        self.cause = cause
        self.results = list(results)
        self.ambiguous = ambiguous
        self.refusal = refusal


class Feed:
    """One iterator of work units shared by worker threads; the first error stops them all."""

    def __init__(self, units, lock):
        self.units = iter(units)
        self.lock = lock
        self.error = None
        self.stopped = False

    def __iter__(self):
        return self

    def __next__(self):
        with self.lock:
            if self.stopped:
                raise StopIteration
            return next(self.units)

    def fail(self, error):
        with self.lock:
            if self.error is None:
                self.error = error
            self.stopped = True

    def stop(self):
        self.stopped = True

    def raise_error(self):
        if self.error is not None:
            raise self.error


class WorkerPool:
    """`workers` long-lived threads pulling units from one feed; results taken under the run's lock."""

    def __init__(self, run):
        self.run = run

    def pump(self, units, work):
        """Run work(unit) for every unit. Workers are awaited through events, not Thread.join: a signal
        handler that raises inside join() can mark a running thread as stopped (CPython), and its results
        would then be lost."""
        feed = Feed(units, self.run.lock)
        done = [threading.Event() for _worker in range(self.run.options.workers)]
        started = []
        try:
            with self.run.interruption.held():
                for event in done:
                    thread = threading.Thread(target=self.drain, args=(feed, work, event), daemon=True)
                    thread.start()
                    started.append(event)
            for event in started:
                while not event.wait(1.0):
                    self.run.tick()
        finally:
            # On an interruption too: no new unit starts, and the ones in flight are counted.
            feed.stop()
            for event in started:
                event.wait()
        feed.raise_error()

    def drain(self, feed, work, done):
        try:
            self.drain_units(feed, work)
        finally:
            done.set()

    def drain_units(self, feed, work):
        try:
            for unit in feed:
                self.take(work(unit))
        except RunStopped as exc:
            self.take(exc.results)
            feed.fail(exc)
        except DynamicCampaignsError as exc:
            feed.fail(RunStopped(exc))
        except Exception as exc:  # a defect must not lose what the other workers did
            feed.fail(RunStopped(CampaignError(self.run.campaign_id, "the run failed: {0}: {1}".format(type(exc).__name__, exc))))

    def take(self, results):
        if results:
            with self.run.lock:
                for result in results:
                    self.run.take(result)


class Attempt:
    """What the retries of one request tell: whether an attempt may have been applied."""

    def __init__(self, pacer):
        self.pacer = pacer
        self.ambiguous = False

    def on_retry(self, outcome):
        if not (isinstance(outcome, Exception) and never_sent(outcome)):
            # A lost answer, a reset or a 5xx may hide a write the server applied.
            self.ambiguous = True
        self.pacer.pace()


class Sender:
    """One request until it is answered: paced, 429 and 206 sent again, no-answer streaks stop the run."""

    def __init__(self, run):
        self.run = run
        self.dead = 0
        self.resent = 0
        # Requests given up because every attempt was answered 429 (the report says so in its message).
        self.rate_limited_out = 0
        self.lock = threading.Lock()

    def send_unit(self, rows, request, *args):
        """send_until_answered for one unit of work. A stop that brings no results of its own though its request may
        have been applied (an attempt got no answer, then the retry was refused or the API stopped answering) gives
        the unit's rows, rows(http_status, message, reason), as UNKNOWN: the settle stage reads them back or counts
        them uncertain. Any other stop leaves the unit as it is (not sent)."""
        try:
            return self.send_until_answered(request, *args)
        except RunStopped as stop:
            if stop.ambiguous and not stop.results:
                stop.results = rows(*left_open(stop.refusal))
            raise

    def send_until_answered(self, request, *args):
        """Answer(response or None, ambiguous, reason); a 206 is sent again, so duplicates then mean 'ours'."""
        ambiguous = False
        for _resend in range(MAX_206_RESENDS + 1):
            try:
                response, unclear, limited = self.call(request, *args)
            except RunStopped as stop:
                # A stop at a resend of a 206: the first send may have been applied.
                stop.ambiguous = stop.ambiguous or ambiguous
                raise
            ambiguous = ambiguous or unclear
            if response is None:
                reason = NO_ANSWER if ambiguous else (RATE_LIMITED if limited else NOT_APPLIED)
                self.count_dead(reason, ambiguous)
                return Answer(None, ambiguous, reason)
            if response.status != 206:
                with self.lock:
                    self.dead = 0
                return Answer(response, ambiguous, None)
            ambiguous = True
        return Answer(None, True, ALWAYS_206)

    def call(self, request, *args):
        """One request in the pacer's turn, a 429 sent again in a later one; (Response or None if unanswered,
        ambiguous, whether it was given up on 429s).

        The 429s are the pacer's (the client does not retry them here), within the client's
        max_retries and retry_max_time; the other transient failures are the client's.
        """
        pacer, client = self.run.pacer, self.run.client
        attempt, started, not_before = Attempt(pacer), pacer.clock(), None
        for tries in range(1, max(1, client.max_retries) + 1):
            response = self.attempt(pacer, attempt, not_before, request, args)
            if response is None or response.status != 429:
                return response, attempt.ambiguous, False
            wait = pacer.rate_limited(response.headers, tries)
            if tries >= client.max_retries or pacer.clock() + wait - started > client.retry_max_time:
                break
            not_before = pacer.clock() + wait
            with self.lock:
                self.resent += 1
        with self.lock:
            self.rate_limited_out += 1
        return None, attempt.ambiguous, True

    def attempt(self, pacer, attempt, not_before, request, args):
        """One request (with the client's own retries); None when it got no usable answer."""
        pacer.acquire(not_before)
        try:
            response = request(*(args + (attempt.on_retry,)))
        except TransportError as exc:
            attempt.ambiguous = attempt.ambiguous or exc.sent
            return None
        except HttpError as exc:
            # Any error status the request does not accept, 401 and 403 (AuthenticationError) included.
            if exc.status in (429, 502, 503, 504):
                attempt.ambiguous = attempt.ambiguous or exc.status != 429
                return None
            raise RunStopped(CampaignError(self.run.campaign_id, "the request failed", exc), ambiguous=attempt.ambiguous, refusal=exc)
        finally:
            pacer.release()
        if response.status != 429:
            pacer.answered(response.headers)
        return response

    def count_dead(self, reason=None, ambiguous=False):
        """One more request with no usable answer; the last of MAX_DEAD_REQUESTS in a row stops the run (ambiguous:
        that request may have been applied)."""
        with self.lock:
            self.dead += 1
            if self.dead < MAX_DEAD_REQUESTS:
                return
        why = "the API answered 429 (rate limited) to every attempt" if reason == RATE_LIMITED else "the API is unreachable or overloaded"
        text = "{0} requests in a row got no usable answer after retries ({1})".format(MAX_DEAD_REQUESTS, why)
        raise RunStopped(CampaignError(self.run.campaign_id, text), ambiguous=ambiguous)


class AddSender:
    """POSTs batches of positions of the input; a 413 splits the batch and lowers later batches.

    By default the input's rows but those another phase handles (plan.elsewhere) and those the snapshot
    holds; with `positions` (the re-adds of reschedules, whose records were just deleted) exactly those."""

    def __init__(self, run, sender, plan, positions=None, purpose=None):
        self.run = run
        self.sender = sender
        self.index = plan.index
        self.snapshot = plan.snapshot
        self.elsewhere = plan.elsewhere
        self.positions = positions
        self.purpose = purpose
        self.batch_size = run.options.batch_size

    def batches(self):
        positions = self.positions
        if positions is None:
            positions = (p for p in self.index.positions() if p not in self.elsewhere) if self.elsewhere else self.index.positions()
            if self.snapshot is not None:
                positions = self.not_present(positions)
        positions = iter(positions)
        batch = list(islice(positions, self.batch_size))
        while batch:
            yield batch
            batch = list(islice(positions, self.batch_size))

    def not_present(self, positions):
        """Positions of customers the snapshot does not hold; the others are counted, not sent."""
        snapshot, ids, counts = self.snapshot, self.index.ids, self.run.tally.counts
        for position in positions:
            if ids[position] in snapshot:
                counts[ALREADY_PRESENT] += 1
            else:
                yield position

    def send(self, batch):
        texts = [str(self.index.ids[position]) for position in batch]
        body = add_body(texts, self.schedules(batch))
        answer = self.sender.send_unit(partial(self.rows, batch, UNKNOWN), self.run.service.post_batch, self.run.campaign_id, body)
        response = answer.response
        if response is None:
            return self.rows(batch, UNKNOWN if answer.ambiguous else FAILED, None, answer_text(answer.reason), answer.reason)
        if response.status == 413 and len(batch) > 1:
            half = len(batch) // 2
            self.batch_size = min(self.batch_size, half)
            return carried(self.send(batch[:half]), partial(self.send, batch[half:]))
        if response.status == 413:
            return self.rows(batch, FAILED, 413, response.message or "Request entity too large", TOO_LARGE)
        if response.status >= 400:
            self.refused(batch, response, answer.ambiguous)
        if all_added(response.body, texts):
            with self.run.lock:
                self.run.tally.add_added(texts, self.purpose)
            return []
        return self.match_items(batch, texts, response.body, answer.ambiguous)

    def schedules(self, batch):
        if self.index.schedule_refs is None:
            return None
        return [self.index.schedule(position) for position in batch]

    def rows(self, batch, outcome, http_status, message, reason):
        index = self.index
        return [item(outcome, index.ids[p], index.origins[p], http_status, message, index.schedule(p), reason, self.purpose) for p in batch]

    def refused(self, batch, response, ambiguous):
        message = response.message or "HTTP {0}".format(response.status)
        path = self.run.service.records_path(self.run.campaign_id)
        cause = CampaignError(
            self.run.campaign_id,
            "adding customers was refused: {0}".format(message),
            ApiError("POST", path, response.status, response.message, url=self.run.client.url_of(path)),
        )
        raise RunStopped(cause, self.rows(batch, UNKNOWN if ambiguous else FAILED, response.status, message, REQUEST_REFUSED))

    def match_items(self, batch, texts, items, ambiguous):
        """Match 207 items to the sent rows by customer id and classify them."""
        sent = dict(zip(texts, batch))
        results = []
        index = self.index
        for entry in items if isinstance(items, list) else ():
            position = sent.pop(normal_id(entry.get("customer-id")) if isinstance(entry, dict) else None, None)
            if position is None:
                self.run.stray_results += 1
                continue
            cid = index.ids[position]
            status, message = item_status(entry.get("http-status")), entry.get("message")
            outcome = classify_add(status, message, ambiguous, self.known(cid))
            results.append(item(outcome, cid, index.origins[position], status, message, index.schedule(position), None, self.purpose))
        return results + self.rows(list(sent.values()), UNKNOWN, None, answer_text(NO_ITEM_RESULT), NO_ITEM_RESULT)

    def known(self, cid):
        """Whether the campaign held the customer before this add (None: unknown); a re-add's record was deleted."""
        if self.purpose == RESCHEDULE:
            return False
        return None if self.snapshot is None else cid in self.snapshot


class DeleteSender:
    """One DELETE per customer; a unit is up to batch_size customers for one worker. purpose: see ItemResult."""

    def __init__(self, run, sender, plan, purpose=None):
        self.run = run
        self.sender = sender
        self.snapshot = plan.snapshot
        self.purpose = purpose

    def units(self, customers):
        """Groups of (customer id, origin); customers the snapshot does not hold are counted, not sent."""
        unit, size = [], self.run.options.batch_size
        for cid, origin in customers:
            if self.snapshot is not None and cid not in self.snapshot:
                self.run.take(item(ALREADY_ABSENT, cid, origin, purpose=self.purpose))
                continue
            unit.append((cid, origin))
            if len(unit) >= size:
                yield unit
                unit = []
        if unit:
            yield unit

    def send(self, unit):
        results = []
        for cid, origin in unit:
            results = carried(results, partial(self.send_one, cid, origin))
        return results

    def send_one(self, cid, origin):
        """[ItemResult] of one customer's DELETE."""
        answer = self.sender.send_unit(partial(self.row, UNKNOWN, cid, origin), self.run.service.delete_customer, self.run.campaign_id, cid)
        response = answer.response
        if response is None:
            return self.row(UNKNOWN if answer.ambiguous else FAILED, cid, origin, None, answer_text(answer.reason), answer.reason)
        known = None if self.snapshot is None else cid in self.snapshot
        outcome = classify_delete(response.status, response.message, answer.ambiguous, known)
        if outcome == REFUSED:
            message = response.message or "HTTP {0}".format(response.status)
            cause = CampaignError(self.run.campaign_id, "removing customer {0} was refused: {1}".format(cid, message))
            raise RunStopped(cause, self.row(UNKNOWN if answer.ambiguous else FAILED, cid, origin, response.status, message, REQUEST_REFUSED))
        return self.row(outcome, cid, origin, response.status, response.message)

    def row(self, outcome, cid, origin, http_status, message, reason=None):
        """One customer's [ItemResult]."""
        return [item(outcome, cid, origin, http_status, message, None, reason, self.purpose)]


def carried(results, more):
    """results + more(): a stop in more() carries results too (they were sent and answered: never 'not sent')."""
    try:
        return results + more()
    except RunStopped as stop:
        stop.results = results + stop.results
        raise


def left_open(refusal):
    """(http_status, message, reason) of the rows of a request that may have been applied when the run stopped at it
    with no results of its own: its retry refused (refusal, an HttpError), or no answer (refusal None)."""
    if refusal is None:
        return None, answer_text(NO_ANSWER), NO_ANSWER
    refused = refusal.api_message or "HTTP {0}".format(refusal.status)
    return refusal.status, "an earlier attempt got no answer (it may have been applied), then the retry was refused: {0}".format(refused), REQUEST_REFUSED


def answer_text(reason):
    return {
        NO_ANSWER: "no answer after retries",
        NOT_APPLIED: "not sent: every attempt was refused before it reached the API (rate limited or no connection)",
        RATE_LIMITED: "not sent: the API answered 429 (rate limited) to every attempt",
        ALWAYS_206: "the API answered 206 (outcome unknown) every time",
        NO_ITEM_RESULT: "the API's answer had no result for this customer",
    }.get(reason, reason)


def add_body(texts, schedules):
    """The POST body as bytes; the seed types customer-id as a string of digits."""
    if not schedules or not any(schedules):
        return ('[{"customer-id":"' + '"},{"customer-id":"'.join(texts) + '"}]').encode()
    return ("[" + ",".join(map(add_item, texts, schedules)) + "]").encode()


def add_item(text, schedule):
    if schedule:
        return '{{"customer-id":"{0}","schedule-date-time":{1}}}'.format(text, json.dumps(schedule))
    return '{{"customer-id":"{0}"}}'.format(text)

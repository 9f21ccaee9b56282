# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ledger of the Campaigns API v1: what earlier runs saw confirmed, since the API has no read.

An SQLite database (stdlib sqlite3) at `ledger_path`: per campaign, the crmRecordIds an answer confirmed
the campaign holds (added, or refused as held already) and the last state an answer named, with when.
A re-run sends nothing for the ids it holds, and check mode predicts from it. It knows only what this
collection saw: records added another way, or removed in the UI, are not in it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import queue
import sqlite3
import threading
import time
from urllib.request import pathname2url

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import DynamicCampaignsError, ValidationError

# One row a confirmed id, in one b-tree (WITHOUT ROWID), the campaign as its number in `campaign`, the time as
# epoch seconds: a million confirmations take about 25 MB and 1.5 s of one core.
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS campaign (number INTEGER PRIMARY KEY, campaign_id TEXT NOT NULL UNIQUE, state TEXT, seen TEXT)",
    "CREATE TABLE IF NOT EXISTS confirmed (campaign INTEGER NOT NULL, crm_record_id TEXT NOT NULL, at INTEGER NOT NULL,"
    " PRIMARY KEY (campaign, crm_record_id)) WITHOUT ROWID",
)
# SQLite's default limit of host parameters in one statement is 999 on old builds.
LOOKUP_CHUNK = 500
# A group of ids as one JSON array, expanded by SQLite (json_each, built in since 3.38, in most earlier builds): one
# statement, run without Python's lock, where executemany binds each row under it (3 x the CPU, a GIL hand-over a row).
INSERT_JSON = "INSERT OR IGNORE INTO confirmed SELECT ?, value, ? FROM json_each(?)"
INSERT_ROWS = "INSERT OR IGNORE INTO confirmed VALUES (?, ?, ?)"


def now_text(epoch=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


class Ledger:
    """One run's connection to the ledger file.

    The worker threads of a run share it: one connection, each statement and its commit under one lock
    (sqlite3 connections may be shared between threads when the caller serializes them). Their confirmations
    go through `later` (one writer thread, LaterWrites), the other writes are committed at once."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.writes = None
        self.numbers = {}
        try:
            self.db = sqlite3.connect(path, check_same_thread=False)
            # WAL without a sync per commit: a confirmation lost to a power cut only sends that record again,
            # which the API answers as held (already_present); a sync per batch would halve the throughput.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            for statement in SCHEMA:
                self.db.execute(statement)
            self.db.commit()
            self.json_each = has_json_each(self.db)
        except sqlite3.Error as exc:
            raise ValidationError("ledger_path {0}: not an SQLite database this module can use: {1}".format(path, exc))

    def close(self):
        """Writes what is queued with `later`, then closes; a write error is the caller's to ask (flush)."""
        try:
            if self.writes is not None:
                self.writes.stop()
        finally:
            with self.lock:
                self.db.close()

    def later(self, campaign_id, ids, then):
        """Queue a confirmation of the worker threads: committed by the writer thread with every other one queued
        meanwhile (one commit for several batches), then `then()` runs (the caller counts the records there), so
        what a run has counted is in the ledger. After a write failed, raises its LedgerWriteError."""
        if self.writes is None:
            with self.lock:
                self.writes = self.writes or LaterWrites(self)
        self.writes.put(campaign_id, ids, then)

    def flush(self):
        """Waits until every confirmation queued with `later` is committed and counted; raises the LedgerWriteError
        of a write that failed."""
        if self.writes is not None:
            self.writes.flush()

    def wait(self):
        """Waits until every confirmation queued with `later` is committed (or failed) and counted."""
        if self.writes is not None:
            self.writes.wait()

    def number(self, campaign_id, create=False):
        """The campaign's number in the file (None when it has none and create is false); under the lock."""
        if campaign_id not in self.numbers:
            if create:
                self.db.execute("INSERT OR IGNORE INTO campaign (campaign_id) VALUES (?)", (campaign_id,))
            row = self.db.execute("SELECT number FROM campaign WHERE campaign_id = ?", (campaign_id,)).fetchone()
            if row is None:
                return None
            self.numbers[campaign_id] = row[0]
        return self.numbers[campaign_id]

    def holds_any(self, campaign_id):
        """Whether the ledger saw any record confirmed in the campaign (a first run's lookups can be skipped)."""
        with self.lock:
            number = self.number(campaign_id)
            return number is not None and self.db.execute("SELECT 1 FROM confirmed WHERE campaign = ? LIMIT 1", (number,)).fetchone() is not None

    def held(self, campaign_id, ids):
        """The ids among `ids` the ledger saw confirmed in the campaign."""
        ids = list(ids)
        found = set()
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            query = "SELECT crm_record_id FROM confirmed WHERE campaign = ? AND crm_record_id IN ({0})".format(",".join("?" * len(chunk)))
            with self.lock:
                number = self.number(campaign_id)
                if number is None:
                    return found
                found.update(row[0] for row in self.db.execute(query, [number] + chunk))
        return found

    def confirm(self, campaign_id, ids):
        """Committed before it returns."""
        self.write([(campaign_id, ids)])

    def write(self, groups):
        """One transaction for the ids of every (campaign_id, ids) of groups, one timestamp."""
        stamp = int(time.time())
        by_campaign = {}
        for campaign_id, ids in groups:
            if ids:
                by_campaign.setdefault(campaign_id, []).extend(ids)
        if not by_campaign:
            return
        with self.lock:
            for campaign_id, ids in by_campaign.items():
                self.insert(self.number(campaign_id, create=True), ids, stamp)
            self.db.commit()

    def insert(self, number, ids, stamp):
        text = json.dumps(ids) if self.json_each else None
        # SQLite cuts a JSON string at an escaped NUL: a group with one goes row by row.
        if text is not None and "\\u0000" not in text:
            self.db.execute(INSERT_JSON, (number, stamp, text))
        else:
            self.db.executemany(INSERT_ROWS, [(number, cid, stamp) for cid in ids])

    def saw_state(self, campaign_id, state):
        with self.lock:
            self.db.execute("UPDATE campaign SET state = ?, seen = ? WHERE number = ?", (state, now_text(), self.number(campaign_id, create=True)))
            self.db.commit()

    def summary(self, campaign_id):
        """What the ledger knows of a campaign: last state seen and when, ids confirmed, first and last confirmation."""
        state = self.db.execute("SELECT state, seen FROM campaign WHERE campaign_id = ?", (campaign_id,)).fetchone()
        query = "SELECT COUNT(*), MIN(at), MAX(at) FROM confirmed WHERE campaign = (SELECT number FROM campaign WHERE campaign_id = ?)"
        count, first, last = self.db.execute(query, (campaign_id,)).fetchone()
        return {
            "state": state[0] if state else None,
            "state_seen": state[1] if state else None,
            "records_confirmed": count,
            "first_confirmed": None if first is None else now_text(first),
            "last_confirmed": None if last is None else now_text(last),
        }

    def confirmed_ids(self, campaign_id, limit):
        query = "SELECT crm_record_id FROM confirmed WHERE campaign = (SELECT number FROM campaign WHERE campaign_id = ?) ORDER BY at, crm_record_id LIMIT ?"
        return [row[0] for row in self.db.execute(query, (campaign_id, limit))]


def has_json_each(db):
    try:
        db.execute("SELECT value FROM json_each('[1]')").fetchall()
        return True
    except sqlite3.OperationalError:
        return False


class LedgerWriteError(DynamicCampaignsError):
    """The ledger file could not take a confirmation (disk full, locked by another process)."""


class LaterWrites:
    """The writer thread of a Ledger's queued confirmations: it takes everything queued at once, writes it in one
    transaction and then runs each one's `then`. A failed write still runs them (the API did add the records; only
    the ledger misses them, and a re-run counts them already present); its error stays, raised by every later
    put() (the run stops) and by flush()."""

    def __init__(self, ledger):
        self.ledger = ledger
        # A C queue: a worker's put costs no Python lock dance; the condition is only for wait().
        self.queue = queue.SimpleQueue()
        self.cond = threading.Condition()
        self.queued = self.done = 0
        self.error = None
        self.thread = threading.Thread(target=self.loop, name="ledger-writer", daemon=True)
        self.thread.start()

    def put(self, campaign_id, ids, then):
        with self.cond:
            self.queued += 1
        self.queue.put((campaign_id, ids, then))
        if self.error is not None:
            raise self.error

    def loop(self):
        while True:
            group = [self.queue.get()]
            while not self.queue.empty():
                group.append(self.queue.get())
            stop = group[-1] is None
            group = [entry for entry in group if entry is not None]
            try:
                if group:
                    self.write(group)
            finally:
                with self.cond:
                    self.done += len(group)
                    self.cond.notify_all()
            if stop:
                return

    def write(self, group):
        try:
            self.ledger.write([(campaign_id, ids) for campaign_id, ids, _then in group])
        except sqlite3.Error as exc:
            self.failed(
                "ledger_path {0}: could not record confirmations: {1}; the records were added, a re-run sends them again and counts them"
                " already present".format(self.ledger.path, exc)
            )
        for _campaign_id, _ids, then in group:
            try:
                then()
            except Exception as exc:  # a defect must not stop the writer: wait() would wait for ever
                self.failed("the run failed while counting confirmed records: {0}: {1}".format(type(exc).__name__, exc))

    def failed(self, message):
        with self.cond:
            self.error = self.error or LedgerWriteError(message)

    def wait(self):
        with self.cond:
            while self.done < self.queued:
                self.cond.wait()

    def flush(self):
        self.wait()
        if self.error is not None:
            raise self.error

    def stop(self):
        self.queue.put(None)
        self.thread.join()


def last_state(path, campaign_id):
    """{state, seen} the ledger last saw for the campaign, or None; read only (check mode creates no file)."""
    if not path or not os.path.exists(path):
        return None
    try:
        db = sqlite3.connect("file:{0}?mode=ro".format(pathname2url(os.path.abspath(path))), uri=True)
        try:
            row = db.execute("SELECT state, seen FROM campaign WHERE campaign_id = ?", (campaign_id,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise ValidationError("ledger_path {0}: not an SQLite database this module can use: {1}".format(path, exc))
    return {"state": row[0], "seen": row[1]} if row and row[0] else None


def remember_state(path, campaign_id, state):
    """campaign_status: keep the state an answer named, for campaign_info."""
    if path and state:
        ledger = Ledger(path)
        try:
            ledger.saw_state(campaign_id, state)
        finally:
            ledger.close()


class LedgerService:
    """campaign_info on the Campaigns API v1: the API has nothing to read, so only the ledger answers."""

    def __init__(self, client=None):
        self.client = client

    def info(self, campaign_id, path, limit):
        if not path:
            raise ValidationError(
                "Campaign {0}: the Campaigns API v1 has no endpoint to read a campaign or its records, so campaign_info has"
                " nothing to ask it. Set ledger_path to the ledger campaign_customer and campaign_status keep, to get what"
                " they saw.".format(campaign_id)
            )
        ledger = Ledger(path)
        try:
            known = ledger.summary(campaign_id)
            ids = ledger.confirmed_ids(campaign_id, max(limit, 0))
        finally:
            ledger.close()
        known.update(id=campaign_id, source="ledger", status=known["state"].lower() if known["state"] else None)
        records = [{"customer_id": cid} for cid in ids]
        return {"campaign": known, "records": records, "records_total": known["records_confirmed"], "records_truncated": known["records_confirmed"] > len(ids)}

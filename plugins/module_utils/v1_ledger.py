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

import os
import sqlite3
import threading
import time
from urllib.request import pathname2url

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS records (campaign_id TEXT NOT NULL, crm_record_id TEXT NOT NULL, confirmed TEXT NOT NULL,"
    " PRIMARY KEY (campaign_id, crm_record_id))",
    "CREATE TABLE IF NOT EXISTS campaigns (campaign_id TEXT PRIMARY KEY, state TEXT, seen TEXT NOT NULL)",
)
# SQLite's default limit of host parameters in one statement is 999 on old builds.
LOOKUP_CHUNK = 500


def now_text():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Ledger:
    """One run's connection to the ledger file; every write is committed at once.

    The worker threads of a run share it: one connection, each statement and its commit under one lock
    (sqlite3 connections may be shared between threads when the caller serializes them)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        try:
            self.db = sqlite3.connect(path, check_same_thread=False)
            # WAL without a sync per commit: a confirmation lost to a power cut only sends that record again,
            # which the API answers as held (already_present); a sync per batch would halve the throughput.
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            for statement in SCHEMA:
                self.db.execute(statement)
            self.db.commit()
        except sqlite3.Error as exc:
            raise ValidationError("ledger_path {0}: not an SQLite database this module can use: {1}".format(path, exc))

    def close(self):
        with self.lock:
            self.db.close()

    def holds_any(self, campaign_id):
        """Whether the ledger saw any record confirmed in the campaign (a first run's lookups can be skipped)."""
        with self.lock:
            return self.db.execute("SELECT 1 FROM records WHERE campaign_id = ? LIMIT 1", (campaign_id,)).fetchone() is not None

    def held(self, campaign_id, ids):
        """The ids among `ids` the ledger saw confirmed in the campaign."""
        ids = list(ids)
        found = set()
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            query = "SELECT crm_record_id FROM records WHERE campaign_id = ? AND crm_record_id IN ({0})".format(marks)
            with self.lock:
                found.update(row[0] for row in self.db.execute(query, [campaign_id] + chunk))
        return found

    def confirm(self, campaign_id, ids):
        """Committed before the caller counts them: after an interruption, what a run reported confirmed is here."""
        if not ids:
            return
        stamp = now_text()
        rows = [(campaign_id, cid, stamp) for cid in ids]
        with self.lock:
            self.db.executemany("INSERT OR IGNORE INTO records VALUES (?, ?, ?)", rows)
            self.db.commit()

    def saw_state(self, campaign_id, state):
        with self.lock:
            self.db.execute("INSERT OR REPLACE INTO campaigns VALUES (?, ?, ?)", (campaign_id, state, now_text()))
            self.db.commit()

    def summary(self, campaign_id):
        """What the ledger knows of a campaign: last state seen and when, ids confirmed, first and last confirmation."""
        state = self.db.execute("SELECT state, seen FROM campaigns WHERE campaign_id = ?", (campaign_id,)).fetchone()
        count, first, last = self.db.execute("SELECT COUNT(*), MIN(confirmed), MAX(confirmed) FROM records WHERE campaign_id = ?", (campaign_id,)).fetchone()
        return {
            "state": state[0] if state else None,
            "state_seen": state[1] if state else None,
            "records_confirmed": count,
            "first_confirmed": first,
            "last_confirmed": last,
        }

    def confirmed_ids(self, campaign_id, limit):
        rows = self.db.execute("SELECT crm_record_id FROM records WHERE campaign_id = ? ORDER BY confirmed, crm_record_id LIMIT ?", (campaign_id, limit))
        return [row[0] for row in rows]


def last_state(path, campaign_id):
    """{state, seen} the ledger last saw for the campaign, or None; read only (check mode creates no file)."""
    if not path or not os.path.exists(path):
        return None
    try:
        db = sqlite3.connect("file:{0}?mode=ro".format(pathname2url(os.path.abspath(path))), uri=True)
        try:
            row = db.execute("SELECT state, seen FROM campaigns WHERE campaign_id = ?", (campaign_id,)).fetchone()
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

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Model-based tests of the Campaigns API v1 backend: the real add engine against the real simulator.

A hypothesis state machine adds random customers (ids, some with a priority, a repeat with other fields, an id
too long) to a v1 campaign, with or without a ledger, in check mode or not, with small batches and several
workers, under random fault settings (5xx, resets, lost answers, timeouts, 400 or 409 for a held record, 200 or
201 for an add), and now and then interrupts a run (SIGTERM to this process, or the campaign completed by
someone else). After every run it reads the simulator's own state (faults off) and compares it with what the
module reported: nothing is added that was not asked; `added` never counts more than the run added, and with
`uncertain` it covers everything it added; `changed` whenever the campaign changed; check mode writes nothing;
the ledger holds only ids the campaign holds, and every one the run counted added.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import os
import shutil
import signal
import tempfile
import threading
import time

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client, v1_root
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers_v1 import V1CustomerService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import DynamicCampaignsError
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import Ledger

API_KEY = "eght_test-key"
IDS = ["C{0:02d}".format(n) for n in range(1, 25)]
TOO_LONG = "X" * 33
CAMPAIGNS = itertools.count(1)
SIM = {}

FAULTS = st.fixed_dictionaries(
    {
        "error_rate": st.sampled_from([0.0, 0.1, 0.3]),
        "reset_rate": st.sampled_from([0.0, 0.1, 0.2]),
        "lost_response_rate": st.sampled_from([0.0, 0.1, 0.3]),
        "timeout_rate": st.sampled_from([0.0, 0.1, 0.2]),
        "v1_duplicate_status": st.sampled_from([409, 400]),
        "v1_add_status": st.sampled_from([201, 200]),
        "seed": st.integers(0, 2**16),
    }
)
# An id alone, or with a priority (the same id with two priorities: the later one is invalid); now and then an
# id the API would refuse, which the module must refuse before sending.
ITEM = st.one_of(
    st.sampled_from(IDS),
    st.builds(lambda cid, priority: {"customer_id": cid, "priority": priority}, st.sampled_from(IDS), st.sampled_from(["HIGH", "LOW"])),
    st.just(TOO_LONG),
)
CUSTOMERS = st.lists(ITEM, max_size=12)


def fast_sleep(seconds):
    time.sleep(min(seconds, 0.005))


def item_id(item):
    return item["customer_id"] if isinstance(item, dict) else item


def item_fields(item):
    return (item_id(item), item.get("priority") if isinstance(item, dict) else None)


class V1Machine(RuleBasedStateMachine):
    def __init__(self):
        super(V1Machine, self).__init__()
        self.url, self.http = SIM["url"], SIM["session"]
        self.campaign_id = "00000b00-0000-4000-8000-{0:012d}".format(900000 + next(CAMPAIGNS))
        self.work = tempfile.mkdtemp(prefix="v1-model-")
        self.ledger = os.path.join(self.work, "ledger.sqlite")
        self.faults = {}
        SIM["examples"]["v1_machines"] += 1

    def teardown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    # ------------------------------------------------------------ simulator access (faults off)
    def sim(self, method, path, **kwargs):
        response = self.http.request(method, self.url + path, timeout=30, **kwargs)
        assert response.status_code < 400, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def held(self):
        """The crmRecordIds the simulator's campaign holds."""
        self.sim("DELETE", "/_sim/faults")
        body = self.sim("GET", "/_sim/v1/campaigns/{0}".format(self.campaign_id), params={"ids": "1"})
        if self.faults:
            self.sim("PATCH", "/_sim/faults", json=self.faults)
        return set(body["record_ids"]), body["state"]

    def ledger_ids(self):
        if not os.path.exists(self.ledger):
            return set()
        ledger = Ledger(self.ledger)
        try:
            return set(ledger.confirmed_ids(self.campaign_id, 10**6))
        finally:
            ledger.close()

    # ------------------------------------------------------------ rules
    @initialize(initial=st.sets(st.sampled_from(IDS), max_size=8))
    def create(self, initial):
        entry = {"state": "RUNNING", "records": [{"crm_record_id": cid} for cid in sorted(initial)]}
        self.sim("PUT", "/_sim/v1/campaigns/{0}".format(self.campaign_id), json=entry)

    def set_faults(self, faults):
        """None keeps the faults of the last run; {} clears them."""
        if faults is None:
            return
        self.faults = faults
        self.sim("DELETE", "/_sim/faults")
        if faults:
            self.sim("PATCH", "/_sim/faults", json=faults)
            SIM["examples"]["v1_fault_settings"] += 1

    @rule(
        faults=st.one_of(st.none(), st.just({}), FAULTS),
        customers=CUSTOMERS,
        use_ledger=st.booleans(),
        check_mode=st.booleans(),
        tuning=st.tuples(st.integers(1, 4), st.integers(1, 3)),
        interruption=st.sampled_from([None, None, None, "sigterm", "completed"]),
        delay=st.floats(0.0, 0.05),
        as_file=st.booleans(),
    )
    def add(self, faults, customers, use_ledger, check_mode, tuning, interruption, delay, as_file):
        self.set_faults(faults)
        params = dict(
            campaign_id=self.campaign_id,
            state="present",
            customers=list(customers),
            customers_file=self.one_column_file(customers) if as_file else None,
            customers_file_format=None,
            batch_size=tuning[0],
            workers=tuning[1],
            max_requests_per_second=None,
            allow_partial=True,
            failed_records_path=None,
            progress_path=None,
            ledger_path=self.ledger if use_ledger else None,
        )
        if as_file:
            params["customers"] = [item for item in customers if isinstance(item, dict)]
        self.run(params, check_mode, interruption, delay)

    def one_column_file(self, customers):
        """The ids alone of the list as a one-column CSV file (read as IdRuns), after the items with fields."""
        path = os.path.join(self.work, "customers-{0}.csv".format(next(CAMPAIGNS)))
        with open(path, "w") as handle:
            handle.write("customer-id\n" + "".join(item + "\n" for item in customers if not isinstance(item, dict)))
        return path

    # ------------------------------------------------------------ one run and its checks
    def run(self, params, check_mode, interruption, delay):
        before, _state = self.held()
        ledger_before = self.ledger_ids()
        client = Client(v1_root("US1", self.url), "acme", api_key=API_KEY, timeout=5, max_retries=4, retry_max_time=5, sleep=fast_sleep)
        changed, result, stopped = self.sync(client, params, check_mode, interruption, delay)
        after, _state = self.held()
        SIM["examples"]["v1_runs"] += 1
        SIM["examples"]["v1_stopped_runs"] += int(bool(stopped))
        try:
            self.check(params, check_mode, before, after, ledger_before, changed, result["summary"], stopped)
        except AssertionError as exc:
            raise AssertionError(
                "{0}\n  run: {1}, check_mode={2}, interruption={3}, stopped={4}\n  summary: {5}\n  before: {6}\n  after: {7}"
                "\n  ledger before: {8}, after: {9}\n  faults: {10}".format(
                    exc,
                    params,
                    check_mode,
                    interruption,
                    stopped,
                    result["summary"],
                    sorted(before),
                    sorted(after),
                    sorted(ledger_before),
                    sorted(self.ledger_ids()),
                    self.faults,
                )
            )
        if interruption == "completed":
            self.sim("PATCH", "/_sim/v1/campaigns/{0}".format(self.campaign_id), json={"state": "RUNNING"})

    def sync(self, client, params, check_mode, interruption, delay):
        try:
            return SIM["run_interrupted"](lambda: V1CustomerService(client).sync(params, check_mode=check_mode), self.interrupter(interruption, delay))
        except DynamicCampaignsError as refusal:
            raise AssertionError("a v1 run raised without its result: {0}".format(refusal.message))

    def interrupter(self, interruption, delay):
        if interruption == "sigterm":
            return threading.Timer(delay, os.kill, (os.getpid(), signal.SIGTERM))
        if interruption == "completed":
            return threading.Timer(delay, self.complete)
        return None

    def complete(self):
        """Someone else ends the campaign (the admin endpoint, which the faults leave alone)."""
        self.http.patch("{0}/_sim/v1/campaigns/{1}".format(self.url, self.campaign_id), json={"state": "COMPLETE"}, timeout=5)

    def check(self, params, check_mode, before, after, ledger_before, changed, summary, stopped):
        valid = self.valid_ids(params["customers"] + self.file_ids(params["customers_file"]))
        added = after - before
        # Each valid id once, in a run that stopped too (unless a signal came before the first pass ended: then
        # nothing was sent).
        assert summary["requested"] == len(valid) or (stopped and after == before and not summary["added"]), "requested is not the valid ids"
        ledger = self.ledger_ids()
        assert before <= after, "a v1 run removed records"
        if check_mode:
            assert after == before and ledger == ledger_before, "check mode wrote something"
            return
        assert added <= valid, "records were added that were not asked for (or refused before sending)"
        assert summary["added"] <= len(added) <= summary["added"] + summary["uncertain"], "added counts what the run did not add"
        assert changed or not added, "the campaign changed and the run said changed: false"
        assert ledger <= after | ledger_before, "the ledger holds an id the campaign does not"
        if params["ledger_path"]:
            # What the run counted added or held is in the ledger (counted only once it is written); each valid id
            # is counted once.
            assert len(ledger & valid) >= summary["added"] + summary["already_present"], "the run counted ids the ledger does not hold"
        if not stopped and not summary["failed"] and not summary["uncertain"]:
            assert valid <= after, "a finished run left a valid record out without saying so"

    @staticmethod
    def file_ids(path):
        if not path:
            return []
        with open(path) as handle:
            return handle.read().split()[1:]

    @staticmethod
    def valid_ids(customers):
        """The ids of the list's valid items: each id's first item, unless too long."""
        first = {}
        for item in customers:
            first.setdefault(item_id(item), item_fields(item))
        return set(cid for cid in first if len(cid) <= 32)


# Settings: the hypothesis profile of tests/model/conftest.py; SIM: filled by its model_simulator fixture.
TestV1Model = V1Machine.TestCase

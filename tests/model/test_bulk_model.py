# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Model-based tests: the real bulk engine against the real simulator, under random faults and interruptions.

A hypothesis state machine declares random customers present or absent (with or without data_token,
exclusive, check mode, small batches and several workers), with random fault settings on the simulator,
and now and then interrupts a run (SIGTERM to this process, or the campaign stopped by someone else).
After every step it reads the simulator's own state (faults off) and compares it with what the module
reported: counts and `changed` exact with data_token, bounded by `uncertain` without; a declared
customer is never removed; check mode writes nothing; a failed run still says what it changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import os
import signal
import threading
import time

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import CustomerService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import DynamicCampaignsError

IDS = list(range(1000001, 1000025))
NOT_IN_CRM = 999
CAMPAIGNS = itertools.count(9001)
SIM = {}

FAULTS = st.fixed_dictionaries(
    {
        "error_rate": st.sampled_from([0.0, 0.1, 0.3]),
        "reset_rate": st.sampled_from([0.0, 0.1, 0.2]),
        "lost_response_rate": st.sampled_from([0.0, 0.1, 0.3]),
        "timeout_rate": st.sampled_from([0.0, 0.1, 0.2]),
        "max_batch": st.sampled_from([0, 2]),
        "delete_variant": st.sampled_from(["spec", "support"]),
        "records_cut_after": st.sampled_from([None, None, None, 2]),
        # The write after a lost answer refused (nothing applied): with one worker, the retry of a request the API
        # applied. 400 is a refusal the engine reads from the answer; 403 and 422 are raised by the client.
        "refuse_after_lost": st.sampled_from([None, None, 400, 403, 422]),
        "seed": st.integers(0, 2**16),
    }
)
# A run that first switches on lost answers whose retry is refused (Machine.lose_then_refuse): the retry of a write the
# API applied, refused with a status the client raises, must leave its records uncertain or read back, never not sent.
REFUSALS = st.sampled_from([None, None, None, 403, 422])
CUSTOMERS = st.lists(st.sampled_from(IDS + [NOT_IN_CRM]), max_size=12)


def fast_sleep(seconds):
    time.sleep(min(seconds, 0.005))


class BulkMachine(RuleBasedStateMachine):
    def __init__(self):
        super(BulkMachine, self).__init__()
        self.url, self.http = SIM["url"], SIM["session"]
        self.campaign_id = next(CAMPAIGNS)
        self.faults = {}
        SIM["examples"]["machines"] += 1

    # ------------------------------------------------------------ simulator access (faults off)
    def sim(self, method, path, **kwargs):
        response = self.http.request(method, self.url + path, timeout=30, **kwargs)
        assert response.status_code < 400, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def records(self):
        self.sim("DELETE", "/_sim/faults")
        body = self.sim("GET", "/api/stats/campaigns/{0}/records.json".format(self.campaign_id), auth=("acme", "data-456"))
        if self.faults:
            self.sim("PATCH", "/_sim/faults", json=self.faults)
        # An empty campaign answers {"records": ""} (the stats API's empty value).
        listed = body["records"]["record"] if isinstance(body.get("records"), dict) else []
        listed = [listed] if isinstance(listed, dict) else listed
        return dict((int(record["record-id"]), int(record["status"])) for record in listed)

    def put_campaign(self, records):
        names = {0: "NEW", 1: "QUEUED", 2: "ACCEPTED", 3: "COMPLETED", 4: "SCHEDULED"}
        entry = {"status": "RUNNING", "records": [{"customer_id": cid, "status": names.get(status, status)} for cid, status in records]}
        self.sim("PUT", "/_sim/campaigns/{0}".format(self.campaign_id), json=entry)

    # ------------------------------------------------------------ rules
    @initialize(initial=st.dictionaries(st.sampled_from(IDS), st.sampled_from(["NEW", "QUEUED", "SCHEDULED", "ACCEPTED"]), max_size=10))
    def create(self, initial):
        self.put_campaign(sorted(initial.items()))

    @rule(faults=FAULTS)
    def set_faults(self, faults):
        self.use_faults(faults)

    def use_faults(self, faults):
        self.faults = faults
        self.sim("DELETE", "/_sim/faults")
        self.sim("PATCH", "/_sim/faults", json=faults)
        SIM["examples"]["fault_settings"] += 1

    def lose_then_refuse(self, status):
        """From now on half the writes are applied and their answers lost, and the next write (the retry) is refused
        with `status` (raised by the client, 401/403 as AuthenticationError), on top of the faults set."""
        self.use_faults(dict(self.faults, lost_response_rate=0.5, refuse_after_lost=status, seed=self.faults.get("seed", 0)))

    @rule()
    def clear_faults(self):
        self.faults = {}
        self.sim("DELETE", "/_sim/faults")

    @rule(
        customers=CUSTOMERS,
        data=st.booleans(),
        exclusive=st.booleans(),
        check_mode=st.booleans(),
        tuning=st.tuples(st.integers(1, 4), st.integers(1, 3)),
        interruption=st.sampled_from([None, None, None, "sigterm", "stopped"]),
        delay=st.floats(0.0, 0.05),
        refusal=REFUSALS,
    )
    def present(self, customers, data, exclusive, check_mode, tuning, interruption, delay, refusal):
        if refusal:
            self.lose_then_refuse(refusal)
        exclusive = exclusive and data
        params = self.params(customers, "present", exclusive, tuning)
        self.run(params, data, check_mode, interruption, delay)

    @rule(customers=CUSTOMERS, data=st.booleans(), check_mode=st.booleans(), tuning=st.tuples(st.integers(1, 4), st.integers(1, 3)), refusal=REFUSALS)
    def absent(self, customers, data, check_mode, tuning, refusal):
        if refusal:
            self.lose_then_refuse(refusal)
        self.run(self.params(customers, "absent", False, tuning), data, check_mode, None, 0.0)

    def params(self, customers, state, exclusive, tuning):
        return dict(
            campaign_id=self.campaign_id,
            state=state,
            customers=list(customers),
            customers_file=None,
            customers_file_format=None,
            exclusive=exclusive,
            max_removals="100%" if exclusive else None,
            batch_size=tuning[0],
            workers=tuning[1],
            max_requests_per_second=None,
            allow_partial=True,
            failed_records_path=None,
            progress_path=None,
        )

    # ------------------------------------------------------------ one run and its checks
    def run(self, params, data, check_mode, interruption, delay):
        before = self.records()
        self.sim("DELETE", "/_sim/requests")
        client = Client(self.url, "acme", "act-123", "data-456" if data else None, timeout=5, max_retries=4, retry_max_time=5, sleep=fast_sleep)
        changed, result, stopped = self.sync(client, params, check_mode, interruption, delay)
        after = self.records()
        faults = [entry["fault"] for entry in self.sim("GET", "/_sim/requests")["requests"]]
        SIM["examples"]["runs"] += 1
        SIM["examples"]["lost_answers"] += faults.count("lost")
        SIM["examples"]["refused_after_lost"] += faults.count("refused_after_lost")
        SIM["examples"]["stopped_runs"] += int(bool(stopped))
        SIM["examples"]["refused_in_plan"] += int(stopped is None)
        try:
            self.check(params, data, check_mode, before, after, changed, result["summary"], stopped)
        except AssertionError as exc:
            shown = dict(params, customers=sorted(set(params["customers"])))
            raise AssertionError(
                "{0}\n  run: {1}, data_token={2}, check_mode={3}, interruption={4}, stopped={5}"
                "\n  summary: {6}\n  before: {7}\n  after: {8}\n  faults: {9}".format(
                    exc, shown, data, check_mode, interruption, stopped, result["summary"], sorted(before), sorted(after), self.faults
                )
            )
        if interruption == "stopped":
            self.put_campaign(sorted(after.items()))

    def sync(self, client, params, check_mode, interruption, delay):
        try:
            return SIM["run_interrupted"](lambda: CustomerService(client).sync(params, check_mode=check_mode), self.interrupter(interruption, delay))
        except DynamicCampaignsError as refusal:
            # Refused in the plan, before the first write: the campaign stopped before the run read it, or a
            # read that failed through every retry under the faults. check() then finds nothing changed.
            read_failed = any(text in refusal.message for text in ("could not be read", "records read"))
            assert read_failed or (interruption == "stopped" and "the campaign is stopped" in refusal.message), refusal.message
            return False, {"summary": dict(added=0, removed=0, uncertain=0, failed=0)}, None

    def interrupter(self, interruption, delay):
        if interruption == "sigterm":
            return threading.Timer(delay, os.kill, (os.getpid(), signal.SIGTERM))
        if interruption == "stopped":
            path = "/api/tstats/campaigns/{0}".format(self.campaign_id)
            return threading.Timer(delay, self.stop_campaign, (self.url + path,))
        return None

    def stop_campaign(self, url):
        """Someone else stops the campaign (through the faults too: try until it is answered)."""
        for _attempt in range(50):
            try:
                if self.http.patch(url, json={"status": "STOPPED"}, auth=("acme", "act-123"), timeout=5).status_code < 500:
                    return
            except Exception:
                time.sleep(0.01)

    def check(self, params, data, check_mode, before, after, changed, summary, stopped):
        declared = set(cid for cid in params["customers"])
        added, removed = set(after) - set(before), set(before) - set(after)
        if stopped is None:
            assert after == before and not changed, "a run refused in its plan wrote something"
            return
        if check_mode:
            assert after == before
            if data and not stopped:
                wanted = declared if params["state"] == "present" else set()
                assert summary["added"] == len(wanted - set(before))
            return
        assert not (removed & declared) or params["state"] == "absent", "a declared customer was removed"
        assert not added or params["state"] == "present"
        assert added <= declared
        if params["state"] == "present" and not params["exclusive"]:
            assert not removed
        exact = data and not stopped
        if exact:
            assert (summary["added"], summary["removed"], summary["uncertain"]) == (len(added), len(removed), 0), summary
            assert changed == bool(added or removed)
        else:
            low = summary["added"] + summary["removed"]
            assert low <= len(added) + len(removed) <= low + summary["uncertain"], (summary, added, removed)
            assert changed or not (added or removed)
        if params["state"] == "present" and not stopped:
            assert (declared - {NOT_IN_CRM}) <= set(after) or summary["uncertain"] or summary["failed"]

    @invariant()
    def campaign_exists(self):
        self.sim("GET", "/_sim/campaigns/{0}".format(self.campaign_id))


# Settings: the hypothesis profile of tests/model/conftest.py; SIM: filled by its model_simulator fixture.
TestBulkModel = BulkMachine.TestCase

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example rulebook (docs/examples/eda/rulebooks/campaigns.yml) run by ansible-rulebook against the
simulator, with the GitOps example inventory, while these tests change the campaigns.

Run by hack/eda-integration.sh (`make eda-integration`), which starts the simulator (tests/eda/fixture.yml)
and sets SIM_URL, EDA_VENV (ansible-rulebook), EDA_COLLECTIONS and EDA_EXAMPLES. The tests run in order
against one ansible-rulebook process: records drained -> refills from the next file; a status changed by
hand -> the declared state re-applied, once; the API failing -> unreachable, then recovered, notified.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest
import requests
import yaml

TENANT = "acme"
ACTION_TOKEN = "act-123"
DATA_TOKEN = "data-456"
SECRETS = (ACTION_TOKEN, DATA_TOKEN) + tuple(base64.b64encode("{0}:{1}".format(TENANT, t).encode()).decode() for t in (ACTION_TOKEN, DATA_TOKEN))
WAIT = 90


def setting(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail("{0} is not set: run this suite with hack/eda-integration.sh (make eda-integration)".format(name))
    return value


def leaks(text):
    """The secrets (tokens, and Basic auth values made of them) that appear in text."""
    return [secret for secret in SECRETS if secret in text]


class Rulebook:
    """One ansible-rulebook process on a copy of the examples, and what it wrote."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.audit = workdir / "audit.jsonl"
        self.output = workdir / "rulebook.out"
        self.tmp = workdir / "tmp"
        self.process = None
        self.returncode = None

    def start(self):
        examples = pathlib.Path(setting("EDA_EXAMPLES"))
        shutil.copytree(examples / "eda", self.workdir / "eda")
        shutil.copytree(examples / "gitops", self.workdir / "gitops")
        self.tmp.mkdir()
        rulebook_vars = yaml.safe_load((examples / "eda" / "vars" / "acme.yml").read_text())
        # The data token as an AAP credential would inject it (an extra var); the action token from the environment.
        rulebook_vars.update(
            dc_campaign_ids=[4501, 4502],
            dc_interval=1,
            dc_settle_seconds=0,
            dc_audit_log=str(self.audit),
            dc_data_token=DATA_TOKEN,
        )
        (self.workdir / "vars.yml").write_text(yaml.safe_dump(rulebook_vars))
        eda_venv = pathlib.Path(setting("EDA_VENV"))
        env = dict(
            os.environ,
            PATH="{0}:{1}".format(eda_venv / "bin", os.environ["PATH"]),
            ANSIBLE_COLLECTIONS_PATH=setting("EDA_COLLECTIONS"),
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
            ANSIBLE_HOME=str(self.workdir / "ansible-home"),
            ANSIBLE_NOCOLOR="1",
            TMPDIR=str(self.tmp),
            EIGHTBYEIGHT_BASE_URL=setting("SIM_URL"),
            EIGHTBYEIGHT_ACTION_TOKEN=ACTION_TOKEN,
            EIGHTBYEIGHT_DATA_TOKEN=DATA_TOKEN,
            EIGHTBYEIGHT_MAX_RETRIES="2",
            # The rule engine's JVM runs inside ansible-rulebook and would take SIGINT itself (exit 130 at once);
            # -Xrs leaves the signal to ansible-rulebook, which then cancels its sources: what is under test.
            JAVA_TOOL_OPTIONS="-Xrs",
            # The playbooks run their modules on the controller: skip the temporary file round trip.
            ANSIBLE_PIPELINING="true",
        )
        command = [str(eda_venv / "bin" / "ansible-rulebook"), "-r", "rulebooks/campaigns.yml", "-i", "../gitops/inventory"]
        command += ["--vars", "../vars.yml", "--print-events", "-v"]
        with open(self.output, "wb") as output:
            self.process = subprocess.Popen(command, cwd=self.workdir / "eda", env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        """SIGINT, as a terminal or a container stop would; the whole process group is killed if it hangs."""
        if self.process is None or self.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.returncode = self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.returncode = self.process.wait(10)
            pytest.fail("ansible-rulebook did not stop within 60 s of SIGINT")

    def text(self):
        return self.output.read_text(errors="replace")

    def actions(self):
        if not self.audit.exists():
            return []
        return [json.loads(line) for line in self.audit.read_text().splitlines() if line.strip()]

    def wait_for_actions(self, count, what):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("ansible-rulebook exited ({0}) while waiting for {1}:\n{2}".format(self.process.returncode, what, self.text()[-4000:]))
            if len(self.actions()) >= count:
                return self.actions()
            time.sleep(0.3)
        pytest.fail("no {0} within {1} s; audit log {2}; rulebook output:\n{3}".format(what, WAIT, self.actions(), self.text()[-6000:]))


@pytest.fixture(scope="module")
def rulebook(tmp_path_factory):
    requests.post(setting("SIM_URL") + "/_sim/reset").raise_for_status()
    handle = Rulebook(tmp_path_factory.mktemp("eda"))
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


def wait_for(check, what, rulebook):
    deadline = time.monotonic() + WAIT
    while not check():
        assert rulebook.process.poll() is None, rulebook.text()[-4000:]
        assert time.monotonic() < deadline, "no {0} within {1} s:\n{2}".format(what, WAIT, rulebook.text()[-4000:])
        time.sleep(0.3)


def sim(method, path, **kwargs):
    response = requests.request(method, setting("SIM_URL") + path, timeout=30, **kwargs)
    response.raise_for_status()
    return response.json() if response.content else None


def api(method, path, body=None):
    """The 8x8 API itself, as a supervisor's tool would call it."""
    response = requests.request(method, setting("SIM_URL") + path, json=body, auth=(TENANT, ACTION_TOKEN), timeout=30)
    response.raise_for_status()


def reads_of(campaign_id):
    return [r for r in sim("GET", "/_sim/requests")["requests"] if r["method"] == "GET" and r["path"] == "/api/stats/campaigns/{0}.json".format(campaign_id)]


def dial(campaign_id, customer_ids):
    """What the dialer does to a campaign's records: complete them (the simulator's admin API)."""
    for customer_id in customer_ids:
        sim("POST", "/_sim/campaigns/{0}/records/{1}".format(campaign_id, customer_id), json={"status": "COMPLETED"})


def test_leak_scan_finds_a_token():
    basic = base64.b64encode(b"acme:data-456").decode()
    assert leaks("Authorization: Basic " + basic) == [basic]
    assert leaks("error: GET /api/stats/campaigns/4501.json answered 503") == []


def test_source_polls_both_campaigns(rulebook):
    # A second read of 4501 means the first poll of both campaigns is over: their snapshots are out.
    wait_for(lambda: len(reads_of(4501)) >= 2, "second poll", rulebook)
    assert reads_of(4502)
    assert rulebook.actions() == [], "nothing is low, changed or unreachable yet"


def test_a_drained_campaign_is_refilled_and_a_status_changed_by_hand_reverted(rulebook):
    # Both at once (the rulebook runs its actions one after the other, in the order of the events).
    dial(4501, range(1004600, 1004616))  # 4 of 20 left to dial: below the threshold of 5
    api("PATCH", "/api/tstats/campaigns/4502", {"status": "RUNNING"})  # Git says paused
    actions = dict((action["action"], action) for action in rulebook.wait_for_actions(2, "a refill and a re-apply"))
    refill, reapplied = actions["refilled"], actions["reapplied"]
    assert (refill["campaign_id"], refill["file"], refill["added"], refill["dialable_before"]) == (4501, "acme-spring-2.csv", 8, 4)
    assert sim("GET", "/_sim/campaigns/4501")["records"]["NEW"] == 12
    assert (reapplied["campaign_id"], reapplied["found"], reapplied["declared"]) == (4502, "running", "paused")
    assert reapplied["changed_by_event"] == "paused -> running"
    assert sim("GET", "/_sim/campaigns/4502")["status"] == "PAUSED"


def test_the_next_drain_takes_the_next_file(rulebook):
    # The file loaded last adds nothing now (its customers are in the campaign, dialed or not).
    dial(4501, range(1004700, 1004708))
    second = rulebook.wait_for_actions(3, "refill after the second drain")[2]
    assert (second["action"], second["file"], second["added"]) == ("refilled", "acme-spring-3.csv", 8)
    assert sim("GET", "/_sim/campaigns/4501")["records"] == {"NEW": 12, "QUEUED": 0, "ACCEPTED": 0, "COMPLETED": 24, "SCHEDULED": 0}


def test_the_api_failing_is_notified_once_then_its_recovery(rulebook):
    sim("PATCH", "/_sim/faults", json={"error_rate": 1.0})
    try:
        down = rulebook.wait_for_actions(4, "an unreachable notification")[3]
        wait_for(lambda: rulebook.text().count("'type': 'unreachable'") == 2, "both campaigns unreachable", rulebook)
    finally:
        sim("DELETE", "/_sim/faults")
    assert down["event"] == "unreachable" and down["campaign_id"] in (4501, 4502)
    assert "cannot be read since" in down["message"] and "answered 50" in down["message"]
    back = rulebook.wait_for_actions(5, "a recovered notification")[4]
    assert back["event"] == "recovered" and "can be read again after" in back["message"]
    wait_for(lambda: rulebook.text().count("'type': 'recovered'") == 2, "both campaigns recovered", rulebook)
    # One message per outage and one per recovery (the rule's throttle), not one per campaign.
    assert len(rulebook.actions()) == 5


def test_only_the_change_made_by_hand_was_reapplied(rulebook):
    # The role's own change back to paused was seen too (status_changed running -> paused), and left alone.
    patches = [r for r in sim("GET", "/_sim/requests")["requests"] if r["method"] in ("PATCH", "POST") and r["path"] == "/api/tstats/campaigns/4502"]
    assert [r["status"] for r in patches] == [200, 200]
    assert [a["action"] for a in rulebook.actions()].count("reapplied") == 1
    text = rulebook.text()
    assert text.count("'type': 'status_changed'") >= 2, "both status changes of 4502 were events"


def test_rulebook_stops_cleanly_and_no_token_reached_its_output(rulebook):
    rulebook.stop()
    text = rulebook.text()
    assert rulebook.returncode == 0, text[-4000:]
    assert "Traceback" not in text, text[-4000:]
    for kind in ("snapshot", "records_changed", "records_low", "status_changed", "unreachable", "recovered"):
        assert "'type': '{0}'".format(kind) in text, kind
    assert leaks(text) == []
    assert leaks(rulebook.audit.read_text()) == []
    left = [path for path in rulebook.tmp.rglob("*") if path.is_file()]
    assert [str(path) for path in left if leaks(path.read_text(errors="replace"))] == []

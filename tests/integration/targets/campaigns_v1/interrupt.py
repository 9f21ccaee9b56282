# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""campaign_customer on a v1 campaign, 4 workers, stopped by SIGTERM half-way, then run again twice.

    python interrupt.py INTEGRATION_CONFIG INVENTORY

1. An upload of 10,000 records (every request slowed down by 100 ms) in ansible-playbook; once a fifth of them
   are in the campaign, its module process gets SIGTERM. The task must fail with changed=true, say it was
   interrupted and how to finish, and count as added exactly what the campaign holds once the requests in
   flight have landed, which is exactly what the ledger holds.
2. The same upload again: it adds exactly the rest, counts the first run's records already_present from the
   ledger, and sends no record twice (the simulator's log: records posted = records added).
3. Once more: no add request at all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

CAMPAIGN = "0000000a-0000-4000-8000-0000000000a3"
TOTAL = 10000


def config_values(path):
    values = {}
    with open(path) as handle:
        for line in handle:
            key, _sep, value = line.partition(": ")
            values[key.strip()] = value.strip()
    return values


class Check(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Check(message)


def sim(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, method=method, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def module_pids(root, python):
    """The module processes under ansible-playbook (the interpreter fed on stdin, or an AnsiballZ file)."""
    listing = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,args="], stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    children, args = {}, {}
    for line in listing.splitlines():
        pid, ppid, *command = line.split(None, 2)
        children.setdefault(ppid, []).append(pid)
        args[pid] = command[0].strip() if command else ""
    todo, found = [str(root)], []
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if args[child] == python or (args[child].startswith(python + " ") and "AnsiballZ_" in args[child]):
                found.append(int(child))
    return found


class Upload:
    def __init__(self, cfg, inventory, work):
        self.cfg, self.work = cfg, work
        self.sim_url = cfg["dc_sim_url"]
        self.ledger = os.path.join(work, "ledger.sqlite")
        self.file = os.path.join(work, "records.csv")
        with open(self.file, "w") as handle:
            handle.write("customer-id\n" + "".join("IV-%d\n" % n for n in range(TOTAL)))
        extra = dict(iv_campaign=CAMPAIGN, iv_file=self.file, iv_ledger=self.ledger, iv_result=os.path.join(work, "result.json"))
        self.command = ["ansible-playbook", "-i", inventory, "-e", "@" + os.path.join("..", "..", "integration_config.yml"), "-e", json.dumps(extra)]
        self.command.append("upload.yml")

    def held(self):
        return sim("{0}/v1/campaigns/{1}".format(self.sim_url, CAMPAIGN))["records_total"]

    def result(self):
        with open(os.path.join(self.work, "result.json")) as handle:
            return json.load(handle)

    def ledger_count(self):
        db = sqlite3.connect(self.ledger)
        try:
            query = "SELECT COUNT(*) FROM confirmed JOIN campaign ON campaign = number WHERE campaign_id = ?"
            return db.execute(query, (CAMPAIGN,)).fetchone()[0]
        finally:
            db.close()

    def posted(self):
        """Records in the add requests of the simulator's log (and the log cleared)."""
        log = sim(self.sim_url + "/requests")["requests"]
        sim(self.sim_url + "/requests", "DELETE")
        adds = [entry for entry in log if entry["method"] == "POST" and entry["path"].rstrip("/").endswith("/records")]
        return len(adds), sum(entry["items"] or 0 for entry in adds)

    def run(self):
        done = subprocess.run(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        expect(done.returncode == 0, "the upload playbook failed:\n" + done.stdout[-3000:])
        return self.result()

    def interrupted(self):
        """The first run, SIGTERM once a fifth is in; (its result, records held once the count holds still)."""
        sim(self.sim_url + "/faults", "PATCH", {"latency_ms": 100})
        playbook = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, start_new_session=True)
        try:
            self.signal_when_a_fifth_is_in(playbook)
            output = playbook.communicate(timeout=300)[0]
        finally:
            if playbook.poll() is None:
                os.killpg(playbook.pid, signal.SIGKILL)
            sim(self.sim_url + "/faults", "DELETE")
        expect(playbook.returncode == 0, "the interrupted upload's playbook failed:\n" + output[-3000:])
        before, present = -1, self.held()
        while present != before:
            time.sleep(1)
            before, present = present, self.held()
        return self.result(), present

    def signal_when_a_fifth_is_in(self, playbook):
        deadline = time.time() + 120
        while self.held() < TOTAL // 5:
            expect(time.time() < deadline and playbook.poll() is None, "the upload did not reach {0} records".format(TOTAL // 5))
            time.sleep(0.2)
        pids = module_pids(playbook.pid, self.cfg["ansible_python_interpreter"])
        expect(len(pids) == 1, "expected one module process under ansible-playbook, found {0}".format(pids))
        os.kill(pids[0], signal.SIGTERM)
        print("campaigns_v1: SIGTERM to the module at {0} of {1} records".format(self.held(), TOTAL))


def scenario(upload):
    sim("{0}/v1/campaigns/{1}".format(upload.sim_url, CAMPAIGN), "PUT", {"state": "RUNNING"})
    first, present = upload.interrupted()
    summary = first.get("summary", {})
    expect(first.get("failed") and first.get("changed"), "the interrupted run: failed={0} changed={1}".format(first.get("failed"), first.get("changed")))
    expect("interrupted by SIGTERM" in first["msg"] and "Run the task again to finish" in first["msg"], "message: " + first["msg"])
    expect(0 < present < TOTAL, "the SIGTERM was not half-way ({0} of {1})".format(present, TOTAL))
    expect(summary["added"] == present == upload.ledger_count(), "added {0}, held {1}, ledger {2}".format(summary["added"], present, upload.ledger_count()))
    upload.posted()
    second = upload.run()["summary"]
    requests, records = upload.posted()
    expect((second["added"], second["already_present"]) == (TOTAL - present, present), "the second run: {0}".format(second))
    expect(records == TOTAL - present and upload.held() == TOTAL, "the second run posted {0} records; the campaign holds {1}".format(records, upload.held()))
    third = upload.run()
    expect(upload.posted() == (0, 0) and not third["changed"] and third["summary"]["already_present"] == TOTAL, "the third run: {0}".format(third))
    print("campaigns_v1: interrupted at {0}, the second run added {1} in {2} requests, the third sent nothing".format(present, TOTAL - present, requests))


def main(config, inventory):
    work = tempfile.mkdtemp(prefix="v1-interrupt-")
    try:
        scenario(Upload(config_values(config), inventory, work))
    except Check as exc:
        print("campaigns_v1 interrupt: {0}".format(exc), file=sys.stderr)
        return 1
    finally:
        subprocess.run(["rm", "-rf", work], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))

#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of campaign_customer against the simulator. Prints figures; asserts counts, never times.

    python tests/bench/run.py                       # smoke (make test): 20,000 records, uri loop of 5
    python tests/bench/run.py --records 1000000     # the issue's 1 M target (plain client vs module)
    python tests/bench/run.py --records 5000000     # 5 M, with and without data_token
    python tests/bench/run.py --records 200000 --latency-ms 50   # expect >= 0.8 x workers x batch / latency
    python tests/bench/run.py --records 200000 --rate-limit 50   # expect >= 0.95 x R x batch, no 429 unhandled
    python tests/bench/run.py --records 1000000 --repeat 3 --skip-data-token   # ranges on a busy machine

Runs, each against a fresh campaign of the same simulator: a plain requests + thread pool client (same batch
size and workers), the module through ansible-playbook without and with data_token, a re-run with data_token
(must send nothing), and an ansible.builtin.uri loop at small N. Peak RSS is the module process's VmHWM.
Exits 1 when a count is wrong (campaign contents, summary, requests of the re-run): that is correctness.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = {"tenant": "acme", "action_token": "act-123", "data_token": "data-456", "crm_customers": [{"from": 1000000, "count": 6000000}], "campaigns": []}
AUTH = ("acme", "act-123")
FIRST_ID = 1000000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--rate-limit", type=float, default=0)
    parser.add_argument("--uri-records", type=int, default=5, help="items of the ansible.builtin.uri loop (0: skip it)")
    parser.add_argument("--skip-data-token", action="store_true", help="only the runs without data_token")
    parser.add_argument("--repeat", type=int, default=1, help="run the plain client and the module (no data_token) this many times")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the module (needs requests)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    return parser.parse_args(argv)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Simulator:
    def __init__(self, work, args):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        fixture = os.path.join(work, "fixture.json")
        with open(fixture, "w") as handle:
            json.dump(FIXTURE, handle)
        cmd = [
            sys.executable,
            os.path.join(ROOT, "tests", "simulator", "run.py"),
            "--port",
            str(self.port),
            "--fixture",
            fixture,
            "--latency-ms",
            str(args.latency_ms),
            "--rate-limit",
            str(args.rate_limit),
        ]
        self.log = open(os.path.join(work, "simulator.log"), "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                requests.get(self.url + "/_sim/health", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("simulator did not start")

    def campaign(self, cid):
        requests.put("%s/_sim/campaigns/%d" % (self.url, cid), json={"status": "RUNNING"}).raise_for_status()

    def total(self, cid):
        return requests.get("%s/_sim/campaigns/%d" % (self.url, cid)).json()["records_total"]

    def clear_log(self):
        requests.delete(self.url + "/_sim/requests").raise_for_status()

    def rate_limited(self):
        log = requests.get(self.url + "/_sim/requests").json()["requests"]
        return sum(1 for entry in log if entry["fault"] == "rate_limited")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)
        self.log.close()


def write_csv(path, count):
    with open(path, "w") as handle:
        handle.write("customer-id,schedule-date-time\n")
        step = 100000
        for low in range(FIRST_ID, FIRST_ID + count, step):
            handle.write("".join("%d,\n" % cid for cid in range(low, min(low + step, FIRST_ID + count))))


def plain_client(sim, cid, count, batch_size, workers):
    """The plainest fast client: requests, a thread pool, one session per thread."""
    local = threading.local()
    url = "%s/api/tstats/campaigns/%d/customers" % (sim.url, cid)

    def post(low):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        body = [{"customer-id": str(i)} for i in range(low, min(low + batch_size, FIRST_ID + count))]
        while True:
            response = session.post(url, data=json.dumps(body), auth=AUTH, headers={"Content-Type": "application/json"})
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return sum(1 for item in response.json() if item["http-status"] == 200)

    started = time.time()
    with ThreadPoolExecutor(workers) as pool:
        added = sum(pool.map(post, range(FIRST_ID, FIRST_ID + count, batch_size)))
    return added, time.time() - started


def collection_copy(work):
    dest = os.path.join(work, "collections", "ansible_collections", "eightbyeight", "dynamic_campaigns")
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(".git", ".venv", "build", "tests", "*.pyc"))
    return os.path.dirname(os.path.dirname(os.path.dirname(dest)))


def playbook(work, name, task):
    path = os.path.join(work, name + ".yml")
    with open(path, "w") as handle:
        handle.write(PLAY % task)
    return path


PLAY = """- hosts: localhost
  gather_facts: false
  tasks:
%s
    - ansible.builtin.copy:
        content: "{{ r | to_json }}"
        dest: "{{ out }}"
"""

MODULE_TASK = """    - eightbyeight.dynamic_campaigns.campaign_customer:
        campaign_id: "{{ cid }}"
        customers_file: "{{ csv }}"
        tenant: acme
        base_url: "{{ url }}"
        action_token: act-123
        data_token: "{{ data_token }}"
        batch_size: "{{ batch_size }}"
        workers: "{{ workers }}"
        allow_partial: true
      register: r"""

URI_TASK = """    - ansible.builtin.uri:
        url: "{{ url }}/api/tstats/campaigns/{{ cid }}/customers"
        method: POST
        user: acme
        password: act-123
        force_basic_auth: true
        body_format: json
        body: [{"customer-id": "{{ item }}"}]
        status_code: 207
      loop: "{{ range(1000000, 1000000 + n | int) | list }}"
      register: r"""


class PeakRss(threading.Thread):
    """Polls /proc for the module process (AnsiballZ_campaign_customer) and keeps its VmHWM."""

    def __init__(self):
        super(PeakRss, self).__init__(daemon=True)
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            for pid in os.listdir("/proc"):
                if pid.isdigit():
                    self.sample(pid)
            self.stopped.wait(0.2)

    def sample(self, pid):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                if b"AnsiballZ_campaign_customer" not in handle.read():
                    return
            with open("/proc/%s/status" % pid) as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
        except (IOError, OSError, ValueError):
            pass


def run_playbook(work, collections, path, extra, python):
    out = os.path.join(work, "result.json")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    extra = dict(extra, out=out, ansible_python_interpreter=python)
    playbook_bin = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    monitor = PeakRss()
    monitor.start()
    started = time.time()
    done = subprocess.run(
        [playbook_bin, path, "-e", json.dumps(extra)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False
    )
    wall = time.time() - started
    monitor.stopped.set()
    monitor.join()
    if done.returncode:
        print(done.stdout[-3000:])
        raise RuntimeError("ansible-playbook failed")
    with open(out) as handle:
        return json.load(handle), wall, monitor.peak_kb / 1024.0


def module_run(ctx, cid, data_token):
    """(summary, playbook seconds, peak RSS MB) of one module task."""
    args = ctx["args"]
    extra = dict(cid=cid, csv=ctx["csv"], url=ctx["sim"].url, data_token=data_token, batch_size=args.batch_size, workers=args.workers)
    result, wall, peak = run_playbook(ctx["work"], ctx["collections"], ctx["module_play"], extra, args.python)
    return result["summary"], wall, peak


def uri_rate(ctx, cid):
    n = ctx["args"].uri_records
    path = playbook(ctx["work"], "uri", URI_TASK)
    _result, wall, _peak = run_playbook(ctx["work"], ctx["collections"], path, dict(cid=cid, url=ctx["sim"].url, n=n), ctx["args"].python)
    return n / wall


def main(argv=None):
    args = parse_args(argv)
    work = tempfile.mkdtemp(prefix="dc-bench-")
    sim = Simulator(work, args)
    try:
        ctx = dict(
            args=args,
            work=work,
            sim=sim,
            records=args.records,
            csv=os.path.join(work, "customers.csv"),
            collections=collection_copy(work),
            module_play=playbook(work, "module", MODULE_TASK),
        )
        write_csv(ctx["csv"], args.records)
        report(ctx)
    except CountError as exc:
        print("COUNT CHECK FAILED: %s" % exc)
        return 1
    finally:
        sim.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


class CountError(Exception):
    """A wrong count: a bug the bench must not hide."""


HEADER = "%-30s %9s %8s %10s %8s %7s %7s %10s %9s %8s %7s" % (
    "scenario",
    "records",
    "task s",
    "playbook s",
    "plain s",
    "ratio",
    "ratio",
    "rec/s",
    "peak RSS",
    "requests",
    "retries",
)
SUBHEADER = "%-30s %9s %8s %10s %8s %7s %7s %10s %9s" % ("", "", "", "", "", "task", "book", "task", "MB")


def row(label, records, summary=None, wall=None, plain=None, peak=None):
    if summary is None:
        return "%-30s %9d %8s %10s %8.1f %7s %7s %10.0f" % (label, records, "", "", plain, "", "", records / plain)
    ratio_task = "%7.2f" % (plain / summary["elapsed"]) if plain else "%7s" % ""
    ratio_book = "%7.2f" % (plain / wall) if plain else "%7s" % ""
    return "%-30s %9d %8.1f %10.1f %8s %s %s %10.0f %9.1f %8d %7d" % (
        label,
        records,
        summary["elapsed"],
        wall,
        "%.1f" % plain if plain else "",
        ratio_task,
        ratio_book,
        records / summary["elapsed"],
        peak,
        summary["requests"],
        summary["retries"],
    )


def report(ctx):
    args, sim = ctx["args"], ctx["sim"]
    print(
        "records %d, batch_size %d, workers %d, latency %g ms, rate limit %g/s"
        % (args.records, args.batch_size, args.workers, args.latency_ms, args.rate_limit)
    )
    print(HEADER)
    print(SUBHEADER)
    ratios = [compare(ctx, attempt) for attempt in range(args.repeat)]
    if not args.skip_data_token:
        with_snapshot(ctx)
    if args.uri_records:
        sim.campaign(3904)
        print("%-30s %9d %8s %10s %8s %7s %7s %10.1f" % ("ansible.builtin.uri loop", args.uri_records, "", "", "", "", "", uri_rate(ctx, 3904)))
    print_bounds(args, ratios)


def compare(ctx, attempt):
    """Plain client, then the module without data_token; (plain s, task s, playbook s)."""
    args, sim = ctx["args"], ctx["sim"]
    sim.campaign(3901)
    added, plain = plain_client(sim, 3901, args.records, args.batch_size, args.workers)
    check(added == args.records, "the plain client added %d of %d" % (added, args.records))
    print(row("plain requests + thread pool", args.records, plain=plain))
    sim.campaign(3902)
    sim.clear_log()
    summary, wall, peak = module_run(ctx, 3902, "")
    assert_counts(sim, 3902, summary, args.records)
    print(row("module, no data_token", args.records, summary, wall, plain, peak))
    if args.rate_limit:
        print("%-30s 429 answers handled: %d" % ("", sim.rate_limited()))
    return plain, summary["elapsed"], wall


def with_snapshot(ctx):
    args, sim = ctx["args"], ctx["sim"]
    sim.campaign(3903)
    summary, wall, peak = module_run(ctx, 3903, "data-456")
    assert_counts(sim, 3903, summary, args.records)
    print(row("module, data_token (snapshot)", args.records, summary, wall, None, peak))
    summary, wall, peak = module_run(ctx, 3903, "data-456")
    print(row("module, data_token, re-run", args.records, summary, wall, None, peak))
    # Two reads (the campaign, its records) and not one add.
    check(summary["requests"] == 2 and summary["already_present"] == args.records, "the re-run sent requests: %s" % summary)


def print_bounds(args, ratios):
    low = min(plain / task for plain, task, _wall in ratios)
    high = max(plain / task for plain, task, _wall in ratios)
    print("ratio module task / plain client: %.2f-%.2f over %d run(s) (target >= 0.9)" % (low, high, len(ratios)))
    rate = min(args.records / task for _plain, task, _wall in ratios)
    if args.latency_ms:
        bound = 0.8 * args.workers * args.batch_size / (args.latency_ms / 1000.0)
        print("latency: module %.0f rec/s, target 0.8 x workers x batch / latency = %.0f rec/s" % (rate, bound))
    if args.rate_limit:
        bound = 0.95 * args.rate_limit * args.batch_size
        print("rate limit: module %.0f rec/s, target 0.95 x R x batch = %.0f rec/s" % (rate, bound))


def check(condition, message):
    if not condition:
        raise CountError(message)


def assert_counts(sim, cid, summary, records):
    """Counts, not times: every record in the campaign, none failed or uncertain (so no 429 left unhandled)."""
    total = sim.total(cid)
    wrong = summary["added"] + summary["already_present"] != records or summary["failed"] or summary["uncertain"]
    check(not wrong and total == records, "campaign %d holds %d records; summary %s" % (cid, total, summary))


if __name__ == "__main__":
    sys.exit(main())

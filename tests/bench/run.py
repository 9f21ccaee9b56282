#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark of campaign_customer against the simulator. Prints figures; asserts counts, never times.

    python tests/bench/run.py                          # make bench: 100,000 records
    python tests/bench/run.py --records 20k            # make bench-smoke (inside make test)
    python tests/bench/run.py --records 1m             # 1 M records (1000000 works too)
    python tests/bench/run.py --records 5m             # 5 M, with and without data_token (peak RSS)
    python tests/bench/run.py --latency-ms 50          # expect >= 0.9 x workers x batch / latency
    python tests/bench/run.py --rate-limit 50          # expect >= 0.95 x R x batch, no 429 left unhandled
    python tests/bench/run.py --records 1m --repeat 3 --skip-data-token   # ranges on a busy machine
    python tests/bench/run.py --parallel 4 --rate-limit 50   # 1 task alone, then 4 tasks of one tenant (parallel.py)
    python tests/bench/run.py --v1                     # the Campaigns API v1 (api campaigns_v1) beside plain requests (v1.py)

One table, one row per run, each against a fresh campaign of one simulator: an ansible.builtin.uri loop
(--uri-requests POSTs of batch_size customers, one after the other, rate extrapolated), the plainest fast
client (requests + a thread pool, one session per thread, the same batch size and workers), the module
through ansible-playbook without data_token, then with data_token and its re-run (which must send nothing).
A module's "task" figure is the task's wall time (from the bench_timings callback: what a user waits for,
without ansible-playbook's start-up); "inside" is the module's own summary.elapsed; "playbook" is the whole
ansible-playbook command. Ratios are records/s over records/s of the plain client (x plain) and of the uri
loop (x uri). Peak RSS is the module process's VmHWM.

Then the wall time of an unchanged campaign_status task (the campaign already has the target status) beside
one ansible.builtin.uri GET of the same campaign: --status-repeat tasks of each, alternated, median.

Exits 1 when a count is wrong (campaign contents, summary, requests of the re-run, a status task that
changed something): that is correctness. Times are figures only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

import parallel
import v1

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CALLBACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "callback_plugins")
FIXTURE = {
    "tenant": "acme",
    "action_token": "act-123",
    "data_token": "data-456",
    "crm_customers": [{"from": 1000000, "count": 6000000}],
    "campaigns": [],
    "api_key": v1.API_KEY,
    "campaigns_v1": [],
}
AUTH = ("acme", "act-123")
FIRST_ID = 1000000
# Campaigns of the bench's own simulator (one per run, so every count starts from zero).
URI_CAMPAIGN, STATUS_CAMPAIGN, FIRST_RUN_CAMPAIGN = 3900, 3901, 3910
SHELLS = (b"sh", b"bash", b"dash")


def count(text):
    """A record count: 100000, 100k, 1m, 5M."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1000, "m": 1000000}.get(text[-1:], 1)
    try:
        value = int(text[:-1] if factor > 1 else text) * factor
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a record count such as 100000, 100k or 1m" % text)
    if value < 1:
        raise argparse.ArgumentTypeError("the record count must be positive")
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=count, default=100000, help="records of the plain client and module runs: 100000, 100k, 1m, 5m")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=0, help="simulator latency of every API request")
    parser.add_argument("--rate-limit", type=float, default=0, help="simulator rate limit, requests/s (429 + Retry-After above it)")
    parser.add_argument("--rate-limit-headers", default="off", choices=("off", "x-ratelimit", "ratelimit", "both"), help="simulator rate-limit headers")
    parser.add_argument("--parallel", type=int, default=0, help="only the parallel scenario: 1 task alone, then N tasks of one tenant (needs --rate-limit)")
    parser.add_argument("--uri-requests", type=int, default=10, help="items of the ansible.builtin.uri loop, batch_size customers each (0: skip)")
    parser.add_argument("--status-repeat", type=int, default=5, help="campaign_status and uri tasks timed for the per-task figure (0: skip)")
    parser.add_argument("--v1", action="store_true", help="only the Campaigns API v1 scenario: plain requests, the module with ledger_path, its re-run")
    parser.add_argument("--v1-skip-loop", action="store_true", help="--v1 without the 1-session plain loop (its row only): cheaper repeats of the ratio")
    parser.add_argument("--skip-data-token", action="store_true", help="only the runs without data_token")
    parser.add_argument("--repeat", type=int, default=1, help="run the plain client and the module (no data_token) this many times")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the module (needs requests)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    return parser.parse_args(argv)


class CountError(Exception):
    """A wrong count: a bug the bench must not hide."""


def check(condition, message):
    if not condition:
        raise CountError(message)


# ---------------------------------------------------------------- simulator


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
        cmd = [sys.executable, os.path.join(ROOT, "tests", "simulator", "run.py"), "--port", str(self.port), "--fixture", fixture]
        cmd += ["--latency-ms", str(args.latency_ms), "--rate-limit", str(args.rate_limit), "--rate-limit-headers", args.rate_limit_headers]
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

    def state(self, cid):
        return requests.get("%s/_sim/campaigns/%d" % (self.url, cid)).json()

    def total(self, cid):
        return self.state(cid)["records_total"]

    def clear_log(self):
        requests.delete(self.url + "/_sim/requests").raise_for_status()

    def rate_limited(self):
        log = requests.get(self.url + "/_sim/requests").json()["requests"]
        return sum(1 for entry in log if entry["fault"] == "rate_limited")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)
        self.log.close()


# ---------------------------------------------------------------- the plain reference client


def write_csv(path, records, first=FIRST_ID):
    with open(path, "w") as handle:
        handle.write("customer-id,schedule-date-time\n")
        step = 100000
        for low in range(first, first + records, step):
            handle.write("".join("%d,\n" % cid for cid in range(low, min(low + step, first + records))))


def plain_client(sim, cid, records, batch_size, workers):
    """The plainest fast client: requests, a thread pool, one session per thread; (added, seconds)."""
    local = threading.local()
    url = "%s/api/tstats/campaigns/%d/customers" % (sim.url, cid)

    def post(low):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        body = [{"customer-id": str(i)} for i in range(low, min(low + batch_size, FIRST_ID + records))]
        while True:
            response = session.post(url, data=json.dumps(body), auth=AUTH, headers={"Content-Type": "application/json"})
            if response.status_code != 429:
                break
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return sum(1 for item in response.json() if item["http-status"] == 200)

    started = time.time()
    with ThreadPoolExecutor(workers) as pool:
        added = sum(pool.map(post, range(FIRST_ID, FIRST_ID + records, batch_size)))
    return added, time.time() - started


# ---------------------------------------------------------------- playbooks

PLAY = """- hosts: localhost
  gather_facts: false
  tasks:
%s
    - name: bench result
      ansible.builtin.copy:
        content: "{{ %s | to_json }}"
        dest: "{{ out }}"
"""

MODULE_TASK = """    - name: module
      eightbyeight.dynamic_campaigns.campaign_customer:
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

# What a user would write without the module: the customers as a list (say from read_csv), posted in batches.
URI_LOOP_TASK = """    - name: uri loop
      ansible.builtin.uri:
        url: "{{ url }}/api/tstats/campaigns/{{ cid }}/customers"
        method: POST
        user: acme
        password: act-123
        force_basic_auth: true
        body_format: json
        body: "{{ item }}"
        status_code: 207
      loop: "{{ customers | batch(batch_size | int) | list }}"
      register: r"""

STATUS_TASK = """    - name: status %(n)d
      eightbyeight.dynamic_campaigns.campaign_status:
        campaign_id: "{{ cid }}"
        status: running
        tenant: acme
        base_url: "{{ url }}"
        action_token: act-123
        data_token: data-456
      register: s%(n)d"""

URI_GET_TASK = """    - name: uri %(n)d
      ansible.builtin.uri:
        url: "{{ url }}/api/stats/campaigns/{{ cid }}.json"
        user: acme
        password: data-456
        force_basic_auth: true
      register: u%(n)d"""


def playbook(work, name, tasks, result):
    path = os.path.join(work, name + ".yml")
    with open(path, "w") as handle:
        handle.write(PLAY % (tasks, result))
    return path


def status_playbook(work, repeat):
    """Status and uri tasks alternated, so that a busy moment of the machine hits both alike."""
    tasks = "\n".join(STATUS_TASK % {"n": n} + "\n" + URI_GET_TASK % {"n": n} for n in range(repeat))
    result = "{'status': [%s], 'uri': [%s]}" % (", ".join("s%d" % n for n in range(repeat)), ", ".join("u%d" % n for n in range(repeat)))
    return playbook(work, "status", tasks, result)


def collection_copy(work):
    dest = os.path.join(work, "collections", "ansible_collections", "eightbyeight", "dynamic_campaigns")
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(".git", ".venv", "build", "tests", "*.pyc"))
    return os.path.dirname(os.path.dirname(os.path.dirname(dest)))


class PeakRss(threading.Thread):
    """Finds the module process (AnsiballZ_campaign_customer) and keeps its VmHWM.

    Only the search scans /proc; once found, only that process is read, so the probe costs the
    measured run next to nothing."""

    def __init__(self):
        super(PeakRss, self).__init__(daemon=True)
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            pid = self.find()
            while pid and self.sample(pid):
                self.stopped.wait(0.05)
            self.stopped.wait(0.1)

    @staticmethod
    def find():
        for pid in os.listdir("/proc"):
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as handle:
                    argv = handle.read().split(b"\0")
                # The module's interpreter, not the shell that starts it.
                if any(b"AnsiballZ_campaign_customer" in arg for arg in argv) and os.path.basename(argv[0]) not in SHELLS:
                    return pid
            except (IOError, OSError):
                pass
        return None

    def sample(self, pid):
        try:
            with open("/proc/%s/status" % pid) as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            return True
        except (IOError, OSError, ValueError):
            return False


def run_playbook(ctx, path, extra, vars_file=None, inventory=None, forks=None):
    """(registered result, {task name: seconds}, ansible-playbook seconds, module peak RSS MB).

    Each run has a temporary directory of its own (TMPDIR), so a task never inherits the rate budget
    (plugins/module_utils/rate_budget.py) that an earlier run learned."""
    work = ctx["work"]
    out, timings = os.path.join(work, "result.json"), os.path.join(work, "timings.json")
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=ctx["collections"],
        ANSIBLE_CALLBACK_PLUGINS=CALLBACKS,
        ANSIBLE_CALLBACKS_ENABLED="bench_timings",
        BENCH_TIMINGS_PATH=timings,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        TMPDIR=tempfile.mkdtemp(dir=work, prefix="tmp-"),
    )
    extra = dict(extra, out=out, url=ctx["sim"].url, batch_size=ctx["args"].batch_size, ansible_python_interpreter=ctx["args"].python)
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), path, "-e", json.dumps(extra)]
    command += ["-e", "@" + vars_file] if vars_file else []
    command += ["-i", inventory, "-f", str(forks or 5)] if inventory else []
    monitor = PeakRss()
    monitor.start()
    started = time.time()
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    wall = time.time() - started
    monitor.stopped.set()
    monitor.join()
    if done.returncode:
        print(done.stdout[-3000:])
        raise RuntimeError("ansible-playbook %s failed" % os.path.basename(path))
    with open(out) as handle, open(timings) as times:
        return json.load(handle), {entry["task"]: entry["seconds"] for entry in json.load(times)}, wall, monitor.peak_kb / 1024.0


# ---------------------------------------------------------------- the table

COLUMNS = "%-42s %9s %8s %10s %8s %8s %9s %8s %7s"
HEADER = COLUMNS % ("scenario", "records", "seconds", "records/s", "x plain", "x uri", "peak RSS", "requests", "retries")
SUBHEADER = COLUMNS % ("", "", "", "", "", "", "MB", "", "")


def row(ctx, label, records, seconds, summary=None, peak=None):
    """Keeps one table line (printed at the end, when the uri rate is known); its records/s."""
    ctx["rows"].append(dict(label=label, records=records, seconds=seconds, summary=summary, peak=peak, plain_rate=ctx.get("plain_rate")))
    if not label.startswith(" "):
        progress("%s: %.2f s" % (label, seconds))
    return records / seconds


def progress(text):
    sys.stderr.write("... %s\n" % text)
    sys.stderr.flush()


def print_table(ctx):
    print(HEADER)
    print(SUBHEADER)
    uri_rate = ctx.get("uri_rate")
    for line in ctx["rows"]:
        rate = line["records"] / line["seconds"]
        cells = [line["label"], str(line["records"]), "%.2f" % line["seconds"], "%.0f" % rate]
        cells.append("%.2f" % (rate / line["plain_rate"]) if line["plain_rate"] else "")
        cells.append("%.1f" % (rate / uri_rate) if uri_rate else "")
        cells.append("%.1f" % line["peak"] if line["peak"] else "")
        cells += [str(line["summary"]["requests"]), str(line["summary"]["retries"])] if line["summary"] else ["", ""]
        print(COLUMNS % tuple(cells))


def uri_loop(ctx):
    args, sim = ctx["args"], ctx["sim"]
    sim.campaign(URI_CAMPAIGN)
    records = args.uri_requests * args.batch_size
    customers = os.path.join(ctx["work"], "uri-customers.json")
    with open(customers, "w") as handle:
        json.dump({"customers": [{"customer-id": str(cid)} for cid in range(FIRST_ID, FIRST_ID + records)]}, handle)
    path = playbook(ctx["work"], "uri", URI_LOOP_TASK, "r.results | map(attribute='status') | list")
    statuses, timings, _wall, _peak = run_playbook(ctx, path, dict(cid=URI_CAMPAIGN), customers)
    check(statuses == [207] * args.uri_requests and sim.total(URI_CAMPAIGN) == records, "the uri loop left %d records" % sim.total(URI_CAMPAIGN))
    label = "ansible.builtin.uri loop, %d x %d" % (args.uri_requests, args.batch_size)
    ctx["uri_rate"] = row(ctx, label, records, timings["uri loop"])


def plain(ctx, cid):
    args = ctx["args"]
    ctx["sim"].campaign(cid)
    added, seconds = plain_client(ctx["sim"], cid, args.records, args.batch_size, args.workers)
    check(added == args.records, "the plain client added %d of %d" % (added, args.records))
    ctx["plain_rate"] = args.records / seconds
    row(ctx, "plain requests + thread pool", args.records, seconds)


def module(ctx, cid, data_token, label):
    """One module task through ansible-playbook; its task rate."""
    args = ctx["args"]
    extra = dict(cid=cid, csv=ctx["csv"], data_token=data_token, workers=args.workers)
    summary, timings, wall, peak = run_playbook(ctx, ctx["module_play"], extra)
    summary = summary["summary"]
    rate = row(ctx, label, args.records, timings["module"], summary, peak)
    row(ctx, "  inside the module (summary.elapsed)", args.records, summary["elapsed"])
    row(ctx, "  whole ansible-playbook command", args.records, wall)
    return summary, rate


def compare(ctx, attempt):
    """The plain client, then the module without data_token; (plain rate, module task rate)."""
    args, sim = ctx["args"], ctx["sim"]
    cid = FIRST_RUN_CAMPAIGN + 2 * attempt
    plain(ctx, cid)
    sim.campaign(cid + 1)
    sim.clear_log()
    summary, rate = module(ctx, cid + 1, "", "module task, no data_token")
    assert_counts(sim, cid + 1, summary, args.records)
    if args.rate_limit:
        ctx["notes"].append("429 answers the module handled (run %d): %d" % (attempt + 1, sim.rate_limited()))
    return ctx["plain_rate"], rate, args.records / summary["elapsed"]


def with_snapshot(ctx):
    args, sim = ctx["args"], ctx["sim"]
    cid = FIRST_RUN_CAMPAIGN + 2 * args.repeat
    sim.campaign(cid)
    summary, _rate = module(ctx, cid, "data-456", "module task, data_token")
    assert_counts(sim, cid, summary, args.records)
    summary, _rate = module(ctx, cid, "data-456", "module task, data_token, re-run (no-op)")
    # Two reads (the campaign, its records) and not one add.
    check(summary["requests"] == 2 and summary["already_present"] == args.records, "the re-run sent requests: %s" % summary)


def assert_counts(sim, cid, summary, records):
    """Counts, not times: every record in the campaign, none failed or uncertain (so no 429 left unhandled)."""
    total = sim.total(cid)
    wrong = summary["added"] + summary["already_present"] != records or summary["failed"] or summary["uncertain"]
    check(not wrong and total == records, "campaign %d holds %d records; summary %s" % (cid, total, summary))


def spread(values):
    """The median, and the range when there are several runs."""
    text = "%.2f" % statistics.median(values)
    return text if len(values) == 1 else "%s (%.2f-%.2f over %d runs)" % (text, min(values), max(values), len(values))


def print_ratios(ctx, ratios):
    """ratios: (plain rate, module task rate, rate inside the module) of each run."""
    args = ctx["args"]
    task = [rate / plain_rate for plain_rate, rate, _inside in ratios]
    inside = [rate / plain_rate for plain_rate, _task, rate in ratios]
    print("module / plain client, records/s: task %s, inside the module %s" % (spread(task), spread(inside)))
    print("  (target >= 0.9 for bulk loads; below ~100,000 records a task's fixed start-up cost weighs: docs/performance.md)")
    if ctx.get("uri_rate"):
        print("module / uri loop, records/s of the task: %.0f" % (statistics.median(rate for _plain, rate, _inside in ratios) / ctx["uri_rate"]))
    rates = "task %.0f, inside %.0f records/s" % (min(rate for _p, rate, _i in ratios), min(rate for _p, _t, rate in ratios))
    if args.latency_ms:
        bound = 0.9 * args.workers * args.batch_size / (args.latency_ms / 1000.0)
        print("latency: module %s; target 0.9 x workers x batch / latency = %.0f records/s" % (rates, bound))
    if args.rate_limit:
        bound = 0.95 * args.rate_limit * args.batch_size
        print("rate limit: module %s; target 0.95 x R x batch = %.0f records/s" % (rates, bound))


# ---------------------------------------------------------------- an unchanged status task beside a uri task


def status_beside_uri(ctx):
    repeat, sim = ctx["args"].status_repeat, ctx["sim"]
    sim.campaign(STATUS_CAMPAIGN)
    result, timings, _wall, _peak = run_playbook(ctx, status_playbook(ctx["work"], repeat), dict(cid=STATUS_CAMPAIGN))
    changed = [n for n, status in enumerate(result["status"]) if status["changed"] or status.get("failed")]
    check(not changed and sim.state(STATUS_CAMPAIGN)["status"] == "RUNNING", "campaign_status changed a running campaign (tasks %s)" % changed)
    check(all(answer["status"] == 200 for answer in result["uri"]), "a uri GET did not answer 200")
    status = [timings["status %d" % n] for n in range(repeat)]
    uri = [timings["uri %d" % n] for n in range(repeat)]
    return [
        "",
        "one task's wall time, median of %d (min-max), campaign %d already running:" % (repeat, STATUS_CAMPAIGN),
        "  campaign_status, status: running, data_token (unchanged)  %.2f s (%.2f-%.2f)" % (statistics.median(status), min(status), max(status)),
        "  ansible.builtin.uri GET of the campaign                    %.2f s (%.2f-%.2f)" % (statistics.median(uri), min(uri), max(uri)),
        "  campaign_status / uri: %.2f" % (statistics.median(status) / statistics.median(uri)),
    ]


# ---------------------------------------------------------------- main


def describe(args):
    version = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible"), "--version"], stdout=subprocess.PIPE, universal_newlines=True, check=False
    ).stdout.split("\n")[0]
    print("%s, Python %s, %d CPUs, load %.2f" % (version, platform.python_version(), os.cpu_count(), os.getloadavg()[0]))
    print(
        "records %d, batch_size %d, workers %d, latency %g ms, rate limit %g/s"
        % (args.records, args.batch_size, args.workers, args.latency_ms, args.rate_limit)
    )


def report(ctx):
    args = ctx["args"]
    describe(args)
    if args.parallel:
        parallel.report(ctx, run_playbook, check, write_csv, FIRST_ID)
        return
    if args.v1:
        ratios = v1.report(ctx, run_playbook, playbook, row, check)
        print_table(ctx)
        print()
        print_ratios(ctx, ratios)
        for line in ctx["notes"]:
            print(line)
        return
    if args.uri_requests:
        uri_loop(ctx)
    ratios = [compare(ctx, attempt) for attempt in range(args.repeat)]
    if not args.skip_data_token:
        with_snapshot(ctx)
    status = status_beside_uri(ctx) if args.status_repeat else []
    print_table(ctx)
    print()
    print_ratios(ctx, ratios)
    for line in ctx["notes"] + status:
        print(line)


def main(argv=None):
    args = parse_args(argv)
    if args.parallel and not args.rate_limit:
        raise SystemExit("--parallel needs --rate-limit R: its figures are fractions of R x batch_size")
    work = tempfile.mkdtemp(prefix="dc-bench-")
    try:
        sim = Simulator(work, args)
    except RuntimeError:
        shutil.rmtree(work, ignore_errors=True)
        raise
    try:
        ctx = dict(args=args, work=work, sim=sim, rows=[], notes=[], csv=os.path.join(work, "customers.csv"), collections=collection_copy(work))
        ctx["module_play"] = playbook(work, "module", MODULE_TASK, "r")
        if not args.v1:
            write_csv(ctx["csv"], args.records)
        report(ctx)
    except CountError as exc:
        print("COUNT CHECK FAILED: %s" % exc)
        return 1
    finally:
        sim.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("work directory kept: %s" % work)
    return 0


if __name__ == "__main__":
    sys.exit(main())

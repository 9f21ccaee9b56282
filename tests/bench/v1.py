# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Campaigns API v1 scenario of tests/bench/run.py: campaign_customer on api campaigns_v1 beside plain requests.

    python tests/bench/run.py --v1                    # 100,000 records
    python tests/bench/run.py --v1 --records 1m --repeat 3
    python tests/bench/run.py --v1 --records 1m --repeat 7 --v1-skip-loop   # the ratio only, more pairs

Against the simulator's v1 API (same process and port as the legacy one), each run on a fresh RUNNING campaign:
a plain requests loop (one session, the same 100-record batches one after the other), plain requests with a
thread pool (one session per thread, `--workers` threads: the reference of "x plain"), then the module with
`ledger_path` and the same workers, then the module again on the fully loaded campaign, which must send no add
request: the simulator's request log (/_sim/requests) is checked for POSTs to .../records. Counts are checked
(every record in its campaign, the summary exact); times are figures only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

API_KEY, SITE, TENANT = "eght_bench-key", "US1", "acme"
HEADERS = {"X-API-Key": API_KEY, "X-8x8-Tenant": TENANT, "Content-Type": "application/vnd.campaigns.v1+json"}
FIRST = 1000000

TASK = """    - name: module
      eightbyeight.dynamic_campaigns.campaign_customer:
        campaign_id: "{{ cid }}"
        customers_file: "{{ csv }}"
        tenant: acme
        base_url: "{{ url }}"
        api_key: eght_bench-key
        site: us1
        ledger_path: "{{ ledger }}"
        batch_size: "{{ batch_size }}"
        workers: "{{ workers }}"
        allow_partial: true
      register: r"""


def campaign_id(number):
    return "00000b00-0000-4000-8000-{0:012d}".format(number)


def write_csv(path, records):
    with open(path, "w") as handle:
        handle.write("customer-id\n")
        handle.write("".join("R%d\n" % n for n in range(FIRST, FIRST + records)))


def fresh_campaign(sim, cid):
    requests.put("%s/_sim/v1/campaigns/%s" % (sim.url, cid), json={"state": "RUNNING"}).raise_for_status()


def release(sim, cid):
    """Empty a measured campaign: the simulator then holds one loaded campaign at a time. A simulator holding every
    run's million records (its heap grows by ~0.4 GB a run) slows the later module runs by 10-15 % while the plain
    client's stay as they were; measured on this machine, not an effect of the API's side of 8x8."""
    fresh_campaign(sim, cid)


def total(sim, cid):
    return requests.get("%s/_sim/v1/campaigns/%s" % (sim.url, cid)).json()["records_total"]


def add_requests(sim):
    log = requests.get(sim.url + "/_sim/requests").json()["requests"]
    return sum(1 for entry in log if entry["method"] == "POST" and entry["path"].rstrip("/").endswith("/records"))


def plain_client(sim, cid, records, batch_size, workers):
    """requests with one session per thread; (added, seconds). workers=1 is the plain loop."""
    local = threading.local()
    url = "%s/cc/%s/campaigns/v1/%s/records" % (sim.url, SITE, cid)

    def post(low):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        body = {"records": [{"crmRecordId": "R%d" % n} for n in range(low, min(low + batch_size, FIRST + records))]}
        response = session.post(url, data=json.dumps(body), headers=HEADERS)
        response.raise_for_status()
        return len(response.json()["records"])

    started = time.time()
    with ThreadPoolExecutor(workers) as pool:
        added = sum(pool.map(post, range(FIRST, FIRST + records, batch_size)))
    return added, time.time() - started


def report(ctx, run_playbook, playbook, row, check):
    """The v1 rows of the table; [(plain rate, module task rate, rate inside the module)] of each repeat."""
    args, sim = ctx["args"], ctx["sim"]
    csv_path = os.path.join(ctx["work"], "v1-customers.csv")
    write_csv(csv_path, args.records)
    play = playbook(ctx["work"], "v1-module", TASK, "r")
    ratios = []
    for attempt in range(args.repeat):
        base = 10 * attempt
        if not args.v1_skip_loop:
            plain_loop(ctx, row, check, campaign_id(base + 1))
        fresh_campaign(sim, campaign_id(base + 2))
        added, seconds = plain_client(sim, campaign_id(base + 2), args.records, args.batch_size, args.workers)
        check(added == args.records == total(sim, campaign_id(base + 2)), "the plain v1 client added %d of %d" % (added, args.records))
        release(sim, campaign_id(base + 2))
        plain_rate = args.records / seconds
        row(ctx, "v1 plain requests + thread pool", args.records, seconds)
        ctx["plain_rate"] = plain_rate
        ratios.append((plain_rate,) + module_runs(ctx, run_playbook, play, csv_path, campaign_id(base + 3), row, check))
    return ratios


def plain_loop(ctx, row, check, cid):
    """The table's first row: plain requests, one session, one batch after the other."""
    args, sim = ctx["args"], ctx["sim"]
    fresh_campaign(sim, cid)
    added, seconds = plain_client(sim, cid, args.records, args.batch_size, 1)
    check(added == args.records == total(sim, cid), "the plain v1 loop added %d of %d" % (added, args.records))
    release(sim, cid)
    ctx["plain_rate"] = None
    row(ctx, "v1 plain requests loop, 1 session", args.records, seconds)


def module_runs(ctx, run_playbook, play, csv_path, cid, row, check):
    """The module with a fresh ledger, then again (no add request); (task rate, rate inside) of the first."""
    args, sim = ctx["args"], ctx["sim"]
    fresh_campaign(sim, cid)
    extra = dict(cid=cid, csv=csv_path, workers=args.workers, ledger=os.path.join(ctx["work"], "ledger-%s.sqlite" % cid))
    result, timings, wall, peak = run_playbook(ctx, play, extra)
    summary = result["summary"]
    counted = (summary["added"], summary["already_present"], summary["failed"], summary["uncertain"])
    check(counted == (args.records, 0, 0, 0) and total(sim, cid) == args.records, "v1 campaign %s holds %d; summary %s" % (cid, total(sim, cid), summary))
    rate = row(ctx, "v1 module task, ledger_path", args.records, timings["module"], summary, peak)
    inside = row(ctx, "  inside the module (summary.elapsed)", args.records, summary["elapsed"])
    row(ctx, "  whole ansible-playbook command", args.records, wall)
    sim.clear_log()
    result, timings, _wall, _peak = run_playbook(ctx, play, extra)
    summary, posts = result["summary"], add_requests(sim)
    check(posts == 0 and summary["requests"] == 0, "the v1 re-run with ledger_path sent %d add request(s): %s" % (posts, summary))
    check(summary["already_present"] == args.records and not result["changed"], "the v1 re-run counted %s" % summary)
    row(ctx, "v1 module task, re-run with ledger (no-op)", args.records, timings["module"], summary)
    ctx["notes"].append("v1 re-run with ledger_path: %d add requests in the simulator's log (must be 0)" % posts)
    release(sim, cid)
    return rate, inside

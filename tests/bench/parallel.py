# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The parallel scenario of tests/bench/run.py: N campaign_customer tasks of one tenant under one rate limit.

    python tests/bench/run.py --parallel 4 --rate-limit 50            # 100,000 records: 1 task, then 4 x 25,000
    python tests/bench/run.py --parallel 4 --rate-limit 50 --rate-limit-headers both

One ansible-playbook with N inventory hosts (local connection, forks N), each host one task on its own campaign
with records/N customers: what `forks` does with one campaign set per host. Before it, in the same run, one
task alone with all the records. Each figure is the records per second over the bound R x batch_size, with the
share of the API's answers that were 429. Every task runs with a fresh temporary directory, so no task inherits a
rate another one learned. Counts are checked (every record in its campaign); times are figures only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import requests

SINGLE_CAMPAIGN, FIRST_PARALLEL_CAMPAIGN = 3960, 3970

PLAY = """- hosts: bench
  gather_facts: false
  tasks:
    - name: module
      eightbyeight.dynamic_campaigns.campaign_customer:
        campaign_id: "{{ cid }}"
        customers_file: "{{ csv }}"
        tenant: acme
        base_url: "{{ url }}"
        action_token: act-123
        batch_size: "{{ batch_size }}"
        workers: "{{ workers }}"
        allow_partial: true
      register: r

    - name: bench result
      ansible.builtin.copy:
        content: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'r'))) | to_json }}"
        dest: "{{ out }}"
      run_once: true
"""

COLUMNS = "%-44s %8s %8s %10s %10s %9s %6s %9s"


def api_log(sim):
    """(requests, 429 answers) of the simulator's log since it was last cleared."""
    entries = requests.get(sim.url + "/_sim/requests").json()["requests"]
    return len(entries), sum(1 for entry in entries if entry["fault"] == "rate_limited")


def write_parts(ctx, tasks, per_task, first_id, write_csv):
    """One CSV of per_task customers for each task (distinct ids), and the inventory naming them."""
    lines = ["[bench]"]
    for number in range(tasks):
        path = os.path.join(ctx["work"], "part-%d.csv" % number)
        write_csv(path, per_task, first_id + number * per_task)
        lines.append("bench%d ansible_connection=local cid=%d csv=%s" % (number, FIRST_PARALLEL_CAMPAIGN + number, path))
    inventory = os.path.join(ctx["work"], "parallel-inventory.ini")
    with open(inventory, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return inventory


def run_tasks(ctx, inventory, tasks, run_playbook):
    """Run the play on every host of the inventory at once; (results by host, seconds of the slowest task)."""
    path = os.path.join(ctx["work"], "parallel.yml")
    with open(path, "w") as handle:
        handle.write(PLAY)
    extra = dict(workers=ctx["args"].workers)
    results, _timings, _wall, _peak = run_playbook(ctx, path, extra, inventory=inventory, forks=tasks)
    with open(os.path.join(ctx["work"], "timings.json")) as handle:
        timings = [entry for entry in json.load(handle) if entry["task"] == "module"]
    # The modules' window: from the first module's start (its result's time less its elapsed) to the last result.
    starts = [entry["ended"] - results[entry["host"]]["summary"]["elapsed"] for entry in timings]
    window = max(entry["ended"] for entry in timings) - min(starts)
    return results, [entry["seconds"] for entry in timings], window


def alone_inside_ratio(args, seconds, bound):
    return args.records / seconds / bound


def figure(label, records, seconds, bound, log):
    rate = records / seconds
    total, limited = log
    share = 100.0 * limited / total if total else 0.0
    return COLUMNS % (label, records, "%.2f" % seconds, "%.0f" % rate, "%.3f" % (rate / bound), total, limited, "%.1f%%" % share), rate / bound


def single(ctx, run_playbook, check):
    """One task alone with every record, under the same limit."""
    args, sim = ctx["args"], ctx["sim"]
    sim.campaign(SINGLE_CAMPAIGN)
    sim.clear_log()
    inventory = os.path.join(ctx["work"], "single-inventory.ini")
    with open(inventory, "w") as handle:
        handle.write("[bench]\nalone ansible_connection=local cid=%d csv=%s\n" % (SINGLE_CAMPAIGN, ctx["csv"]))
    results, seconds, _window = run_tasks(ctx, inventory, 1, run_playbook)
    summary = results["alone"]["summary"]
    check(summary["added"] == args.records and sim.total(SINGLE_CAMPAIGN) == args.records, "the single task left %s" % summary)
    return max(seconds), summary["elapsed"], api_log(sim)


def parallel(ctx, run_playbook, check, write_csv, first_id):
    """N tasks of records/N each, at once."""
    args, sim = ctx["args"], ctx["sim"]
    per_task = args.records // args.parallel
    for number in range(args.parallel):
        sim.campaign(FIRST_PARALLEL_CAMPAIGN + number)
    inventory = write_parts(ctx, args.parallel, per_task, first_id, write_csv)
    sim.clear_log()
    results, seconds, inside = run_tasks(ctx, inventory, args.parallel, run_playbook)
    log = api_log(sim)
    for number in range(args.parallel):
        summary = results["bench%d" % number]["summary"]
        total = sim.total(FIRST_PARALLEL_CAMPAIGN + number)
        check(summary["added"] == per_task and total == per_task, "parallel task %d: campaign holds %d; summary %s" % (number, total, summary))
    return per_task, seconds, inside, log


def report(ctx, run_playbook, check, write_csv, first_id):
    """The single task, then the N parallel tasks; prints both figures."""
    args = ctx["args"]
    bound = args.rate_limit * args.batch_size
    alone_seconds, alone_inside, alone_log = single(ctx, run_playbook, check)
    per_task, seconds, inside, log = parallel(ctx, run_playbook, check, write_csv, first_id)
    print(
        "parallel: %d tasks of one tenant, %d records each, rate limit %g/s, batch_size %d, workers %d; bound R x batch = %.0f records/s"
        % (args.parallel, per_task, args.rate_limit, args.batch_size, args.workers, bound)
    )
    print(COLUMNS % ("scenario", "records", "seconds", "records/s", "x R*batch", "requests", "429s", "429 share"))
    line, alone = figure("1 task alone", args.records, alone_seconds, bound, alone_log)
    print(line)
    print(figure("  inside the module (summary.elapsed)", args.records, alone_inside, bound, alone_log)[0])
    line, together = figure("%d tasks in parallel (forks %d)" % (args.parallel, args.parallel), per_task * args.parallel, max(seconds), bound, log)
    print(line)
    line, together_inside = figure("  inside the modules (first start-last end)", per_task * args.parallel, inside, bound, log)
    print(line)
    print("  each task's seconds: %s" % ", ".join("%.2f" % value for value in sorted(seconds)))
    print(
        "aggregate %.3f of R x batch inside the modules, %.3f of the task (target >= 0.9, 429s <= 5%%); one task alone %.3f, %.3f of the task (target >= 0.95)"
        % (together_inside, together, alone_inside_ratio(args, alone_inside, bound), alone)
    )
    print("  (a task's figure counts from the task's start: Ansible's fixed start-up of each module is in it, more with forks: docs/performance.md)")

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: campaign_customer
short_description: Add or remove customers of an 8x8 dynamic campaign in bulk, up to 5 million records
version_added: 0.1.0
description:
  - Declares which customers an 8x8 dynamic campaign should hold (O(state=present)) or not hold (O(state=absent)),
    from a list, a CSV or JSON Lines file, or both, and sends the changes in parallel batches.
  - On O(api=campaigns_v1) the Contact Center Campaigns API v1 can only add records, in all-or-nothing batches of at
    most 100 (O(batch_size)). A record the campaign holds already is counted C(already_present) and the rest of its
    batch sent again; a record with a field error is isolated by halving its batch and reported on its own.
    O(state=absent), O(exclusive), O(max_removals), O(reschedule), the suppression options and O(calling_hours) need a
    read or a delete and are refused before any call. Batches go in parallel (O(workers)) and are paced as on the
    legacy API. A batch that got no answer after retries may or may not have been added; its records are counted
    C(uncertain), with a warning, and a re-run counts them exactly. So is a record refused as held after an earlier
    attempt of the same request got no answer (that attempt may have added it; the API has no read to tell).
  - The whole input is validated in a first streaming pass before any HTTP call; files are never loaded whole. An
    empty file, a CSV row with more fields than its header, text that is not UTF-8 or a broken JSON line are
    refused naming the file line. Schedules are checked against the campaign's window once it was read.
  - With O(data_token) the module reads the campaign and its records once before the first write. Customers the
    campaign already holds are not sent again, every result is counted against that read, and check mode reports
    exactly what would change.
  - The file is read where the module runs, which is the controller when the task is delegated to localhost.
author:
  - eightbyeight.dynamic_campaigns contributors (@eightbyeight)
options:
  state:
    description:
      - V(present) adds the customers that the campaign does not hold yet.
      - V(absent) deletes the customers' records; only records that are new, queued or scheduled can be deleted.
    type: str
    choices: [present, absent]
    default: present
  customers:
    description:
      - Customers given inline. Each item is a customer id (the ACCOUNTNUM of the tenant's CRM, an integer or a
        string of digits, from 1 to 10^22) or a dict with C(customer_id) and optional C(schedule).
      - An id written with a point or an exponent (V(5.0)) is accepted only when it is a whole number up to 2^53,
        which a float holds exactly; quote longer ids.
      - C(schedule) is an ISO 8601 date-time with a timezone, in the future, at most 7 days ahead, and inside the
        campaign's window when it has one. It is sent as RFC 3339 UTC (V(2026-12-03T18:11:00Z)), whatever form it
        was written in.
      - A dict may also carry C(timezone), an IANA time zone name, for the O(calling_hours) check of its schedule.
      - Errors about items name them by 0-based index, such as C(customers[0]).
      - On O(api=campaigns_v1) the id is the record's C(crmRecordId), any text of 1 to 32 characters; a dict (or a
        column) may also carry C(priority) (V(HIGH), V(MEDIUM) or V(LOW)) and C(rank) (a number), and C(schedule)
        becomes the record's C(scheduleAt).
    type: list
    elements: raw
  customers_file:
    description:
      - Path to a CSV file (header row; columns C(customer-id) and optional C(schedule-date-time), or the aliases
        C(customer_id) and C(schedule)) or a JSON Lines file (one object per line with the same keys).
      - An optional C(timezone) column or key (an IANA name) sets the zone of that row's O(calling_hours) check.
      - UTF-8 with or without BOM, LF or CRLF; blank lines are ignored, header names are trimmed and
        case-insensitive, other columns are ignored. Errors name file lines, the header being line 1.
      - Read where the module runs; delegate the task to localhost to read a file of the controller.
      - May be combined with O(customers).
    type: path
  customers_file_format:
    description:
      - Format of O(customers_file). By default it comes from the extension (C(.csv); C(.jsonl), C(.ndjson) or
        C(.json) for JSON Lines).
    type: str
    choices: [csv, jsonl]
  exclusive:
    description:
      - With O(state=present), also delete the campaign's deletable records (new, queued, scheduled) that the input
        does not declare. Needs O(data_token).
      - Undeclared records that cannot be deleted (accepted, completed) are kept and counted as C(kept_not_deletable),
        not as failures.
    type: bool
    default: false
  max_removals:
    description:
      - With O(exclusive=true), the most records the task may delete, as a number or a percentage of all the campaign's
        current records (rounded down) such as V(10%).
      - Above it the task fails before deleting anything and says how many it would remove; check mode fails the same
        way. A guard against a wrong or truncated file. When not set, V(10%).
      - Refused without O(exclusive=true), where it would have no effect.
    type: raw
  batch_size:
    description:
      - Customers per add request, from 1 to 10000. When the API answers 413 the batch is split and later batches
        are smaller.
    type: int
    default: 100
  workers:
    description:
      - Requests in flight at once, from 1 to 64. Under a rate limit the pace, not this number, bounds the requests
        a second (see O(max_requests_per_second)).
    type: int
    default: 4
  max_requests_per_second:
    description:
      - This task's share of the tenant's request budget, in requests per second over all its workers, from the
        first request. By default the task has no cap of its own.
      - Whatever this is, the task paces itself as the API answers. The API limits requests per tenant. Every task of
        one tenant and API host that runs on the same machine (Ansible forks, several C(ansible-playbook) commands,
        C(async) tasks) takes its requests from one shared budget, a small state file under the temporary directory of
        the user the module runs as, named by a hash of tenant and host and holding numbers only. That budget is
        unbounded until the first 429, then paced below what the API accepted in the last second and raised again
        while no 429 comes. C(Retry-After) is honoured by the refused request, and by every task of the machine when
        it is 2 seconds or more or the 429s come in a row; C(RateLimit-Policy) (or a policy in C(RateLimit-Limit)) caps
        the pace, and C(RateLimit-Remaining)/C(X-RateLimit-Remaining) of 0 with a reset of 2 seconds or more pauses
        every task until the reset.
      - Tasks on different machines (AWX job slices on several execution nodes, C(delegate_to) different hosts) cannot
        share the file; each machine's pacing converges to a fair share of the limit by itself, after a few 429s. Set
        this option to the tenant's limit divided by the number of machines to avoid those 429s, or below it to leave
        room for other work of the tenant.
    type: float
  allow_partial:
    description:
      - When V(true), invalid rows are reported and the valid ones sent, and items the API refuses do not fail the
        task. They are listed in RV(failures) either way.
      - When V(false), any invalid row fails the task before anything is sent, and any failed item fails it at the
        end.
    type: bool
    default: false
  failed_records_path:
    description:
      - Write every invalid row and failed item to this CSV file (columns C(customer-id), C(schedule-date-time),
        C(timezone), C(line), C(http-status), C(reason)), ready to fix and feed back as O(customers_file).
      - Every row keeps its schedule, also a row refused before sending (invalid, outside the window or the calling
        hours) as written in the input, with its C(timezone), so that it reads back the same. A failed item keeps the
        schedule it was sent with.
      - Written where the module runs.
    type: path
  reschedule:
    description:
      - With O(state=present), for declared rows with a schedule whose customer the campaign already holds, delete the
        record and add it again with the declared schedule, counted as RV(summary.rescheduled). Needs O(data_token).
      - A record that cannot be deleted (accepted, completed) is a per-item failure (C(not_deletable)). A re-add the API
        refuses after the delete leaves the customer out of the campaign; it is a per-item failure, written to
        O(failed_records_path) with its schedule so that it can be fed back.
      - When the records read shows a record's schedule and it is the declared one, nothing is sent. 8x8's documented
        records read does not show schedules; then every run reschedules again, and the module warns.
      - When V(false), a declared schedule for a customer already held is not applied; it is counted as
        RV(summary.schedule_not_applied) and named in one warning.
    type: bool
    default: false
  suppressed_customers:
    description:
      - With O(state=present), do-not-call customer ids (as O(customers) takes them; schedules are ignored). They are
        never added, and where the campaign holds them in a record that can be deleted (new, queued, scheduled) they are
        removed, also when the input does not declare them. Records that cannot be deleted are kept and counted as
        C(kept_not_deletable).
      - Without O(data_token) every suppressed id is sent a delete, since the module cannot read which ones the
        campaign holds; those it does not hold are counted as C(already_absent).
      - Given alone (without O(customers) or O(customers_file)), the task only removes suppressed customers.
      - An id that cannot be read refuses the task before any HTTP call.
    type: list
    elements: raw
  suppressed_file:
    description:
      - Do-not-call ids in a CSV file (a C(customer-id) column; other columns are ignored) or JSON Lines file, as
        O(customers_file) is read; the format comes from the extension. Combined with O(suppressed_customers).
    type: path
  calling_hours:
    description:
      - With O(state=present), the local times a scheduled call may be placed at. A schedule outside them is an
        invalid row, refused before any write, its message naming the row and the customer id.
      - The check happens before any HTTP call when O(calling_hours.timezone) is given; else the campaign is read
        first and its own time zone is used.
    type: dict
    suboptions:
      start:
        description: Earliest local time of a call, C(HH:MM). Included.
        type: str
        required: true
      end:
        description:
          - Latest local time of a call, C(HH:MM). Included (V(21:00) allows 21:00:00).
          - An end before the start is a window past midnight, belonging to the day it starts on.
        type: str
        required: true
      days:
        description: Days of the week calls are allowed on, in local time. All days when omitted.
        type: list
        elements: str
        choices: [mon, tue, wed, thu, fri, sat, sun]
      timezone:
        description:
          - IANA time zone name such as V(America/New_York), used for rows without a C(timezone) of their own.
          - Defaults to the campaign's own zone from the read; required without O(data_token), or when the campaign
            reports none.
        type: str
  assume_started:
    description:
      - Check mode only. An earlier task of the same run starts the campaign (C(campaign_status) with V(running))
        before this one runs, as the campaign_lifecycle role does for a new campaign that it starts before adding its
        customers. Check mode then predicts as for a started campaign and does not warn that a campaign that has not
        started refuses customers.
      - Outside check mode it changes nothing. The campaign is read when the task runs, and one that has not started
        fails the task.
    type: bool
    default: false
  progress_path:
    description:
      - Keep a JSON file with the phase, done, total, rate and ETA up to date (at least every 2 seconds) during the
        run, for C(async) tasks and AWX. Written where the module runs.
    type: path
  ledger_path:
    description:
      - Only on O(api=campaigns_v1), which cannot be read. An SQLite database file (created when missing) of the
        record ids each run saw confirmed in the campaign (added, or refused as held already), and of when.
      - A re-run sends nothing for the ids it holds (counted C(already_present)), and check mode predicts from it.
      - It knows only what runs of this module saw; records added another way are not in it.
      - Confirmations are written by one thread, several batches a transaction, and each batch is counted only once
        its confirmations are committed, so a run stopped by SIGTERM or SIGINT leaves in the ledger every record its
        result counted as added or already present. If the file cannot be written (disk full, locked), the run stops
        with an error naming O(ledger_path); what it added is still counted.
    type: path
extends_documentation_fragment:
  - eightbyeight.dynamic_campaigns.campaign
  - eightbyeight.dynamic_campaigns.connection
attributes:
  check_mode:
    support: full
    description:
      - With O(data_token), check mode reads the campaign's records and reports what would be added and removed,
        without writing. A campaign that has not started is a warning in check mode, not a failure
        (no warning with O(assume_started)).
      - Without O(data_token) it validates the input and reports C(changed=true) with a warning.
      - "What check mode cannot predict, since only the API decides it when the run sends: per-item refusals (a
        customer missing from the tenant's CRM, a schedule the API refuses for a reason the module cannot check);
        records that are accepted or completed (dialed) between the check and the run, and so cannot be deleted;
        rate limiting (a run stopped by a 429 storm); and a campaign changed by someone else in between (its status,
        its records). The counts of check mode are what the read shows; the run counts what happened."
  diff_mode:
    support: full
    description:
      - "Shows the campaign's customers before and after as text, C(before) and C(after), each a count line such as
        C(campaign 4501: 3 customers) and then the ids in order, one a line, cut to 50 with C(... N more). Both
        sides list the same unchanged ids, so only the removed (before) and added (after) customers differ;
        rescheduled ones are marked C((rescheduled)) after, and declared customers left out as suppressed follow
        the list after, under C(suppressed, not added)."
      - In check mode it is the prediction, from the records read.
      - Without O(data_token) (and on O(api=campaigns_v1)) the campaign is not read; C(after) then lists what the
        run added, removed and rescheduled.
notes:
  - Customers must exist in the tenant's CRM; the API refuses others per item (HTTP 404), as it refuses schedules in
    the past, too far ahead or outside the campaign's window.
  - Refusals of the whole request (campaign new, stopped, not dynamic, not enabled, not found) stop the run at once.
  - Answers lost on the way or answered 206 are sent again; with O(data_token) their results are counted against
    the read made before the first write, so the counts stay exact. Without it, such results are counted as
    C(uncertain) with a warning.
  - A run that stops part-way (a request-level refusal such as the campaign stopped by someone else, the API
    unreachable, SIGTERM or SIGINT) fails with C(changed=true) when anything was written and the summary of what
    was done (RV(summary.not_sent) counts what was never sent); the failures file is complete up to that point.
  - A run stopped part-way (even by SIGKILL) can be started again; it reaches the declared state and counts what it
    did itself.
  - O(failed_records_path) and O(progress_path) are refused before any HTTP call when they are the input file (or
    resolve to it), a directory, or in a missing directory.
  - See C(docs/bulk.md) in the collection for sizes, progress, async and the failures file, and for what the records
    read can and cannot show about schedules.
"""

EXAMPLES = r"""
- name: Add the customers of a CSV file of the controller
  eightbyeight.dynamic_campaigns.campaign_customer:
    campaign_id: 101
    customers_file: files/customers.csv
    failed_records_path: /tmp/customers-failed.csv
    tenant: acme
    platform: na12
    action_token: "{{ vault_action_token }}"
    data_token: "{{ vault_data_token }}"
  delegate_to: localhost

- name: Add two customers, one of them with a scheduled call
  eightbyeight.dynamic_campaigns.campaign_customer:
    campaign_id: 101
    customers:
      - 1000001
      - customer_id: 1000002
        schedule: "2026-05-04T09:30:00+02:00"

- name: Make the campaign hold exactly the file's customers, removing at most 500 others
  eightbyeight.dynamic_campaigns.campaign_customer:
    campaign_id: 101
    customers_file: files/customers.jsonl
    exclusive: true
    max_removals: 500
  delegate_to: localhost

- name: Load 5 million customers in the background and poll the progress file
  eightbyeight.dynamic_campaigns.campaign_customer:
    campaign_id: 101
    customers_file: /data/all-customers.csv
    progress_path: /tmp/campaign-101-progress.json
    allow_partial: true
    failed_records_path: /tmp/campaign-101-failed.csv
  delegate_to: localhost
  async: 3600
  poll: 15

- name: Move callbacks to their declared times, within US calling hours, never calling the do-not-call list
  eightbyeight.dynamic_campaigns.campaign_customer:
    campaign_id: 101
    customers_file: files/callbacks.csv   # customer-id,schedule-date-time,timezone
    reschedule: true
    suppressed_file: files/do-not-call.csv
    calling_hours:
      start: "08:00"
      end: "21:00"
      days: [mon, tue, wed, thu, fri, sat]
      timezone: America/New_York
    failed_records_path: /tmp/callbacks-failed.csv
  delegate_to: localhost

- name: Remove do-not-call customers from a campaign (nothing else declared)
  eightbyeight.dynamic_campaigns.campaign_customer:
    campaign_id: 101
    suppressed_customers: [1000003, 1000009]

- name: Remove customers
  eightbyeight.dynamic_campaigns.campaign_customer:
    campaign_id: 101
    state: absent
    customers: [1000001, 1000002]
"""

RETURN = r"""
campaign_id:
  description: ID of the campaign.
  returned: always
  type: int
  sample: 101
state:
  description: The state requested.
  returned: always
  type: str
  sample: present
summary:
  description: Counts of the run (in check mode, what a run would do), its duration and traffic.
  returned: always
  type: dict
  sample: {"requested": 20000, "duplicates": 3, "invalid": 0, "added": 19990, "already_present": 10, "removed": 0,
           "already_absent": 0, "not_deletable": 0, "kept_not_deletable": 0, "uncertain": 0, "failed": 0,
           "not_sent": 0, "rescheduled": 0, "schedule_not_applied": 0, "suppressed": 0, "suppressed_removed": 0,
           "elapsed": 1.8, "records_per_second": 11111.1, "requests": 201, "retries": 1, "rate_limited": 1}
  contains:
    requested:
      description: Distinct valid customer ids of the input, suppressed customers left out.
      type: int
    duplicates:
      description: Rows repeating an id with the same schedule, collapsed into one.
      type: int
    invalid:
      description: Invalid rows (never sent).
      type: int
    added:
      description: Customers added by this run.
      type: int
    already_present:
      description: Customers the campaign held already.
      type: int
    removed:
      description: Records deleted by this run (declared absent, or undeclared with O(exclusive)).
      type: int
    already_absent:
      description: Customers the campaign did not hold.
      type: int
    not_deletable:
      description: Customers declared absent whose records cannot be deleted (accepted, completed); failures.
      type: int
    kept_not_deletable:
      description: Undeclared records kept by O(exclusive) because they cannot be deleted; not failures.
      type: int
    uncertain:
      description: Customers whose outcome stayed unknown (lost answers without O(data_token), or open when the run
        was interrupted; on O(api=campaigns_v1) also a record refused as held after a lost answer of its request, or
        whose request lost an answer before the run stopped).
      type: int
    failed:
      description: Customers the API refused (not in the CRM, schedule refused, ...), and requests none of whose
        attempts can have been applied.
      type: int
    not_sent:
      description: Customers (and exclusive removals) a run that stopped part-way never got to; 0 otherwise.
      type: int
    rescheduled:
      description: Held customers deleted and added again with their declared schedule (O(reschedule)).
      type: int
    schedule_not_applied:
      description: Declared schedules of customers the campaign held already, left as they are (O(reschedule=false)).
        Also counted in C(already_present).
      type: int
    suppressed:
      description: Declared customers that are suppressed (O(suppressed_customers), O(suppressed_file)) and so never
        sent.
      type: int
    suppressed_removed:
      description: Records of suppressed customers deleted by this run.
      type: int
    elapsed:
      description: Seconds the task took in the module, validation included.
      type: float
    records_per_second:
      description: Distinct customers (plus exclusive removals) handled per second.
      type: float
    requests:
      description: HTTP requests sent, retries included.
      type: int
    retries:
      description: Requests sent again after a transient failure or a 429.
      type: int
    rate_limited:
      description: Answers 429 (rate limited) the task got; each such request was sent again later, in its turn.
      type: int
failures:
  description: The first 100 invalid rows and failed items; all of them are in O(failed_records_path).
  returned: always
  type: list
  elements: dict
  sample: [{"customer_id": "1000004", "line": 4, "http_status": 404, "message": "The customer-id has not been found."}]
  contains:
    customer_id:
      description: The customer id as given (a string); null when the row had none.
      type: str
    line:
      description: File line of the row (the header is line 1), when it came from O(customers_file).
      type: int
      returned: when from a file
    item:
      description: The list item, such as C(customers[3]), when it came from O(customers).
      type: str
      returned: when from the list
    http_status:
      description: HTTP status of the API's answer for the item; null for rows refused locally.
      type: int
    message:
      description: Why, in the API's words or naming the row.
      type: str
failures_truncated:
  description: Whether RV(failures) lists fewer items than failed.
  returned: always
  type: bool
  sample: false
failed_records_path:
  description: Path of the CSV file holding every failed item.
  returned: when O(failed_records_path) is set
  type: str
  sample: /tmp/customers-failed.csv
"""

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import (
    CustomerService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers_v1 import (
    V1CustomerService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.runner import (
    run_module,
)

OPTIONS = dict(
    campaign_id=dict(type="raw", required=True),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    customers=dict(type="list", elements="raw"),
    customers_file=dict(type="path"),
    customers_file_format=dict(type="str", choices=["csv", "jsonl"]),
    exclusive=dict(type="bool", default=False),
    max_removals=dict(type="raw"),
    batch_size=dict(type="int", default=100),
    workers=dict(type="int", default=4),
    max_requests_per_second=dict(type="float"),
    allow_partial=dict(type="bool", default=False),
    failed_records_path=dict(type="path"),
    progress_path=dict(type="path"),
    assume_started=dict(type="bool", default=False),
    ledger_path=dict(type="path"),
    reschedule=dict(type="bool", default=False),
    suppressed_customers=dict(type="list", elements="raw"),
    suppressed_file=dict(type="path"),
    calling_hours=dict(
        type="dict",
        options=dict(
            start=dict(type="str", required=True),
            end=dict(type="str", required=True),
            days=dict(type="list", elements="str", choices=["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
            timezone=dict(type="str"),
        ),
    ),
)


def run(module, service):
    if module.params.get("ledger_path"):
        raise ValidationError("ledger_path is only for api campaigns_v1, which has no read; the legacy API is read instead (data_token).")
    return service.sync(module.params, check_mode=module.check_mode, warn=module.warn)


def run_v1(module, service):
    return service.sync(module.params, check_mode=module.check_mode, warn=module.warn)


def main():
    run_module(
        run,
        OPTIONS,
        CustomerService,
        v1=(run_v1, V1CustomerService),
        pool_size=lambda params: params["workers"] or 4,
        required_one_of=[("customers", "customers_file", "suppressed_customers", "suppressed_file")],
    )


if __name__ == "__main__":
    main()

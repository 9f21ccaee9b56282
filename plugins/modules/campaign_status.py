#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: campaign_status
short_description: Set the status of an 8x8 dynamic campaign, following its state machine
version_added: 0.1.0
description:
  - Declares the status an 8x8 dynamic campaign should have (running, paused, purged or stopped) and gets it
    there with the fewest legal steps of the API's state machine, for example running to paused to purged.
  - With O(data_token) the module reads the campaign first, does nothing when it already has the target status,
    and refuses before any write what the API would refuse.
  - It never passes through running on the way to another status, since that starts dialing. Stopped is final.
    A new campaign can only be started.
  - Without O(data_token) the module cannot read the campaign; it warns, sends the single change and reports what
    the API answered.
  - On O(api=campaigns_v1) (the Contact Center Campaigns API v1) there is no read endpoint. The module sends the
    actions of that API (BUILD, START, PAUSE, RESUME, RETRY, PURGE, CANCEL) and plans each next one from the answers
    only, the campaign a 200 answers and the state a 409 names. It never sends START, RESUME or RETRY unless
    O(status=running). When no answer names the state, the result says C(state_known=false) with a warning; it never
    guesses. A target the campaign can no longer reach (COMPLETE, DELETED, or one that would need dialing first) fails
    naming the state.
author:
  - eightbyeight.dynamic_campaigns contributors (@eightbyeight)
options:
  status:
    description:
      - The status the campaign should have.
      - V(ready) (only on O(api=campaigns_v1)) builds the campaign (BUILD). It builds again unless an answer shows the
        campaign READY already (8x8 allows a rebuild before start), and reports that as a change.
      - On O(api=campaigns_v1), V(running) is START (with O(build_on_start)), RESUME or RETRY; V(paused) is PAUSE;
        V(purged) is PAUSE when running, then PURGE (an action there, not a state, so it acts and reports a change every
        time unless an answer shows the campaign purged already); V(stopped) is CANCEL, which ends in COMPLETE, final.
      - V(running) starts or resumes dialing. V(paused) stops offering records but keeps the queue.
        V(purged) pauses and flushes the dialer queue (queued records go back to new).
        V(stopped) ends the campaign for good.
    type: str
    required: true
    choices: [ready, running, paused, purged, stopped]
  enabled:
    description:
      - Only on O(api=campaigns_v1). Sent with each action, to enable or disable the campaign; unset leaves it as it is.
      - A disabled campaign accepts only BUILD and RESET, so V(false) goes only with O(status=ready).
    type: bool
  build_on_start:
    description:
      - Only on O(api=campaigns_v1). With O(status=running), START a campaign that is not built yet (CREATED) with
        C(buildOnStart), building it first.
    type: bool
    default: false
  ledger_path:
    description:
      - Only on O(api=campaigns_v1). An SQLite ledger (the one M(eightbyeight.dynamic_campaigns.campaign_customer)
        keeps) where the state the API last named is kept, with when, for M(eightbyeight.dynamic_campaigns.campaign_info).
      - In check mode nothing is written; the module plans from the state the ledger last saw for the campaign (see
        C(planned_from)), when it has one.
    type: path
  wait:
    description:
      - After the change, poll the read API until the campaign reports O(status). Needs O(data_token).
      - Not on O(api=campaigns_v1), which has no read.
    type: bool
    default: false
  wait_timeout:
    description:
      - Most seconds to wait when O(wait=true).
    type: int
    default: 60
extends_documentation_fragment:
  - eightbyeight.dynamic_campaigns.campaign
  - eightbyeight.dynamic_campaigns.connection
attributes:
  check_mode:
    support: full
    description:
      - With O(data_token), check mode reads the campaign and reports exactly the transitions a real run would make.
      - Without O(data_token) it cannot read, so it reports C(changed=true) and one transition from null to O(status).
      - On O(api=campaigns_v1) check mode sends nothing, reports C(changed=true), the actions it would try in
        C(actions) and a warning that it has no state to go on.
      - On O(api=campaigns_v1) with O(ledger_path) holding a state of the campaign, check mode plans from that last
        state seen instead, labelled as such (C(planned_from) and a warning). C(changed), C(status) and C(actions) are
        what a run would do if the campaign has not moved since; a target it could not reach from there fails.
      - "What check mode cannot predict: the campaign changed by someone else between the check and the run (another
        status, or an end reached, so that other transitions or none are needed), a transition the API refuses when
        it is sent (the campaign no longer dynamic or enabled), and rate limiting (a 429 storm that stops the run)."
  diff_mode:
    support: full
    description: Shows the status before and after.
notes:
  - A change answered with HTTP 206, or whose answer was lost, is verified with a read before it is reported.
  - The status change is sent with PATCH, as the API specification says; when the server answers 405 the module
    uses POST, as 8x8's documentation shows, for the rest of the run.
"""

EXAMPLES = r"""
- name: Start a campaign
  eightbyeight.dynamic_campaigns.campaign_status:
    campaign_id: 101
    status: running
    tenant: acme
    platform: na12
    action_token: "{{ vault_action_token }}"
    data_token: "{{ vault_data_token }}"

- name: Build, then start, a campaign of the Campaigns API v1
  eightbyeight.dynamic_campaigns.campaign_status:
    campaign_id: 3fa85f64-5717-4562-b3fc-2c963f66afa6
    status: running
    build_on_start: true
    enabled: true
    tenant: acme
    site: US1
    api_key: "{{ vault_8x8_api_key }}"

- name: Pause and purge a running campaign (two steps), waiting until the API reports it
  eightbyeight.dynamic_campaigns.campaign_status:
    campaign_id: 101
    status: purged
    wait: true
  register: purge

- name: Show the steps taken
  ansible.builtin.debug:
    msg: "{{ purge.transitions | map(attribute='to') | join(' -> ') }}"

- name: Stop campaigns, connection options from module_defaults
  module_defaults:
    group/eightbyeight.dynamic_campaigns.api:
      tenant: acme
      platform: eu5
      action_token: "{{ vault_action_token }}"
      data_token: "{{ vault_data_token }}"
  eightbyeight.dynamic_campaigns.campaign_status:
    campaign_id: "{{ item }}"
    status: stopped
  loop: [101, 102]
"""

RETURN = r"""
campaign_id:
  description: ID of the campaign (a UUID on O(api=campaigns_v1)).
  returned: always
  type: raw
  sample: 101
status:
  description:
    - The status the campaign has now (in check mode, would have).
    - On O(api=campaigns_v1), the lowercase C(state) the API last answered (such as V(ready), V(running), V(starting),
      V(complete)), or null when no answer showed it.
  returned: always
  type: str
  sample: purged
state:
  description: On O(api=campaigns_v1), the campaign's state as the API named it, or null when unknown.
  returned: on api campaigns_v1
  type: str
  sample: PAUSED
state_known:
  description: On O(api=campaigns_v1), whether an answer showed the state; false means the module cannot tell.
  returned: on api campaigns_v1
  type: bool
  sample: true
planned_from:
  description:
    - On O(api=campaigns_v1) in check mode with O(ledger_path), the state the plan started from, the one the ledger
      last saw (C(source=ledger)), and when (C(seen), UTC). The campaign may have moved since.
  returned: on api campaigns_v1, in check mode, when the ledger holds a state of the campaign
  type: dict
  sample: {"source": "ledger", "state": "RUNNING", "seen": "2026-12-01T21:47:45Z"}
actions:
  description:
    - On O(api=campaigns_v1), the actions sent, in order, with the HTTP status and the state each answer showed
      (in check mode, the actions it would try first, with their bodies).
  returned: on api campaigns_v1
  type: list
  elements: dict
  sample: [{"action": "PAUSE", "http_status": 409, "state": "PAUSED"}, {"action": "PURGE", "http_status": 200, "state": "PAUSED"}]
previous_status:
  description: The status read before any change; null without O(data_token).
  returned: on the legacy API
  type: str
  sample: running
transitions:
  description: The status changes made (in check mode, planned), in order. Empty when nothing changed.
  returned: on the legacy API
  type: list
  elements: dict
  sample: [{"from": "running", "to": "paused"}, {"from": "paused", "to": "purged"}]
  contains:
    from:
      description: Status before the step; null without O(data_token).
      type: str
    to:
      description: Status after the step.
      type: str
campaign:
  description:
    - The campaign as M(eightbyeight.dynamic_campaigns.campaign_info) returns it, read after the change
      (in check mode, before). Null without O(data_token).
    - On O(api=campaigns_v1), the campaign as the last 200 answer gave it (C(id), C(state), C(displayStatus),
      C(recordCount), ...), or null.
  returned: always
  type: dict
  sample: {"id": 101, "name": "Spring outreach", "status": "purged", "status_code": 10, "status_detail": "Manual Purged",
           "enabled": true, "dynamic": true, "records_count": 2500, "start_time": null, "end_time": null}
"""

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import (
    CampaignService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns_v1 import (
    CampaignsV1Service,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import (
    last_state,
    remember_state,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.runner import (
    run_module,
)

OPTIONS = dict(
    campaign_id=dict(type="raw", required=True),
    status=dict(type="str", required=True, choices=["ready", "running", "paused", "purged", "stopped"]),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=60),
    enabled=dict(type="bool"),
    build_on_start=dict(type="bool", default=False),
    ledger_path=dict(type="path"),
)


def run(module, campaigns):
    params = module.params
    given = (
        ("status ready", params["status"] == "ready"),
        ("enabled", params.get("enabled") is not None),
        ("build_on_start", params.get("build_on_start")),
        ("ledger_path", params.get("ledger_path")),
    )
    v1_only = [name for name, used in given if used]
    if v1_only:
        raise ValidationError("{0}: only on api campaigns_v1; the legacy API has no such status or option.".format(", ".join(v1_only)))
    outcome = campaigns.ensure_status(
        params["campaign_id"],
        params["status"],
        check_mode=module.check_mode,
        warn=module.warn,
        wait=params["wait"],
        wait_timeout=params["wait_timeout"],
    )
    changed = outcome.pop("changed")
    diff = {"before": {"status": outcome["previous_status"]}, "after": {"status": outcome["status"]}}
    return changed, outcome, diff


def run_v1(module, campaigns):
    params = module.params
    if params["wait"]:
        raise ValidationError("wait needs a read of the campaign, which the Campaigns API v1 does not offer: leave it out on api campaigns_v1.")
    outcome = campaigns.ensure_status(
        params["campaign_id"],
        params["status"],
        enabled=params["enabled"],
        build_on_start=params["build_on_start"],
        check_mode=module.check_mode,
        warn=module.warn,
        last_seen=last_state(params.get("ledger_path"), params["campaign_id"]) if module.check_mode else None,
    )
    if not module.check_mode:
        remember_state(params.get("ledger_path"), params["campaign_id"], outcome["state"])
    changed = outcome.pop("changed")
    return changed, outcome, {"before": {}, "after": {"status": outcome["status"]}}


def main():
    run_module(run, OPTIONS, CampaignService, v1=(run_v1, CampaignsV1Service))


if __name__ == "__main__":
    main()

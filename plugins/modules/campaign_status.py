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
author:
  - eightbyeight.dynamic_campaigns contributors (@eightbyeight)
options:
  status:
    description:
      - The status the campaign should have.
      - V(running) starts or resumes dialing. V(paused) stops offering records but keeps the queue.
        V(purged) pauses and flushes the dialer queue (queued records go back to new).
        V(stopped) ends the campaign for good.
    type: str
    required: true
    choices: [running, paused, purged, stopped]
  wait:
    description:
      - After the change, poll the read API until the campaign reports O(status). Needs O(data_token).
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
  description: ID of the campaign.
  returned: always
  type: int
  sample: 101
status:
  description: The status the campaign has now (in check mode, would have).
  returned: always
  type: str
  sample: purged
previous_status:
  description: The status read before any change; null without O(data_token).
  returned: always
  type: str
  sample: running
transitions:
  description: The status changes made (in check mode, planned), in order. Empty when nothing changed.
  returned: always
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
  returned: always
  type: dict
  sample: {"id": 101, "name": "Spring outreach", "status": "purged", "status_code": 10, "status_detail": "Manual Purged",
           "enabled": true, "dynamic": true, "records_count": 2500, "start_time": null, "end_time": null}
"""

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import (
    CampaignService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.runner import (
    run_module,
)

OPTIONS = dict(
    campaign_id=dict(type="raw", required=True),
    status=dict(type="str", required=True, choices=["running", "paused", "purged", "stopped"]),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=60),
)


def run(module, campaigns):
    params = module.params
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


def main():
    run_module(run, OPTIONS, CampaignService)


if __name__ == "__main__":
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: campaign_info
short_description: Read an 8x8 dynamic campaign and, optionally, its records
version_added: 0.1.0
description:
  - Reads one campaign of an 8x8 Contact Center tenant through the stats API and returns it with typed,
    snake_case fields and lowercase status names.
  - Optionally returns the campaign's records (customers), filtered by record status.
  - Needs the O(data_token).
  - A campaign read that is not what the API documents (no C(campaign) object, a status code outside 0 to 11) fails naming
    what came back.
author:
  - eightbyeight.dynamic_campaigns contributors (@eightbyeight)
options:
  action_token:
    description:
      - Not used; this module only reads, with O(data_token). Accepted (and ignored) so that C(module_defaults) for the
        C(group/eightbyeight.dynamic_campaigns.api) action group can set it for every module.
    type: str
  ledger_path:
    description:
      - Only on O(api=campaigns_v1), which has no read endpoint. The ledger (SQLite) that
        M(eightbyeight.dynamic_campaigns.campaign_customer) and M(eightbyeight.dynamic_campaigns.campaign_status) keep.
      - The module then returns what the ledger knows, labelled C(source=ledger) and with a warning; that is the last state an
        answer named and when, how many record ids were confirmed and when, and the ids (up to O(records_limit)) in
        RV(records). Without it the module fails on O(api=campaigns_v1), saying why.
    type: path
  records:
    description:
      - Also return the campaign's records in RV(records).
      - The records are never a short list. A read cut short (a body that ends before its JSON document closes, a connection
        lost mid-body) or holding fewer records than the campaign's own C(records_count) (read again once to allow for a
        live campaign) fails the task naming the campaign. So does a record status code the API does not document.
    type: bool
    default: false
  records_status:
    description:
      - Keep only records in these statuses.
    type: list
    elements: str
    choices: [new, queued, accepted, completed, scheduled]
  records_limit:
    description:
      - Most records to return. RV(records_truncated) tells when there were more.
      - Does not apply to O(customer_ids).
    type: int
    default: 1000
  customer_ids:
    description:
      - Look these customers up in the campaign (no O(records=true) needed). RV(records) holds exactly their
        records, RV(missing_customer_ids) the ids the campaign does not hold.
      - The records read is streamed once; memory grows with this list, not with the campaign, and
        O(records_limit) does not cut the answer short, so a 100,000-record campaign answers for every id.
      - O(records_status) still filters RV(records); an id held in another status is not missing.
    type: list
    elements: str
extends_documentation_fragment:
  - eightbyeight.dynamic_campaigns.campaign
  - eightbyeight.dynamic_campaigns.connection
attributes:
  check_mode:
    support: full
    description: The module only reads; it runs the same in check mode.
  diff_mode:
    support: none
    description: The module changes nothing, so it has no diff.
"""

EXAMPLES = r"""
- name: Is customer 1000001 in the campaign?
  eightbyeight.dynamic_campaigns.campaign_info:
    campaign_id: 101
    customer_ids: [1000001, 1000002]
  register: lookup

- name: Show who is missing
  ansible.builtin.debug:
    msg: "Not in campaign 101: {{ lookup.missing_customer_ids }}"

- name: Read a campaign
  eightbyeight.dynamic_campaigns.campaign_info:
    campaign_id: 101
    tenant: acme
    platform: na12
    data_token: "{{ vault_data_token }}"
  register: spring

- name: Show its status
  ansible.builtin.debug:
    msg: "{{ spring.campaign.name }} is {{ spring.campaign.status }} with {{ spring.campaign.records_count }} records"

- name: List the customers still waiting to be dialed, connection from module_defaults
  module_defaults:
    group/eightbyeight.dynamic_campaigns.api:
      tenant: acme
      platform: na12
      data_token: "{{ vault_data_token }}"
  eightbyeight.dynamic_campaigns.campaign_info:
    campaign_id: 101
    records: true
    records_status: [new, queued, scheduled]
    records_limit: 5000
  register: waiting
"""

RETURN = r"""
campaign:
  description:
    - The campaign. On the legacy API these fields of the read, typed; its other fields are left out.
    - On O(api=campaigns_v1), what the ledger (O(ledger_path)) saw of it.
  returned: success
  type: dict
  contains:
    id:
      description: Campaign ID (a UUID on O(api=campaigns_v1)).
      type: raw
      sample: 101
    name:
      description: Campaign name.
      type: str
      sample: Spring outreach
      returned: on the legacy API
    status:
      description: Status in the API's terms, lowercase; on O(api=campaigns_v1) the last state an answer named, null when none did.
      type: str
      sample: running
    status_code:
      description: The stats API's status code, 0 to 11.
      type: int
      sample: 3
      returned: on the legacy API
    status_detail:
      description: What the status code means.
      type: str
      sample: Manual Running
      returned: on the legacy API
    enabled:
      description: Whether the campaign is enabled.
      type: bool
      sample: true
      returned: on the legacy API
    dynamic:
      description: Whether the campaign is a dynamic campaign (needed for every change).
      type: bool
      sample: true
      returned: on the legacy API
    records_count:
      description: Number of records in the campaign.
      type: int
      sample: 2500
      returned: on the legacy API
    start_time:
      description: Start of the campaign's schedule window, null when unset.
      type: str
      sample: "2026-01-01T00:00:00.000Z"
      returned: on the legacy API
    end_time:
      description: End of the campaign's schedule window, null when unset.
      type: str
      sample: null
      returned: on the legacy API
    timezone:
      description: Time zone of the campaign, null when the API reports none.
      type: str
      sample: UTC
      returned: on the legacy API
    source:
      description: Always V(ledger) (the Campaigns API v1 cannot be read).
      type: str
      sample: ledger
      returned: on O(api=campaigns_v1)
    state:
      description: The last state an answer named (such as V(RUNNING)), as the API spells it; null when none did.
      type: str
      sample: RUNNING
      returned: on O(api=campaigns_v1)
    state_seen:
      description: When that answer came (UTC, ISO 8601); null when none did.
      type: str
      sample: "2026-12-01T10:00:00Z"
      returned: on O(api=campaigns_v1)
    records_confirmed:
      description: How many record ids runs of M(eightbyeight.dynamic_campaigns.campaign_customer) saw confirmed.
      type: int
      sample: 3
      returned: on O(api=campaigns_v1)
    first_confirmed:
      description: When the first of them was confirmed (UTC, ISO 8601); null when none was.
      type: str
      sample: "2026-12-01T10:00:00Z"
      returned: on O(api=campaigns_v1)
    last_confirmed:
      description: When the last of them was confirmed (UTC, ISO 8601); null when none was.
      type: str
      sample: "2026-12-01T10:05:00Z"
      returned: on O(api=campaigns_v1)
records:
  description:
    - The campaign's records (on O(api=campaigns_v1), the record ids the ledger holds, up to O(records_limit)).
  returned: when O(records=true) or O(customer_ids) is given, and always on O(api=campaigns_v1)
  type: list
  elements: dict
  contains:
    customer_id:
      description: Customer ID (the CRM ACCOUNTNUM), usable to delete the record; on O(api=campaigns_v1) the C(crmRecordId).
      type: str
      sample: "1000001"
    status:
      description: Record status.
      type: str
      choices: [new, queued, accepted, completed, scheduled]
      sample: queued
      returned: on the legacy API
    status_code:
      description: Record status code, 0 to 4.
      type: int
      sample: 1
      returned: on the legacy API
    deletable:
      description: Whether the record can still be deleted (new, queued or scheduled).
      type: bool
      sample: true
      returned: on the legacy API
    result:
      description: Dialing result name (the record's C(status-code)).
      type: str
      sample: default
      returned: on the legacy API
    result_code:
      description: Dialing result code.
      type: int
      sample: 0
      returned: on the legacy API
    disposition:
      description: Disposition name.
      type: str
      sample: none
      returned: on the legacy API
    disposition_code:
      description: Disposition code.
      type: int
      sample: 1000
      returned: on the legacy API
    phone_list:
      description: Phone list of the record.
      type: str
      sample: null
      returned: on the legacy API
    schedule:
      description: Scheduled call time, null when unset (8x8's documented read has no such field, so it is null there).
      type: str
      sample: null
      returned: on the legacy API
missing_customer_ids:
  description: The ids of O(customer_ids) the campaign does not hold, as strings of digits, in ascending order.
  returned: when O(customer_ids) is given
  type: list
  elements: str
  sample: ["1000002"]
records_total:
  description: Number of records that matched O(records_status) before O(records_limit) applied (on O(api=campaigns_v1), the ids the ledger holds).
  returned: when O(records=true) or O(customer_ids) is given, and always on O(api=campaigns_v1)
  type: int
  sample: 2500
records_truncated:
  description: Whether more records matched than O(records_limit); always false for O(customer_ids).
  returned: when O(records=true) or O(customer_ids) is given, and always on O(api=campaigns_v1)
  type: bool
  sample: false
"""

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import (
    CampaignService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    customer_id_of,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import (
    LedgerService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.runner import (
    run_module,
)

OPTIONS = dict(
    campaign_id=dict(type="raw", required=True),
    records=dict(type="bool", default=False),
    records_status=dict(type="list", elements="str", choices=["new", "queued", "accepted", "completed", "scheduled"]),
    records_limit=dict(type="int", default=1000),
    customer_ids=dict(type="list", elements="str"),
    ledger_path=dict(type="path"),
)


def run(module, campaigns):
    params = module.params
    if params.get("ledger_path"):
        raise ValidationError("ledger_path is only for api campaigns_v1, which has no read; the legacy API is read instead.")
    campaign = campaigns.get(params["campaign_id"])
    result = {"campaign": campaign}
    if params.get("customer_ids"):
        return False, lookup(result, campaigns, params), None
    if params["records"]:
        # The campaign's own count: a records read with fewer is cut short and fails, never a short list.
        expected = campaign.get("records_count")
        records, matched = campaigns.records(params["campaign_id"], set(params["records_status"] or ()), max(params["records_limit"], 0), expected)
        result.update(records=records, records_total=matched, records_truncated=matched > len(records))
    return False, result, None


def lookup(result, campaigns, params):
    ids, bad = [], []
    for raw in params["customer_ids"]:
        cid, reason = customer_id_of(raw)
        (bad if reason else ids).append(reason or cid)
    if bad:
        raise ValidationError("customer_ids: {0}".format("; ".join(bad[:10])))
    records, missing = campaigns.lookup(params["campaign_id"], ids, set(params["records_status"] or ()), result["campaign"].get("records_count"))
    result.update(records=records, missing_customer_ids=missing, records_total=len(records), records_truncated=False)
    return result


def run_v1(module, ledger):
    params = module.params
    result = ledger.info(params["campaign_id"], params.get("ledger_path"), params["records_limit"])
    module.warn(
        "Campaign {0}: the Campaigns API v1 cannot be read; this is what the ledger {1} saw, not the campaign as it is now.".format(
            params["campaign_id"], params["ledger_path"]
        )
    )
    return False, result, None


def main():
    run_module(run, OPTIONS, CampaignService, v1=(run_v1, LedgerService))


if __name__ == "__main__":
    main()

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""campaign_info's RETURN documents exactly the keys it returns, in every mode, on both APIs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from unittest.mock import Mock, PropertyMock

import pytest
import yaml

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import CampaignService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import Ledger, LedgerService, remember_state
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.modules import campaign_info

DOCUMENTED = yaml.safe_load(campaign_info.RETURN)
V1 = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
# A campaign read as the simulator (and 8x8's example) answers it, with fields the module leaves out.
READ = {
    "campaign": {
        "campaign-id": 101,
        "campaign-name": "Spring",
        "enabled": "Y",
        "dynamic-campaign": "Y",
        "status": 3,
        "no-of-records": 2,
        "start-time": "",
        "end-time": "",
        "timezone": "UTC",
        "description": "",
        "campaign-type": "Dynamic",
        "daily-start-time": "",
        "queue-id": 7,
    }
}
RECORDS = [
    {"record-id": "1", "campaign-id": 101, "status": "0", "status-code": "0", "disposition-code": "1000", "phone-list": "", "ext-trans-data": ""},
    {"record-id": "2", "campaign-id": 101, "status": "3", "status-code": "1", "disposition-code": "1001", "phone-list": "x", "ext-trans-data": ""},
]


def applies(entry, api, given):
    """Whether a RETURN entry's `returned` names this API and, for conditions on options, the options given."""
    returned = entry.get("returned", "always")
    if "on the legacy API" in returned:
        return api == "legacy"
    if "on O(api=campaigns_v1)" in returned and "always on" not in returned:
        return api == "campaigns_v1"
    if "O(customer_ids)" in returned and "O(records=true)" in returned:
        return bool(given & {"records", "customer_ids"}) or (api == "campaigns_v1" and "always on" in returned)
    if "O(customer_ids)" in returned:
        return "customer_ids" in given
    return True


def documented(api, given):
    keys = dict((key, entry) for key, entry in DOCUMENTED.items() if applies(entry, api, given))
    nested = dict((key, set(name for name, sub in keys[key]["contains"].items() if applies(sub, api, given))) for key in ("campaign", "records") if key in keys)
    return set(keys), nested


def legacy_service():
    client = Mock(spec=Client)
    type(client).can_read = PropertyMock(return_value=True)
    client.get_json.return_value = READ
    client.stream_json_chunks.side_effect = lambda path: iter([json.dumps({"records": {"record": RECORDS}}).encode()])
    return CampaignService(client)


def module(**params):
    fake = Mock(spec=["params", "check_mode", "warn"])
    fake.params = dict(campaign_id=101, records=False, records_status=None, records_limit=1000, customer_ids=None, ledger_path=None)
    fake.params.update(params)
    fake.check_mode = False
    return fake


@pytest.mark.parametrize("given", [{}, {"records": True}, {"customer_ids": ["1", "9"]}], ids=["campaign", "records", "customer_ids"])
def test_legacy_results_have_exactly_the_documented_keys(given):
    _changed, result, _diff = campaign_info.run(module(**given), legacy_service())
    top, nested = documented("legacy", set(given))
    assert set(result) == top
    assert set(result["campaign"]) == nested["campaign"]
    if "records" in result:
        assert result["records"] and all(set(entry) == nested["records"] for entry in result["records"])


def test_campaigns_v1_results_have_exactly_the_documented_keys(tmp_path):
    path = str(tmp_path / "ledger.sqlite")
    remember_state(path, V1, "RUNNING")
    ledger = Ledger(path)
    ledger.confirm(V1, ["A", "B"])
    ledger.close()
    _changed, result, _diff = campaign_info.run_v1(module(campaign_id=V1, ledger_path=path), LedgerService())
    top, nested = documented("campaigns_v1", set())
    assert set(result) == top
    assert set(result["campaign"]) == nested["campaign"]
    assert result["records"] and all(set(entry) == nested["records"] for entry in result["records"])

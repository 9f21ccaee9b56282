# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest.mock import Mock

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import CampaignService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.modules import campaign_info


def make_module(**params):
    module = Mock(spec=["params", "check_mode", "warn"])
    module.params = dict({"campaign_id": 7, "records": False, "records_status": None, "records_limit": 1000}, **params)
    module.check_mode = False
    return module


def record(customer_id, status):
    return {"customer_id": customer_id, "status": status}


def test_campaign_only():
    service = Mock(spec=CampaignService)
    service.get.return_value = {"id": 7, "status": "running"}
    changed, result, diff = campaign_info.run(make_module(), service)
    assert (changed, diff) == (False, None)
    assert result == {"campaign": {"id": 7, "status": "running"}}
    service.records.assert_not_called()


def test_records_filtered_and_truncated():
    service = Mock(spec=CampaignService)
    service.get.return_value = {"id": 7, "records_count": 3}
    service.records.return_value = ([record("1", "new")], 2)
    _c, result, _d = campaign_info.run(make_module(records=True, records_status=["new", "queued"], records_limit=1), service)
    service.records.assert_called_once_with(7, {"new", "queued"}, 1, 3)
    assert result["records"] == [record("1", "new")]
    assert result["records_total"] == 2 and result["records_truncated"] is True


def test_records_not_truncated():
    service = Mock(spec=CampaignService)
    service.get.return_value = {"id": 7, "records_count": 1}
    service.records.return_value = ([record("1", "new")], 1)
    _c, result, _d = campaign_info.run(make_module(records=True), service)
    service.records.assert_called_once_with(7, set(), 1000, 1)
    assert result["records_truncated"] is False and result["records_total"] == 1

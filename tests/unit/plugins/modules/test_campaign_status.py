# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest.mock import Mock

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.arguments import (
    CONNECTION_OPTION_NAMES,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import CampaignService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.modules import campaign_status


def make_module(check_mode=False, **params):
    module = Mock(spec=["params", "check_mode", "warn"])
    module.params = dict({"campaign_id": 7, "status": "paused", "wait": False, "wait_timeout": 60}, **params)
    module.check_mode = check_mode
    return module


def test_run_passes_the_declaration_to_the_service_and_builds_the_diff():
    service = Mock(spec=CampaignService)
    service.ensure_status.return_value = {
        "changed": True,
        "campaign_id": 7,
        "status": "paused",
        "previous_status": "running",
        "transitions": [{"from": "running", "to": "paused"}],
        "campaign": {"id": 7},
    }
    module = make_module(check_mode=True, wait=True, wait_timeout=9)
    changed, result, diff = campaign_status.run(module, service)
    service.ensure_status.assert_called_once_with(7, "paused", check_mode=True, warn=module.warn, wait=True, wait_timeout=9)
    assert changed is True and "changed" not in result
    assert diff == {"before": {"status": "running"}, "after": {"status": "paused"}}


def test_unchanged_result():
    service = Mock(spec=CampaignService)
    service.ensure_status.return_value = {
        "changed": False,
        "campaign_id": 7,
        "status": "paused",
        "previous_status": "paused",
        "transitions": [],
        "campaign": {"id": 7},
    }
    changed, result, _diff = campaign_status.run(make_module(), service)
    assert changed is False and result["transitions"] == []


def test_argument_spec():
    assert campaign_status.OPTIONS["status"]["choices"] == ["running", "paused", "purged", "stopped"]
    assert campaign_status.OPTIONS["campaign_id"] == {"type": "raw", "required": True}
    assert set(CONNECTION_OPTION_NAMES).isdisjoint(campaign_status.OPTIONS)

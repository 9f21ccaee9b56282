# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from unittest.mock import Mock

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.arguments import (
    CONNECTION_OPTION_NAMES,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import CampaignService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns_v1 import CampaignsV1Service
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import last_state, remember_state
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.modules import campaign_status


UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


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
    assert campaign_status.OPTIONS["status"]["choices"] == ["ready", "running", "paused", "purged", "stopped"]
    assert campaign_status.OPTIONS["campaign_id"] == {"type": "raw", "required": True}
    assert set(CONNECTION_OPTION_NAMES).isdisjoint(campaign_status.OPTIONS)


def test_legacy_refuses_the_v1_only_status_and_options_before_any_call():
    service = Mock(spec=CampaignService)
    for extra in ({"status": "ready"}, {"enabled": True}, {"enabled": False}, {"build_on_start": True}):
        with pytest.raises(ValidationError, match="only on api campaigns_v1"):
            campaign_status.run(make_module(**extra), service)
    service.ensure_status.assert_not_called()


def test_legacy_playbooks_run_unchanged_with_the_new_options_unset():
    service = Mock(spec=CampaignService)
    service.ensure_status.return_value = {"changed": False, "campaign_id": 7, "status": "paused", "previous_status": "paused", "transitions": []}
    module = make_module(enabled=None, build_on_start=False)
    campaign_status.run(module, service)
    module.warn.assert_not_called()


def test_run_v1_passes_the_declaration_to_the_v1_service():
    service = Mock(spec=CampaignsV1Service)
    service.ensure_status.return_value = {
        "changed": True,
        "campaign_id": UUID,
        "status": "running",
        "state": "RUNNING",
        "state_known": True,
        "actions": [],
        "campaign": None,
    }
    module = make_module(campaign_id=UUID, status="running", enabled=True, build_on_start=True)
    changed, result, diff = campaign_status.run_v1(module, service)
    service.ensure_status.assert_called_once_with(UUID, "running", enabled=True, build_on_start=True, check_mode=False, warn=module.warn, last_seen=None)
    assert changed is True and "changed" not in result and diff["after"] == {"status": "running"}


def test_run_v1_in_check_mode_plans_from_the_ledger_and_writes_nothing(tmp_path):
    ledger = str(tmp_path / "ledger.sqlite")
    remember_state(ledger, UUID, "PAUSED")
    before = os.path.getmtime(ledger)
    service = Mock(spec=CampaignsV1Service)
    service.ensure_status.return_value = {"changed": True, "campaign_id": UUID, "status": "running", "state": "RUNNING", "state_known": False, "actions": []}
    module = make_module(check_mode=True, campaign_id=UUID, status="running", enabled=None, build_on_start=False, ledger_path=ledger)
    campaign_status.run_v1(module, service)
    assert service.ensure_status.call_args[1]["last_seen"]["state"] == "PAUSED"
    assert os.path.getmtime(ledger) == before and last_state(ledger, UUID)["state"] == "PAUSED"


def test_run_v1_refuses_wait():
    with pytest.raises(ValidationError, match="wait needs a read"):
        campaign_status.run_v1(make_module(campaign_id=UUID, wait=True, enabled=None, build_on_start=False), Mock(spec=CampaignsV1Service))

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from unittest.mock import Mock

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import (
    BulkFailure,
    CustomerService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.modules import campaign_customer
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.arguments import argument_spec


def module(check_mode=False, **params):
    spec = argument_spec(**campaign_customer.OPTIONS)
    values = dict((name, entry.get("default")) for name, entry in spec.items())
    values.update(params)
    return Mock(params=values, check_mode=check_mode, warn=Mock())


@pytest.mark.parametrize("check_mode", [False, True])
def test_run_hands_params_check_mode_and_warn_to_the_service(check_mode):
    service = Mock(spec=CustomerService)
    service.sync.return_value = (True, {"summary": {"added": 2}}, {"before": {}, "after": {}})
    mod = module(check_mode, campaign_id=3001, customers=[1, 2])
    assert campaign_customer.run(mod, service) == (True, {"summary": {"added": 2}}, {"before": {}, "after": {}})
    service.sync.assert_called_once_with(mod.params, check_mode=check_mode, warn=mod.warn)


def test_run_lets_bulk_failures_reach_the_runner():
    service = Mock(spec=CustomerService)
    service.sync.side_effect = BulkFailure("Campaign 3001: 1 customer(s) failed", {"summary": {"failed": 1}}, True)
    with pytest.raises(BulkFailure) as error:
        campaign_customer.run(module(campaign_id=3001, customers=[1]), service)
    assert error.value.result_fields() == {"summary": {"failed": 1}, "changed": True}


def test_options_defaults_follow_the_issue():
    options = campaign_customer.OPTIONS
    assert options["state"]["default"] == "present"
    assert options["batch_size"]["default"] == 100 and options["workers"]["default"] == 4
    assert "default" not in options["max_removals"]
    assert options["exclusive"]["default"] is False and options["allow_partial"]["default"] is False


def test_ledger_path_is_refused_on_the_legacy_api_before_any_call():
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError

    service = Mock(spec=CustomerService)
    module = Mock(spec=["params", "check_mode", "warn"])
    module.params, module.check_mode = {"campaign_id": 7, "ledger_path": "/tmp/l.sqlite"}, False
    with pytest.raises(ValidationError, match="ledger_path is only for api campaigns_v1"):
        campaign_customer.run(module, service)
    service.sync.assert_not_called()


def test_run_v1_hands_the_declaration_to_the_v1_service():
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers_v1 import V1CustomerService

    service = Mock(spec=V1CustomerService)
    service.sync.return_value = (False, {"summary": {}}, None)
    module = Mock(spec=["params", "check_mode", "warn"])
    module.params, module.check_mode = {"campaign_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}, True
    assert campaign_customer.run_v1(module, service) == (False, {"summary": {}}, None)
    service.sync.assert_called_once_with(module.params, check_mode=True, warn=module.warn)
    assert campaign_customer.OPTIONS["ledger_path"] == {"type": "path"}

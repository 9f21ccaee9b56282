# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from unittest.mock import Mock, PropertyMock

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client, Response, RetryPolicy
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import (
    BulkFailure,
    CustomerService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError


def client(can_read=False):
    fake = Mock(spec=Client)
    type(fake).can_read = PropertyMock(return_value=can_read)
    fake.stats = {"requests": 0, "retries": 0}
    fake.write_policy.return_value = RetryPolicy()
    fake.tenant, fake.base_url = "acme", "http://127.0.0.1:1"
    fake.max_retries, fake.retry_max_time = 5, 120.0
    return fake


def params(**values):
    base = {
        "campaign_id": 3001,
        "state": "present",
        "customers": None,
        "customers_file": None,
        "customers_file_format": None,
        "exclusive": False,
        "max_removals": None,
        "batch_size": 2,
        "workers": 2,
        "max_requests_per_second": None,
        "allow_partial": False,
        "failed_records_path": None,
        "progress_path": None,
    }
    base.update(values)
    return base


def test_invalid_rows_fail_before_any_request(tmp_path):
    api = client()
    failed = tmp_path / "failed.csv"
    with pytest.raises(BulkFailure) as error:
        CustomerService(api).sync(params(customers=[1, "x", 0], failed_records_path=str(failed)))
    assert "2 invalid row(s) in customers; nothing was sent" in error.value.message
    assert "customers[1]: customer-id 'x'" in error.value.message
    assert error.value.result["summary"]["invalid"] == 2
    api.request.assert_not_called()
    assert failed.read_text().splitlines()[0] == "customer-id,schedule-date-time,timezone,line,http-status,reason"
    assert len(failed.read_text().splitlines()) == 3


def test_exclusive_needs_data_token_before_any_request():
    api = client()
    with pytest.raises(ValidationError, match="exclusive needs data_token"):
        CustomerService(api).sync(params(customers=[1], exclusive=True))
    api.request.assert_not_called()


def test_batches_are_matched_by_customer_id_and_classified():
    api = client()
    answers = {
        ("1", "2"): [{"customer-id": 2, "http-status": "200"}, {"customer-id": "1", "http-status": 400, "message": "Duplicate customer"}],
        ("3",): [{"customer-id": "3", "http-status": 404, "message": "The customer-id has not been found."}, {"customer-id": "99", "http-status": 200}],
    }

    def request(method, path, token, data=None, **kwargs):
        assert (method, path, token) == ("POST", "/api/tstats/campaigns/3001/customers", "action")
        return Response(207, answers[tuple(item["customer-id"] for item in json.loads(data))])

    api.request.side_effect = request
    warn = Mock()
    changed, result, diff = CustomerService(api).sync(params(customers=[1, 2, 3], allow_partial=True), warn=warn)
    summary = result["summary"]
    assert changed is True
    assert (summary["added"], summary["already_present"], summary["failed"]) == (1, 1, 1)
    assert result["failures"] == [{"customer_id": "3", "item": "customers[2]", "http_status": 404, "message": "The customer-id has not been found."}]
    assert diff == {
        "before": "campaign 3001: customers not read (no data_token)\n",
        "after": "campaign 3001: customers not read (no data_token); this run: 1 added\n  added 2\n",
    }
    assert any("matched no customer" in call.args[0] for call in warn.call_args_list)


def test_a_request_level_refusal_stops_the_run_naming_the_campaign():
    api = client()
    api.request.return_value = Response(400, {"message": "The operation is invalid for a campaign that has not started."})
    with pytest.raises(BulkFailure, match="Campaign 3001: adding customers was refused: The operation is invalid") as error:
        CustomerService(api).sync(params(customers=[1, 2, 3]))
    assert error.value.changed is False
    assert error.value.result["summary"]["added"] == 0
    assert error.value.result["summary"]["failed"] + error.value.result["summary"]["not_sent"] == 3

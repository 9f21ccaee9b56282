# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.codes import (
    normalize_campaign,
    normalize_record,
)

READ = {
    "campaign": {
        "campaign-id": "101",
        "campaign-name": "Spring",
        "enabled": "Y",
        "dynamic-campaign": "N",
        "status": "3",
        "no-of-records": "2500",
        "start-time": "",
        "end-time": "2027-01-01T00:00:00.000Z",
        "timezone": "",
        "campaign-type": "Dynamic",
    }
}


def test_campaign_read_is_typed_and_named():
    campaign = normalize_campaign(READ)
    assert campaign == {
        "id": 101,
        "name": "Spring",
        "enabled": True,
        "dynamic": False,
        "status": "running",
        "status_code": 3,
        "status_detail": "Manual Running",
        "records_count": 2500,
        "start_time": None,
        "end_time": "2027-01-01T00:00:00.000Z",
        "timezone": None,
        "campaign_type": "Dynamic",
    }


@pytest.mark.parametrize(
    "code, status, detail",
    [
        (0, "new", "New"),
        (1, "running", "Manual Started"),
        (2, "running", "Scheduled"),
        (3, "running", "Manual Running"),
        (4, "running", "Schedule Running"),
        (5, "stopped", "Manual Stopped"),
        (6, "stopped", "Completed"),
        (7, "stopped", "Schedule Stopped"),
        (8, "paused", "Manual Paused"),
        (9, "paused", "Schedule Paused"),
        (10, "purged", "Manual Purged"),
        (11, "purged", "Schedule Purged"),
    ],
)
def test_every_campaign_status_code(code, status, detail):
    for raw in (code, str(code)):
        campaign = normalize_campaign({"campaign": {"status": raw}})
        assert (campaign["status"], campaign["status_code"], campaign["status_detail"]) == (status, code, detail)


def test_unknown_status_code_says_so():
    campaign = normalize_campaign({"campaign": {"status": 42, "no-of-records": ""}})
    assert campaign["status"] == "unknown" and "42" in campaign["status_detail"]
    assert campaign["records_count"] == 0


@pytest.mark.parametrize(
    "status, name, deletable",
    [
        ("0", "new", True),
        ("1", "queued", True),
        ("2", "accepted", False),
        ("3", "completed", False),
        ("4", "scheduled", True),
        ("9", "unknown", False),
    ],
)
def test_record_statuses_and_deletability(status, name, deletable):
    record = normalize_record({"record-id": 1000001, "status": status, "status-code": "1", "disposition-code": 1002, "phone-list": ""})
    assert record["customer_id"] == "1000001"
    assert (record["status"], record["deletable"]) == (name, deletable)
    assert record["result"] == "max_attempt_reached" and record["disposition"] == "scheduled_call_back"
    assert record["phone_list"] is None

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.codes import (
    UndocumentedAnswer,
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


def test_campaign_read_is_typed_and_named_and_holds_only_the_documented_fields():
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


def test_records_count_unset_is_zero():
    assert normalize_campaign({"campaign": {"status": 3, "no-of-records": ""}})["records_count"] == 0


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"campaign": {"status": 42}}, "campaign status code 42, which the API does not document (it uses 0 to 11)"),
        ({"campaign": {"status": "12"}}, "campaign status code '12', which"),
        ({"campaign": {"status": -1}}, "campaign status code -1, which"),
        ({"campaign": {"status": ""}}, "campaign status code '', which"),
        ({"campaign": {"status": None}}, "campaign status code None, which"),
        ({"campaign": {"campaign-id": 7}}, "campaign status code missing, which"),
        ({"message": "ok", "status": 3}, "a JSON object without a campaign (its keys: message, status)"),
        ({}, "a JSON object without a campaign (its keys: none)"),
        ({"campaign": "7"}, "a campaign that is not an object ('7')"),
        ({"campaign": [{"status": 3}]}, "a campaign that is not an object"),
        ([{"campaign": {"status": 3}}], "a JSON list where an object with a campaign was expected"),
    ],
)
def test_a_campaign_read_the_api_does_not_document_names_what_came_back(payload, words):
    with pytest.raises(UndocumentedAnswer) as info:
        normalize_campaign(payload)
    assert words in str(info.value)


@pytest.mark.parametrize(
    "status, name, deletable",
    [
        ("0", "new", True),
        ("1", "queued", True),
        ("2", "accepted", False),
        ("3", "completed", False),
        ("4", "scheduled", True),
    ],
)
def test_record_statuses_and_deletability(status, name, deletable):
    record = normalize_record({"record-id": 1000001, "status": status, "status-code": "1", "disposition-code": 1002, "phone-list": ""})
    assert record["customer_id"] == "1000001"
    assert (record["status"], record["deletable"]) == (name, deletable)
    assert record["result"] == "max_attempt_reached" and record["disposition"] == "scheduled_call_back"
    assert record["phone_list"] is None


@pytest.mark.parametrize("status, shown", [("9", "'9'"), (5, "5"), (-1, "-1"), ("", "''"), (None, "None")])
def test_a_record_status_outside_0_to_4_names_the_record_and_the_code(status, shown):
    with pytest.raises(
        UndocumentedAnswer, match=r"record 1000001 has status code {0}, which the API does not document \(it uses 0 to 4\)".format(re.escape(shown))
    ):
        normalize_record({"record-id": 1000001, "status": status})

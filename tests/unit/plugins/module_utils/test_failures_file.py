# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The failures file keeps every refused row's schedule (and time zone) as written, so it can be fed back."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import json
import time
from unittest.mock import Mock, PropertyMock

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client, Response, RetryPolicy
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import BulkFailure, CustomerService

HOURS = {"start": "08:00", "end": "21:00", "timezone": "UTC"}


def client():
    fake = Mock(spec=Client)
    type(fake).can_read = PropertyMock(return_value=False)
    fake.stats = {"requests": 0, "retries": 0}
    fake.write_policy.return_value = RetryPolicy()
    fake.tenant, fake.base_url = "acme", "http://127.0.0.1:1"
    fake.max_retries, fake.retry_max_time = 5, 120.0
    return fake


def params(**values):
    base = dict(campaign_id=3001, state="present", batch_size=2, workers=1, calling_hours=HOURS)
    base.update(values)
    return base


def day(days, clock):
    return time.strftime("%Y-%m-%dT" + clock, time.gmtime(time.time() + days * 86400))


def refused_rows(api, **values):
    with pytest.raises(BulkFailure) as error:
        CustomerService(api).sync(params(**values))
    api.request.assert_not_called()
    return error.value


def test_rows_refused_locally_keep_their_schedule_and_zone_and_read_back_the_same(tmp_path):
    night, evening, past = day(2, "03:00:00Z"), day(2, "23:30:00+02:00"), day(-1, "10:00:00Z")
    source = tmp_path / "in.csv"
    source.write_text(
        "customer-id,schedule-date-time,timezone\n"
        "1,{0},\n"  # outside the calling hours in UTC
        "2,{1},Asia/Tokyo\n"  # 21:30 UTC is 06:30 in Tokyo: outside, in the row's own zone
        "3,{2},\n"  # in the past
        "4,2026-02-30T10:00:00Z,\n"  # no such date
        "5x,{0},\n".format(night, evening, past)  # an unreadable id
    )
    failed = tmp_path / "failed.csv"
    first = refused_rows(client(), customers_file=str(source), failed_records_path=str(failed))
    with failed.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["customer-id"], row["schedule-date-time"], row["timezone"], row["line"]) for row in rows] == [
        ("1", night, "", "2"),
        ("2", evening, "Asia/Tokyo", "3"),
        ("3", past, "", "4"),
        ("4", "2026-02-30T10:00:00Z", "", "5"),
        ("5x", night, "", "6"),
    ]
    # Fed back as the input, every row is refused for the same reason as before.
    again = refused_rows(client(), customers_file=str(failed))
    reasons = [failure["message"].split(": ", 1)[1] for failure in first.result["failures"]]
    assert [failure["message"].split(": ", 1)[1] for failure in again.result["failures"]] == reasons


def test_list_items_refused_keep_their_schedule_also_with_an_unknown_key(tmp_path):
    night = day(2, "03:00:00Z")
    failed = tmp_path / "failed.csv"
    customers = [{"customer_id": 7, "schedule": night}, {"customer_id": 8, "schedule": night, "zone": "UTC"}, {"customer_id": 9, "schedule": 17}]
    refused_rows(client(), customers=customers, failed_records_path=str(failed))
    with failed.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["customer-id"], row["schedule-date-time"]) for row in rows] == [("7", night), ("8", night), ("9", "17")]
    assert "unknown key(s) zone" in rows[1]["reason"]


def test_repeats_with_another_schedule_keep_the_repeated_schedule(tmp_path):
    first, second = day(2, "10:00:00Z"), day(3, "10:00:00Z")
    failed = tmp_path / "failed.csv"
    customers = [{"customer_id": 7, "schedule": first}, {"customer_id": 7, "schedule": second}]
    refused_rows(client(), customers=customers, failed_records_path=str(failed))
    with failed.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["customer-id"], row["schedule-date-time"]) for row in rows] == [("7", second)]


def test_the_progress_files_last_rate_is_the_summarys_records_per_second(tmp_path):
    api = client()
    api.request.return_value = Response(207, [{"customer-id": "1", "http-status": 200}, {"customer-id": "2", "http-status": 200}])
    progress = tmp_path / "progress.json"
    _changed, result, _diff = CustomerService(api).sync(params(customers=[1, 2], calling_hours=None, progress_path=str(progress)))
    final = json.loads(progress.read_text())
    assert final["phase"] == "done" and final["done"] == 2
    assert final["rate"] == result["summary"]["records_per_second"]


def test_a_stopped_runs_last_rate_is_the_summarys_records_per_second(tmp_path):
    api = client()
    api.request.return_value = Response(400, {"message": "The operation is invalid for a campaign that has not started."})
    progress = tmp_path / "progress.json"
    with pytest.raises(BulkFailure) as error:
        CustomerService(api).sync(params(customers=[1, 2], calling_hours=None, progress_path=str(progress)))
    final = json.loads(progress.read_text())
    assert final["phase"] == "stopped" and final["rate"] == error.value.result["summary"]["records_per_second"]

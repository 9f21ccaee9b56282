# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Declared state beyond presence: calling hours, suppression (do-not-call), reschedules.

Planning is table-driven: each case is a campaign's records, the declared input and options, and the
summary a run must reach. Check mode must predict exactly the counts the apply then reaches, so every
case runs both against a small stateful fake of the API behind a strict Client mock.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import csv
import json
import time
from unittest.mock import Mock, PropertyMock

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.calling_hours import CallingHours
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import CampaignService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client, Response, RetryPolicy
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    CustomerInput,
    RowValidator,
    read_suppressed,
    scan,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import BulkFailure, CustomerService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError

CAMPAIGN = 3001
NEW, ACCEPTED, COMPLETED, SCHEDULED = 0, 2, 3, 4


def utc(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))


def soon(hours):
    """An RFC 3339 UTC text `hours` from now, on a whole minute."""
    return time.strftime("%Y-%m-%dT%H:%M:00Z", time.gmtime(time.time() + hours * 3600))


class FakeApi:
    """One campaign's records {id: (status, schedule)}; `show_schedules`: whether the read carries the field."""

    def __init__(self, records=None, show_schedules=False, refuse_schedules=(), timezone="UTC", can_read=True):
        self.records = dict(records or {})
        self.show_schedules = show_schedules
        self.refuse_schedules = set(refuse_schedules)
        self.timezone = timezone
        self.writes = []
        self.client = Mock(spec=Client)
        type(self.client).can_read = PropertyMock(return_value=can_read)
        self.client.stats = {"requests": 0, "retries": 0}
        self.client.write_policy.return_value = RetryPolicy()
        self.client.tenant, self.client.base_url = "acme", "http://127.0.0.1:1"
        self.client.max_retries, self.client.retry_max_time = 5, 120.0
        self.client.request.side_effect = self.request
        self.client.get_json.side_effect = self.campaign
        self.client.stream_json_chunks.side_effect = self.stream

    def campaign(self, path):
        return {"campaign": {"campaign-id": CAMPAIGN, "status": 3, "no-of-records": len(self.records), "timezone": self.timezone}}

    def stream(self, path):
        rows = []
        for cid, (status, schedule) in sorted(self.records.items()):
            row = {"record-id": str(cid), "status": str(status)}
            if self.show_schedules:
                row["schedule-date-time"] = schedule or ""
            rows.append(row)
        return iter([json.dumps({"records": {"record": rows}}).encode()])

    def request(self, method, path, token, data=None, **kwargs):
        self.writes.append(method)
        if method == "POST":
            return Response(207, [self.add(entry) for entry in json.loads(data)])
        cid = int(path.rsplit("/", 1)[1])
        status = self.records.get(cid, (None,))[0]
        if status is None:
            return Response(404, {"message": "The customer has not been located."})
        if status in (ACCEPTED, COMPLETED):
            return Response(400, {"message": "The customer is not available for deletion."})
        del self.records[cid]
        return Response(204, None)

    def add(self, entry):
        cid, schedule = int(entry["customer-id"]), entry.get("schedule-date-time")
        if cid in self.records:
            return {"customer-id": cid, "http-status": 400, "message": "Duplicate customer"}
        if cid in self.refuse_schedules:
            return {"customer-id": cid, "http-status": 400, "message": "The subject schedule-date-time is outside the campaign schedule."}
        self.records[cid] = (SCHEDULED if schedule else NEW, schedule)
        return {"customer-id": cid, "http-status": 200}


def params(**values):
    base = dict(campaign_id=CAMPAIGN, state="present", customers=None, customers_file=None, customers_file_format=None, exclusive=False)
    base.update(max_removals=None, batch_size=2, workers=2, max_requests_per_second=None, allow_partial=False)
    base.update(failed_records_path=None, progress_path=None, reschedule=False, suppressed_customers=None, suppressed_file=None, calling_hours=None)
    base.update(values)
    return base


KEYS = ("requested", "added", "already_present", "removed", "rescheduled", "schedule_not_applied", "suppressed", "suppressed_removed", "kept_not_deletable")


def counts(summary):
    return dict((key, summary[key]) for key in KEYS if summary[key])


# ------------------------------------------------------------------ calling hours (table)
WEEKDAYS = {"start": "08:00", "end": "21:00", "days": ["mon", "tue", "wed", "thu", "fri"], "timezone": "America/New_York"}
NIGHT = {"start": "22:00", "end": "02:00", "timezone": "Europe/London"}


@pytest.mark.parametrize(
    "spec, instant, row_zone, allowed",
    [
        # 2026-06-02 is a Tuesday; New York is UTC-4 in June.
        (WEEKDAYS, "2026-06-02T12:00:00Z", None, True),  # 08:00 local: the start is included
        (WEEKDAYS, "2026-06-02T11:59:00Z", None, False),  # 07:59 local
        (WEEKDAYS, "2026-06-03T01:00:00Z", None, True),  # 21:00 local: the end is included
        (WEEKDAYS, "2026-06-03T01:00:01Z", None, False),  # 21:00:01 local
        (WEEKDAYS, "2026-06-02T07:00:00Z", None, False),  # 03:00 local
        (WEEKDAYS, "2026-06-06T14:00:00Z", None, False),  # a Saturday
        (WEEKDAYS, "2026-06-02T07:00:00Z", "Europe/Paris", True),  # 09:00 in the row's own zone
        (WEEKDAYS, "2026-06-02T07:00:00Z", "Asia/Tokyo", True),  # 16:00 on Tuesday in the row's own zone
        (WEEKDAYS, "2026-06-06T01:00:00Z", "Asia/Tokyo", False),  # 10:00, but on Saturday in Tokyo
        (NIGHT, "2026-06-02T23:30:00Z", None, True),  # 00:30 BST, the window runs past midnight
        (NIGHT, "2026-06-02T20:00:00Z", None, False),  # 21:00 BST
        (NIGHT, "2026-01-06T22:00:00Z", None, True),  # 22:00 GMT in winter
    ],
)
def test_calling_hours_judge_the_local_time_of_the_zone(spec, instant, row_zone, allowed):
    hours = CallingHours(spec)
    problem = hours.problem(utc(instant), row_zone)
    assert (problem is None) == allowed, problem


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"start": "8:00", "end": "21:00", "timezone": "UTC"}, "calling_hours.start must be a time of day as HH:MM"),
        ({"start": "08:00", "end": "24:00", "timezone": "UTC"}, "calling_hours.end must be a time of day as HH:MM"),
        ({"start": "08:00", "end": "21:00", "timezone": "Mars/Olympus"}, "calling_hours.timezone 'Mars/Olympus' is not an IANA"),
        ({"start": "08:00", "end": "21:00", "days": ["monday", "xyz"]}, "calling_hours.days must list days"),
        ({"start": "08:00", "end": "21:00", "zone": "UTC"}, "unknown key(s) zone"),
    ],
)
def test_bad_calling_hours_are_refused(spec, message):
    with pytest.raises(ValidationError) as error:
        CallingHours(spec)
    assert message in error.value.message


def test_rows_outside_the_calling_hours_are_invalid_naming_row_and_customer(tmp_path):
    hours = CallingHours({"start": "08:00", "end": "21:00", "timezone": "America/New_York"})
    now = utc("2026-06-01T00:00:00Z")
    path = tmp_path / "in.csv"
    path.write_text(
        "customer-id,schedule-date-time,timezone\n"
        "1,2026-06-02T07:00:00Z,\n"  # 03:00 in New York: invalid
        "2,2026-06-02T07:00:00Z,Europe/Paris\n"  # 09:00 in Paris: valid
        "3,2026-06-02T14:00:00Z,\n"  # 10:00 in New York: valid
        "4,2026-06-02T14:00:00Z,Nowhere/Land\n"  # an unknown zone: invalid
    )
    invalid = []
    items = [{"customer_id": 5, "schedule": "2026-06-02T03:00:00-04:00"}, {"customer_id": 6, "schedule": "2026-06-02T03:00:00-04:00", "timezone": "Asia/Tokyo"}]
    index = scan(CustomerInput(items, str(path)), RowValidator(now, hours=hours), lambda origin, raw, reason, *_row: invalid.append((origin, str(raw), reason)))
    assert sorted(index.ids) == [2, 3, 6]
    assert [(origin, raw) for origin, raw, _reason in invalid] == [(-1, "5"), (2, "1"), (5, "4")]
    assert (
        "customer 1: schedule-date-time '2026-06-02T07:00:00Z' is 03:00 on Tue 2026-06-02 in America/New_York, outside the calling hours 08:00-21:00"
        in invalid[1][2]
    )
    assert "timezone 'Nowhere/Land' is not an IANA time zone name" in invalid[2][2]


def test_without_calling_hours_the_timezone_column_is_ignored():
    invalid = []
    index = scan(
        CustomerInput([{"customer_id": 1, "schedule": "2026-06-02T07:00:00Z", "timezone": "Nowhere/Land"}]),
        RowValidator(utc("2026-06-01T00:00:00Z")),
        lambda *args: invalid.append(args),
    )
    assert list(index.ids) == [1] and invalid == []


def test_outside_the_calling_hours_fails_before_any_http_call_when_the_zone_is_given():
    api = FakeApi()
    night = time.strftime("%Y-%m-%dT03:00:00Z", time.gmtime(time.time() + 86400 * 2))
    with pytest.raises(BulkFailure) as error:
        CustomerService(api.client).sync(
            params(customers=[{"customer_id": 7, "schedule": night}], calling_hours={"start": "08:00", "end": "21:00", "timezone": "UTC"})
        )
    assert "customers[0]: customer 7: schedule-date-time" in error.value.message and "outside the calling hours" in error.value.message
    api.client.get_json.assert_not_called()
    api.client.request.assert_not_called()


@pytest.mark.parametrize(
    "timezone, can_read, message", [("", True, "campaign 3001 reports no time zone"), ("UTC", False, "timezone is required without data_token")]
)
def test_calling_hours_without_a_zone_need_the_campaigns_zone(timezone, can_read, message):
    api = FakeApi(timezone=timezone, can_read=can_read)
    with pytest.raises(ValidationError) as error:
        CustomerService(api.client).sync(params(customers=[1], calling_hours={"start": "08:00", "end": "21:00"}), check_mode=True)
    assert message in error.value.message
    assert api.writes == []


def test_calling_hours_take_the_campaigns_zone_from_the_read():
    api = FakeApi(timezone="Asia/Tokyo")
    local_noon = time.strftime("%Y-%m-%dT03:00:00Z", time.gmtime(time.time() + 86400 * 2))  # 12:00 in Tokyo
    changed, result, _diff = CustomerService(api.client).sync(
        params(customers=[{"customer_id": 8, "schedule": local_noon}], calling_hours={"start": "08:00", "end": "21:00"})
    )
    assert changed and result["summary"]["added"] == 1


# ------------------------------------------------------------------ suppression and reschedules (table)
IN_2H, IN_3H = soon(2), soon(3)

CASES = [
    # name, records, options, expected counts
    ("suppressed declared customer is never added", {}, dict(customers=[1, 2], suppressed_customers=[2]), dict(requested=1, added=1, suppressed=1)),
    (
        "held suppressed records are removed, declared or not; undeletable ones kept",
        {2: (NEW, None), 3: (NEW, None), 4: (COMPLETED, None), 5: (NEW, None)},
        dict(customers=[1, 2], suppressed_customers=[2, 3, 4]),
        dict(requested=1, added=1, suppressed=1, suppressed_removed=2, kept_not_deletable=1),
    ),
    (
        "exclusive removes the undeclared, suppression the suppressed, each once",
        {2: (NEW, None), 3: (NEW, None), 5: (NEW, None)},
        dict(customers=[1], exclusive=True, max_removals="100%", suppressed_customers=[3]),
        dict(requested=1, added=1, removed=2, suppressed_removed=1),
    ),
    (
        "a declared schedule for a held customer is not applied without reschedule",
        {1: (NEW, None)},
        dict(customers=[{"customer_id": 1, "schedule": IN_2H}, 2]),
        dict(requested=2, added=1, already_present=1, schedule_not_applied=1),
    ),
    (
        "reschedule deletes and adds a held customer again",
        {1: (SCHEDULED, IN_3H), 3: (NEW, None)},
        dict(customers=[{"customer_id": 1, "schedule": IN_2H}, {"customer_id": 2, "schedule": IN_2H}, 3], reschedule=True),
        dict(requested=3, added=1, already_present=1, rescheduled=1),
    ),
    (
        "reschedule sends nothing when the read shows the declared schedule",
        {1: (SCHEDULED, IN_2H)},
        dict(customers=[{"customer_id": 1, "schedule": IN_2H}], reschedule=True, show_schedules=True),
        dict(requested=1, already_present=1),
    ),
    (
        "a shown schedule in another form of the same instant is the declared one",
        {1: (SCHEDULED, IN_2H.replace("Z", ".000+00:00"))},
        dict(customers=[{"customer_id": 1, "schedule": IN_2H}], reschedule=True, show_schedules=True),
        dict(requested=1, already_present=1),
    ),
    (
        "reschedule of a schedule the read shows differently",
        {1: (SCHEDULED, IN_3H), 2: (NEW, None)},
        dict(customers=[{"customer_id": 1, "schedule": IN_2H}, {"customer_id": 2, "schedule": IN_2H}], reschedule=True, show_schedules=True),
        dict(requested=2, rescheduled=2),
    ),
]


def diff_ids(text):
    """The ids one side of the diff lists as the campaign's customers."""
    ids = []
    for line in text.splitlines()[1:]:
        if not line.startswith("  "):
            break
        ids.append(int(line.split()[0]))
    return ids


@pytest.mark.parametrize("name, records, options, expected", CASES, ids=[case[0] for case in CASES])
def test_check_mode_predicts_what_the_apply_does_and_the_reapply_changes_nothing(name, records, options, expected):
    options = dict(options)
    show = options.pop("show_schedules", False)
    api = FakeApi(records, show_schedules=show)
    before = sorted(api.records)
    _changed, predicted, predicted_diff = CustomerService(api.client).sync(params(**options), check_mode=True)
    assert api.writes == []
    changed, applied, diff = CustomerService(api.client).sync(params(**options))
    assert counts(applied["summary"]) == expected
    assert counts(predicted["summary"]) == expected
    assert changed == bool(expected.get("added") or expected.get("removed") or expected.get("rescheduled") or expected.get("suppressed_removed"))
    # The diff is the campaign's membership before and after, as check mode predicted it.
    assert predicted_diff == diff
    assert diff["before"].startswith("campaign {0}: {1} customer".format(CAMPAIGN, len(before))) and diff_ids(diff["before"]) == before
    assert diff["after"].startswith("campaign {0}: {1} customer".format(CAMPAIGN, len(api.records))) and diff_ids(diff["after"]) == sorted(api.records)
    if expected.get("suppressed"):
        assert "suppressed, not added: {0} customer".format(expected["suppressed"]) in diff["after"]
    if expected.get("rescheduled"):
        assert diff["after"].count(" (rescheduled)") == expected["rescheduled"]
    if not options.get("reschedule") or show:
        # Re-applied: unchanged (a read without schedules reschedules again, see the next test).
        api.writes = []
        again = CustomerService(api.client).sync(params(**options))
        assert not again[0] and api.writes == []


def test_a_read_without_schedules_reschedules_every_run_and_says_so():
    api = FakeApi({1: (SCHEDULED, IN_3H)})
    warnings = []
    for _run in (1, 2):
        changed, result, _diff = CustomerService(api.client).sync(
            params(customers=[{"customer_id": 1, "schedule": IN_2H}], reschedule=True), warn=warnings.append
        )
        assert changed and result["summary"]["rescheduled"] == 1
    assert api.records[1] == (SCHEDULED, IN_2H)
    assert len(warnings) == 2 and "does not show when 1 held customer(s) are scheduled" in warnings[0]


def test_schedule_not_applied_is_named_in_one_warning():
    api = FakeApi({1: (NEW, None), 2: (NEW, None)})
    warnings = []
    CustomerService(api.client).sync(params(customers=[{"customer_id": 1, "schedule": IN_2H}, {"customer_id": 2, "schedule": IN_2H}]), warn=warnings.append)
    assert len(warnings) == 1 and "2 customer(s) with a declared schedule are held already" in warnings[0] and "1, 2" in warnings[0]
    assert api.writes == []


def test_a_record_that_cannot_be_deleted_to_reschedule_is_a_per_item_failure():
    api = FakeApi({1: (ACCEPTED, None), 2: (NEW, None)})
    with pytest.raises(BulkFailure) as error:
        CustomerService(api.client).sync(params(customers=[{"customer_id": 1, "schedule": IN_2H}, {"customer_id": 2, "schedule": IN_2H}], reschedule=True))
    result = error.value.result
    assert result["summary"]["not_deletable"] == 1 and result["summary"]["rescheduled"] == 1
    assert result["failures"][0]["customer_id"] == "1" and "could not be deleted to apply the declared schedule" in result["failures"][0]["message"]


def test_a_re_add_refused_after_the_delete_is_written_with_its_schedule(tmp_path):
    api = FakeApi({1: (NEW, None)}, refuse_schedules=[1])
    failed = tmp_path / "failed.csv"
    with pytest.raises(BulkFailure) as error:
        CustomerService(api.client).sync(params(customers=[{"customer_id": 1, "schedule": IN_2H}], reschedule=True, failed_records_path=str(failed)))
    assert error.value.changed and 1 not in api.records
    assert "no longer in the campaign" in error.value.result["failures"][0]["message"]
    rows = list(csv.reader(failed.open()))
    assert rows[1][:2] == ["1", IN_2H]


@pytest.mark.parametrize(
    "values, message",
    [
        (dict(state="absent", customers=[1], suppressed_customers=[2]), "suppressed_customers applies to state=present only"),
        (dict(state="absent", customers=[1], reschedule=True), "reschedule applies to state=present only"),
        (dict(customers=[1], suppressed_customers=[2, "x"]), "suppressed_customers[1]: customer-id 'x'"),
    ],
)
def test_declared_state_options_are_checked_before_any_request(values, message):
    api = FakeApi()
    with pytest.raises(ValidationError) as error:
        CustomerService(api.client).sync(params(**values))
    assert message in error.value.message
    api.client.get_json.assert_not_called()


def test_reschedule_needs_data_token():
    api = FakeApi(can_read=False)
    with pytest.raises(ValidationError, match="reschedule needs data_token"):
        CustomerService(api.client).sync(params(customers=[1], reschedule=True))


def test_the_suppressed_file_is_read_like_a_customers_file(tmp_path):
    path = tmp_path / "dnc.csv"
    path.write_text("customer-id,note\n7,asked\n8,\n7,again\n")
    assert read_suppressed([9], str(path)) == {7, 8, 9}
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(ValidationError, match="suppressed_file .*empty.jsonl: is empty"):
        read_suppressed(None, str(empty))


def test_without_data_token_suppressed_ids_are_deleted_blind():
    api = FakeApi({2: (NEW, None)}, can_read=False)
    changed, result, _diff = CustomerService(api.client).sync(params(suppressed_customers=[2, 3]))
    assert changed and result["summary"]["suppressed_removed"] == 1 and result["summary"]["already_absent"] == 1
    assert api.records == {}


# ------------------------------------------------------------------ lookup (campaign_info customer_ids)
@pytest.mark.parametrize(
    "wanted, statuses, found, missing",
    [
        (["2", "9"], (), ["2"], ["9"]),
        (["0004", "3", "2"], (), ["2", "3", "4"], []),
        (["3", "4"], ("new",), ["3"], []),  # 4 is held (completed): filtered out, not missing
        (["10", "9"], (), [], ["9", "10"]),
    ],
)
def test_lookup_returns_exactly_the_wanted_records_and_the_missing_ids(wanted, statuses, found, missing):
    api = FakeApi({cid: (NEW if cid != 4 else COMPLETED, None) for cid in range(1, 6)})
    records, absent = CampaignService(api.client).lookup(CAMPAIGN, [int(cid) for cid in wanted], set(statuses))
    assert [record["customer_id"] for record in records] == found
    assert absent == missing


# ------------------------------------------------------------------ a campaign an earlier task starts
def new_campaign(path):
    return {"campaign": {"campaign-id": CAMPAIGN, "status": 0, "no-of-records": 0, "timezone": "UTC"}}


@pytest.mark.parametrize("assume_started, warned", [(False, True), (True, False)])
def test_check_mode_on_a_new_campaign_warns_unless_an_earlier_task_starts_it(assume_started, warned):
    api = FakeApi()
    api.client.get_json.side_effect = new_campaign
    warnings = []
    _changed, result, _diff = CustomerService(api.client).sync(params(customers=[1, 2], assume_started=assume_started), check_mode=True, warn=warnings.append)
    assert api.writes == []
    assert result["summary"]["added"] == 2
    assert [text for text in warnings if "has not started" in text] == (
        [
            "Campaign 3001: customers cannot be added: the campaign has not started (status new); start it first (campaign_status: running)."
            " In check mode this is a warning: an earlier task may start it."
        ]
        if warned
        else []
    )


def test_assume_started_does_not_let_an_apply_add_to_a_new_campaign():
    api = FakeApi()
    api.client.get_json.side_effect = new_campaign
    with pytest.raises(Exception, match="has not started"):
        CustomerService(api.client).sync(params(customers=[1], assume_started=True))
    assert api.writes == []

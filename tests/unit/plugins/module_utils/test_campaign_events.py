# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure rules of the campaign_events source: record counting, events between two polls, backoff."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaign_events import (
    MAX_BACKOFF,
    CampaignTracker,
    change_events,
    count_record_statuses,
    observe,
    poll_delay,
)

ZERO = {"new": 0, "queued": 0, "accepted": 0, "completed": 0, "scheduled": 0}


def counts(**moved):
    result = dict(ZERO)
    result.update(moved)
    return result


def records_body(*statuses):
    records = [{"record-id": str(1000 + i), "status": status, "status-code": "4", "disposition-code": 1000} for i, status in enumerate(statuses)]
    inner = "" if not records else (records[0] if len(records) == 1 else records)
    return json.dumps({"records": {"record": inner} if inner != "" else ""}).encode()


def chunked(data, size):
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ((), counts()),
        ((1,), counts(queued=1)),
        (("0", "0", "4", 2, 3, "1"), counts(new=2, queued=1, accepted=1, completed=1, scheduled=1)),
        ((7, "", 0), dict(counts(new=1), unknown=2)),
    ],
)
def test_count_record_statuses(statuses, expected):
    body = records_body(*statuses)
    for size in range(1, len(body) + 1):
        assert count_record_statuses(chunked(body, size)) == expected, size


@pytest.mark.parametrize("body", [b'{"records": {"record": [{"record-id": "1", "status": 0}', b"", b"<html>oops</html>", b'{"records": [] '])
def test_count_record_statuses_refuses_a_body_cut_short(body):
    with pytest.raises(ValueError, match="not one whole JSON object"):
        count_record_statuses(chunked(body, 7) if body else [])


def seen(status="running", detail="Manual Running", records=None, name="Spring"):
    campaign = {"id": 101, "name": name, "status": status, "status_code": 3, "status_detail": detail, "enabled": True, "dynamic": True, "records_count": 0}
    return observe(campaign, records)


# (before, after, threshold) -> the event types in order
CHANGE_TABLE = [
    ("same", seen(records=counts(new=5)), seen(records=counts(new=5)), 3, []),
    ("status", seen(), seen("paused", "Manual Paused"), None, ["status_changed"]),
    ("status detail only", seen(), seen(detail="Schedule Running"), None, []),
    ("records moved", seen(records=counts(new=5)), seen(records=counts(new=4, accepted=1)), None, ["records_changed"]),
    ("records moved, still above", seen(records=counts(new=5)), seen(records=counts(new=3, completed=2)), 3, ["records_changed"]),
    ("falls below", seen(records=counts(new=3)), seen(records=counts(new=2, completed=1)), 3, ["records_changed", "records_low"]),
    ("stays below", seen(records=counts(new=2)), seen(records=counts(new=1, completed=1)), 3, ["records_changed"]),
    ("no threshold", seen(records=counts(new=3)), seen(records=counts(completed=3)), None, ["records_changed"]),
    ("all at once", seen(records=counts(queued=9)), seen("stopped", "Completed", counts(completed=9)), 3, ["status_changed", "records_changed", "records_low"]),
    ("records not read", seen(), seen(), 3, []),
]


@pytest.mark.parametrize("name, before, after, threshold, expected", CHANGE_TABLE, ids=[row[0] for row in CHANGE_TABLE])
def test_change_events(name, before, after, threshold, expected):
    assert [event["type"] for event in change_events(before, after, threshold)] == expected


def test_status_changed_fields():
    (event,) = change_events(seen(), seen("paused", "Manual Paused"))
    assert event["status"] == "paused" and event["previous_status"] == "running"
    assert event["status_detail"] == "Manual Paused" and event["previous_status_detail"] == "Manual Running"
    assert event["campaign_id"] == 101 and event["campaign_name"] == "Spring"


def test_records_changed_and_low_fields():
    changed, low = change_events(seen(records=counts(new=4, queued=1)), seen(records=counts(new=1, queued=1, accepted=1, completed=2)), 3)
    assert changed["changes"] == {"new": -3, "accepted": 1, "completed": 2}
    assert changed["previous_records"] == counts(new=4, queued=1) and changed["records"]["completed"] == 2
    assert (changed["dialable"], changed["previous_dialable"]) == (2, 5)
    assert (low["dialable"], low["previous_dialable"], low["threshold"]) == (2, 5, 3)
    assert low["records"] == counts(new=1, queued=1, accepted=1, completed=2)


def test_dialable_counts_new_queued_and_scheduled_only():
    assert seen(records=counts(new=1, queued=2, scheduled=4, accepted=8, completed=16))["dialable"] == 7


@pytest.mark.parametrize(
    "interval, failing, rand, expected",
    [
        (30, 0, 0.9, 30.0),
        (30, 1, 0.0, 30.0),
        (30, 1, 1.0, 60.0),
        (30, 2, 1.0, 120.0),
        (30, 3, 1.0, 240.0),
        (30, 4, 1.0, MAX_BACKOFF),
        (30, 400, 1.0, MAX_BACKOFF),
        (30, 2, 0.5, 75.0),
        (1, 1, 1.0, 2.0),
        (1, 3, 1.0, 8.0),
        (1, 4, 1.0, 10.0),
        (1, 50, 1.0, 10.0),
        (10, 5, 1.0, 100.0),
        (60, 5, 1.0, MAX_BACKOFF),
        (600, 5, 1.0, 600.0),
    ],
)
def test_poll_delay(interval, failing, rand, expected):
    assert poll_delay(interval, failing, lambda: rand) == pytest.approx(expected)


def test_tracker_snapshot_then_changes():
    tracker = CampaignTracker(101, threshold=3)
    (first,) = tracker.succeeded(seen(records=counts(new=2)), 1800000000)
    body = first["campaign_event"]
    assert body["type"] == "snapshot" and body["records_low"] is True and body["threshold"] == 3
    assert body["time"] == "2027-01-15T08:00:00Z"
    assert tracker.succeeded(seen(records=counts(new=2)), 1800000030) == []
    (changed,) = tracker.succeeded(seen("paused", "Manual Paused", counts(new=2)), 1800000060)
    assert changed["campaign_event"]["type"] == "status_changed"


def test_tracker_unreachable_once_then_recovered_with_the_changes_since():
    tracker = CampaignTracker(101, threshold=3, unreachable_after=2)
    tracker.succeeded(seen(records=counts(new=5)), 1000)
    assert tracker.failed("GET ... answered 503", 1030) == []
    (down,) = tracker.failed("GET ... answered 503", 1090)
    assert down["campaign_event"]["type"] == "unreachable"
    assert down["campaign_event"]["failures"] == 2 and down["campaign_event"]["last_status"] == "running"
    assert down["campaign_event"]["since"] == "1970-01-01T00:17:10Z"
    assert tracker.failed("still down", 1200) == []
    events = tracker.succeeded(seen("paused", "Manual Paused", counts(new=1, completed=4)), 1300)
    assert [event["campaign_event"]["type"] for event in events] == ["recovered", "status_changed", "records_changed", "records_low"]
    assert events[0]["campaign_event"]["down_seconds"] == 270 and events[0]["campaign_event"]["failures"] == 3


def test_tracker_failures_below_the_limit_say_nothing_and_reset():
    tracker = CampaignTracker(101, unreachable_after=3)
    tracker.succeeded(seen(), 0)
    assert tracker.failed("x", 1) == [] and tracker.failed("x", 2) == []
    assert tracker.succeeded(seen(), 3) == []
    assert tracker.failed("x", 4) == [] and tracker.failed("x", 5) == []


def test_tracker_first_read_after_an_outage_from_the_start_is_a_snapshot():
    tracker = CampaignTracker(101, unreachable_after=1)
    (down,) = tracker.failed("connection refused", 10)
    assert down["campaign_event"]["last_status"] is None
    events = tracker.succeeded(seen(), 20)
    assert [event["campaign_event"]["type"] for event in events] == ["recovered", "snapshot"]

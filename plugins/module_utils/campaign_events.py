# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the campaign_events event source says about a campaign, as pure functions.

An observation is what one poll read of a campaign (status and, optionally, its records counted by
status); a CampaignTracker compares each poll with the one before and returns the events to put on
the queue. No I/O here: the clock is passed in, so every rule is unit-tested with a fake one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time
from collections import Counter

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.codes import (
    DELETABLE_RECORD_STATUSES,
    RECORD_STATUSES,
)

EVENT_KEY = "campaign_event"
# Record statuses in the order the dialer moves them; new, queued and scheduled are still to be dialed.
RECORD_STATUS_NAMES = tuple(RECORD_STATUSES[code] for code in sorted(RECORD_STATUSES))
DIALABLE_STATUSES = tuple(name for name in RECORD_STATUS_NAMES if name in DELETABLE_RECORD_STATUSES)
# The status of one record in records.json; "status-code" (the dialing result) does not match.
RECORD_STATUS = re.compile(rb'"status"\s*:\s*"?(-?\d*)"?')
# How a whole records.json ends: a list of records, one record (an object), or none ("").
WHOLE_RECORDS_END = re.compile(rb'(?:\]\s*\}\s*\}|\}\s*\}\s*\}|""\s*\})\s*$')
# While every read fails, polls wait at most this many intervals, and at most MAX_BACKOFF seconds
# unless the interval itself is longer.
MAX_BACKOFF_INTERVALS = 10
MAX_BACKOFF = 300.0


def utc_text(epoch):
    """ISO 8601 in UTC, to the second, as the API writes times."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def count_record_statuses(chunks):
    """Records of a streamed records.json body counted by status name; never holds the whole body.

    Raises ValueError when the body is not one whole JSON object (cut off, or another answer).
    """
    counts = Counter()
    tail, start, end = b"", b"", b""
    for chunk in chunks:
        data = tail + chunk
        start = start or data.lstrip()[:1]
        end = (end + chunk)[-32:]
        # Cut after the last '}': a status pair never holds one, so none is split between two blocks.
        cut = data.rfind(b"}") + 1
        tail = data[cut:]
        counts.update(RECORD_STATUS.findall(data[:cut]))
    if start != b"{" or not WHOLE_RECORDS_END.search(end):
        raise ValueError("the records read is not one whole JSON object (cut short?)")
    named = dict((name, 0) for name in RECORD_STATUS_NAMES)
    for code, count in counts.items():
        name = RECORD_STATUSES.get(int(code), "unknown") if code.lstrip(b"-").isdigit() else "unknown"
        named[name] = named.get(name, 0) + count
    return named


def observe(campaign, records=None):
    """The part of a campaign read (CampaignService.get) and record counts that events compare."""
    seen = {
        "campaign_id": campaign.get("id"),
        "campaign_name": campaign.get("name"),
        "status": campaign.get("status"),
        "status_code": campaign.get("status_code"),
        "status_detail": campaign.get("status_detail"),
        "enabled": campaign.get("enabled"),
        "dynamic": campaign.get("dynamic"),
        "records_count": campaign.get("records_count"),
    }
    if records is not None:
        seen["records"] = dict(records)
        seen["dialable"] = sum(records.get(name, 0) for name in DIALABLE_STATUSES)
    return seen


def is_low(seen, threshold):
    return threshold is not None and "dialable" in seen and seen["dialable"] < threshold


def snapshot_fields(seen, threshold):
    fields = dict(seen)
    if "dialable" in seen and threshold is not None:
        fields.update(records_low=is_low(seen, threshold), threshold=threshold)
    return fields


def status_changed(before, after):
    if before["status"] == after["status"]:
        return []
    return [
        dict(
            type="status_changed",
            previous_status=before["status"],
            previous_status_detail=before["status_detail"],
            **after,
        )
    ]


def records_changed(before, after):
    if "records" not in after or "records" not in before or before["records"] == after["records"]:
        return []
    names = sorted(set(before["records"]) | set(after["records"]), key=lambda name: (name not in RECORD_STATUS_NAMES, name))
    delta = dict((name, after["records"].get(name, 0) - before["records"].get(name, 0)) for name in names)
    return [
        dict(
            type="records_changed",
            previous_records=before["records"],
            previous_dialable=before["dialable"],
            changes=dict((name, moved) for name, moved in delta.items() if moved),
            **after,
        )
    ]


def records_low(before, after, threshold):
    """Fires when the dialable records fall below the threshold, once until they are back above it."""
    if not is_low(after, threshold) or is_low(before, threshold) or "dialable" not in before:
        return []
    return [dict(type="records_low", threshold=threshold, previous_dialable=before["dialable"], **after)]


def change_events(before, after, threshold=None):
    """Event bodies for what moved between two observations of one campaign, in a fixed order."""
    return status_changed(before, after) + records_changed(before, after) + records_low(before, after, threshold)


def poll_delay(interval, failing_polls, rand):
    """Seconds until the next poll: the interval, or while every read fails an exponential backoff
    (interval x 2^n, at most MAX_BACKOFF_INTERVALS intervals and MAX_BACKOFF seconds, never less than
    the interval) with jitter above the interval, so that sources restarted together do not poll a
    recovering API in step, and a recovery is still seen within a few intervals."""
    if failing_polls <= 0:
        return float(interval)
    cap = max(float(interval), min(MAX_BACKOFF, MAX_BACKOFF_INTERVALS * interval))
    ceiling = min(cap, interval * 2.0 ** min(failing_polls, 30))
    return interval + rand() * (ceiling - interval)


def wrap(body, when):
    """The event as put on the queue; `time` is when the poll read it."""
    body = dict(body)
    body["time"] = utc_text(when)
    return {EVENT_KEY: body}


class CampaignTracker:
    """One watched campaign: the last observation and the current run of failed reads."""

    def __init__(self, campaign_id, threshold=None, unreachable_after=3):
        self.campaign_id = campaign_id
        self.threshold = threshold
        self.unreachable_after = unreachable_after
        self.last = None
        self.failures = 0
        self.failing_since = None
        self.unreachable = False

    def succeeded(self, seen, when):
        """Events for a successful read: snapshot the first time, then what changed."""
        seen = dict(seen, campaign_id=self.campaign_id)
        bodies = [] if not self.unreachable else [self._recovered(seen, when)]
        if self.last is None:
            bodies.append(dict(type="snapshot", **snapshot_fields(seen, self.threshold)))
        else:
            bodies.extend(change_events(self.last, seen, self.threshold))
        self.last = seen
        self.failures, self.failing_since, self.unreachable = 0, None, False
        return [wrap(body, when) for body in bodies]

    def failed(self, error, when):
        """Events for a failed read: `unreachable` once, when the failures reach unreachable_after."""
        self.failures += 1
        if self.failing_since is None:
            self.failing_since = when
        if self.unreachable or self.failures < self.unreachable_after:
            return []
        self.unreachable = True
        body = {
            "type": "unreachable",
            "campaign_id": self.campaign_id,
            "campaign_name": (self.last or {}).get("campaign_name"),
            "error": error,
            "failures": self.failures,
            "since": utc_text(self.failing_since),
            "last_status": (self.last or {}).get("status"),
        }
        return [wrap(body, when)]

    def _recovered(self, seen, when):
        return {
            "type": "recovered",
            "campaign_id": self.campaign_id,
            "campaign_name": seen.get("campaign_name"),
            "failures": self.failures,
            "since": utc_text(self.failing_since),
            "down_seconds": round(max(0.0, when - self.failing_since), 3),
            "status": seen.get("status"),
        }

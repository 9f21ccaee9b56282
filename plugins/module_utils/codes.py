# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Code tables of the 8x8 read API and normalisation of its loose JSON.

The stats API returns numbers as numbers or numeric strings, flags as
"Y"/"N", empty values as "" and a single record as an object instead of a
list. Everything leaving this module is typed and uses lowercase names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# stats `status` code -> (API status name, detail)
CAMPAIGN_STATUS_CODES = {
    0: ("new", "New"),
    1: ("running", "Manual Started"),
    2: ("running", "Scheduled"),
    3: ("running", "Manual Running"),
    4: ("running", "Schedule Running"),
    5: ("stopped", "Manual Stopped"),
    6: ("stopped", "Completed"),
    7: ("stopped", "Schedule Stopped"),
    8: ("paused", "Manual Paused"),
    9: ("paused", "Schedule Paused"),
    10: ("purged", "Manual Purged"),
    11: ("purged", "Schedule Purged"),
}
CAMPAIGN_STATUSES = ("new", "running", "paused", "purged", "stopped")
SETTABLE_STATUSES = ("running", "paused", "purged", "stopped")

RECORD_STATUSES = {0: "new", 1: "queued", 2: "accepted", 3: "completed", 4: "scheduled"}
DELETABLE_RECORD_STATUSES = frozenset(("new", "queued", "scheduled"))
DELETABLE_RECORD_CODES = frozenset(code for code, name in RECORD_STATUSES.items() if name in DELETABLE_RECORD_STATUSES)
RECORD_RESULTS = {
    0: "default",
    1: "max_attempt_reached",
    2: "skipped",
    3: "no_phone_number",
    4: "invalid_phone_number",
}
DISPOSITIONS = {1000: "none", 1001: "try_again", 1002: "scheduled_call_back"}

# read field -> result key, for the fields that get a name of their own
CAMPAIGN_FIELD_NAMES = {
    "campaign-id": "id",
    "campaign-name": "name",
    "no-of-records": "records_count",
    "dynamic-campaign": "dynamic",
}
# What campaign_info returns (and documents) of a campaign read; the read's other fields are left out.
CAMPAIGN_KEYS = ("id", "name", "status", "status_code", "status_detail", "enabled", "dynamic", "records_count", "start_time", "end_time", "timezone")
FLAG_FIELDS = frozenset(("enabled", "dynamic-campaign"))
INT_FIELDS = frozenset(("campaign-id", "no-of-records"))


class UndocumentedAnswer(ValueError):
    """A read whose JSON is not what the API documents (no campaign object, a status code it does not list)."""


def loose_value(value):
    """ "" means unset in the stats API."""
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def to_int(value):
    """An int from an int or a numeric string; None for unset or garbage."""
    value = loose_value(value)
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def to_flag(value):
    """'Y'/'N' (and true/false variants) to a bool; None when unset."""
    value = loose_value(value)
    if value is None or isinstance(value, bool):
        return value
    return str(value).strip().upper() in ("Y", "YES", "TRUE", "1")


def snake(name):
    return name.replace("-", "_").lower()


def shown(value):
    """A value of an answer as an error shows it: short, and typed (so '3' and 3 differ)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def campaign_object(payload):
    """The `campaign` object of a campaign read; UndocumentedAnswer when there is none."""
    raw = payload.get("campaign") if isinstance(payload, dict) else None
    if isinstance(raw, dict):
        return raw
    if not isinstance(payload, dict):
        raise UndocumentedAnswer("a JSON {0} where an object with a campaign was expected".format(type(payload).__name__))
    if "campaign" not in payload:
        keys = ", ".join(sorted(str(key) for key in payload)[:5]) or "none"
        raise UndocumentedAnswer("a JSON object without a campaign (its keys: {0})".format(keys))
    raise UndocumentedAnswer("a campaign that is not an object ({0})".format(shown(raw)))


def campaign_status_code(raw):
    """The documented status code (0 to 11) of a campaign object; UndocumentedAnswer otherwise."""
    code = to_int(raw.get("status"))
    if code not in CAMPAIGN_STATUS_CODES:
        raise UndocumentedAnswer(
            "campaign status code {0}, which the API does not document (it uses 0 to 11)".format(shown(raw.get("status")) if "status" in raw else "missing")
        )
    return code


def normalize_field(key, value):
    if key in FLAG_FIELDS:
        return to_flag(value)
    if key in INT_FIELDS:
        return to_int(value)
    return loose_value(value)


def normalize_campaign(payload):
    """The `campaign` object of GET /api/stats/campaigns/{id}.json, typed.

    Raises UndocumentedAnswer when there is no campaign object or its status code is not one of
    0 to 11: no caller may guess what an unknown status allows."""
    raw = campaign_object(payload)
    code = campaign_status_code(raw)
    fields = {}
    for key, value in raw.items():
        fields[CAMPAIGN_FIELD_NAMES.get(key, snake(key))] = normalize_field(key, value)
    fields["status_code"] = code
    fields["status"], fields["status_detail"] = CAMPAIGN_STATUS_CODES[code]
    fields["records_count"] = fields.get("records_count") or 0
    return dict((key, fields.get(key)) for key in CAMPAIGN_KEYS)


def record_status_code(raw):
    """The documented status code (0 to 4) of a record; UndocumentedAnswer otherwise."""
    code = to_int(raw.get("status"))
    if code not in RECORD_STATUSES:
        raise UndocumentedAnswer(
            "record {0} has status code {1}, which the API does not document (it uses 0 to 4)".format(
                loose_value(raw.get("record-id")), shown(raw.get("status")) if "status" in raw else "missing"
            )
        )
    return code


def normalize_record(raw):
    """One record of GET /api/stats/campaigns/{id}/records.json, typed; UndocumentedAnswer for a status code outside 0 to 4."""
    status_code = record_status_code(raw)
    result_code = to_int(raw.get("status-code"))
    disposition_code = to_int(raw.get("disposition-code"))
    status = RECORD_STATUSES[status_code]
    customer_id = loose_value(raw.get("record-id"))
    return {
        "customer_id": None if customer_id is None else str(customer_id),
        "status": status,
        "status_code": status_code,
        "deletable": status in DELETABLE_RECORD_STATUSES,
        "result": RECORD_RESULTS.get(result_code, "unknown" if result_code is not None else None),
        "result_code": result_code,
        "disposition": DISPOSITIONS.get(disposition_code, "unknown" if disposition_code is not None else None),
        "disposition_code": disposition_code,
        "phone_list": loose_value(raw.get("phone-list")),
        "schedule": loose_value(raw.get("schedule-date-time")),
    }

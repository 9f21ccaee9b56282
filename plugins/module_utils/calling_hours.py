# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Calling hours: the local times of day (and days of the week) a scheduled call may be placed at.

US rules (TCPA: 8:00 to 21:00 local) and UK rules forbid calls at night in the customer's time zone;
the API checks none of it. A schedule is judged in the zone of its row (`timezone` column or key),
else `calling_hours.timezone`, else the campaign's own zone from the read. Both ends are included:
08:00-21:00 allows 21:00:00 and refuses 21:00:01. A window whose end is before its start runs past
midnight (22:00-02:00) and belongs to the day it starts on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

try:
    from zoneinfo import ZoneInfo
except ImportError:  # Python < 3.9; the modules require 3.9, this keeps imports of the file working
    ZoneInfo = None

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
KEYS = frozenset(("start", "end", "days", "timezone"))


def zone_of(name):
    """The tzinfo of an IANA time zone name, or None when there is no such zone here."""
    if ZoneInfo is None or not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (KeyError, ValueError, OSError):
        return None


def clock_minutes(name, value):
    match = CLOCK.fullmatch(str(value).strip()) if value is not None else None
    if not match:
        raise ValidationError("calling_hours.{0} must be a time of day as HH:MM (00:00 to 23:59), not '{1}'.".format(name, str(value)[:20]))
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_days(days):
    if days is None:
        return frozenset(range(7))
    names = [str(day).strip().lower()[:3] for day in (days if isinstance(days, (list, tuple)) else [days])]
    unknown = [name for name in names if name not in DAYS]
    if unknown or not names:
        raise ValidationError("calling_hours.days must list days as {0}, not {1}.".format(", ".join(DAYS), days))
    return frozenset(DAYS.index(name) for name in names)


class CallingHours:
    """A daily window (minutes of the day, both ends included) on some days of the week, and a default zone."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValidationError("calling_hours must be a dict with start, end, and optionally days and timezone.")
        unknown = sorted(set(spec) - KEYS)
        if unknown:
            raise ValidationError("calling_hours: unknown key(s) {0}; use start, end, days, timezone.".format(", ".join(map(str, unknown))))
        self.start = clock_minutes("start", spec.get("start"))
        self.end = clock_minutes("end", spec.get("end"))
        self.days = parse_days(spec.get("days"))
        self.zone_name = spec.get("timezone") or None
        self.zone = None
        if self.zone_name is not None:
            self.zone = zone_of(self.zone_name)
            if self.zone is None:
                raise ValidationError("calling_hours.timezone '{0}' is not an IANA time zone name (such as America/New_York).".format(self.zone_name))
        self.text = "{0}-{1}{2}".format(spec["start"], spec["end"], "" if spec.get("days") is None else " on " + ", ".join(DAYS[d] for d in sorted(self.days)))

    def use_zone(self, name, source):
        """Take the campaign's zone when calling_hours names none; `source` says where it came from."""
        zone = zone_of(name)
        if zone is None:
            raise ValidationError(
                "calling_hours.timezone is required: {0} {1}; give calling_hours.timezone as an IANA name.".format(
                    source, "reports no time zone" if not name else "reports the time zone '{0}', which is not known here".format(name)
                )
            )
        self.zone, self.zone_name = zone, name

    def problem(self, epoch, zone_name=None):
        """Why a call at `epoch` (UTC seconds) is outside the calling hours, or None. zone_name: the row's own zone."""
        zone, name = (zone_of(zone_name), zone_name) if zone_name else (self.zone, self.zone_name)
        if zone is None:
            return "timezone '{0}' is not an IANA time zone name (such as America/New_York)".format(zone_name)
        local = datetime.datetime.fromtimestamp(epoch, zone)
        if self.allows(local):
            return None
        return "is {0} in {1}, outside the calling hours {2}".format(local.strftime("%H:%M on %a %Y-%m-%d"), name, self.text)

    def allows(self, local):
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        start, end, day = self.start * 60, self.end * 60, local.weekday()
        if start <= end:
            return day in self.days and start <= seconds <= end
        if seconds >= start:
            return day in self.days
        # Past midnight: the window belongs to the day it started on.
        return seconds <= end and (day - 1) % 7 in self.days

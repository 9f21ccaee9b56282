# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Customer input for campaign_customer: the list, CSV and JSON Lines files.

Files are streamed, never loaded: a first pass validates every row and keeps
only an array of ids (8 bytes each); a second pass yields the rows to send.
A row is a tuple (origin, raw id, raw schedule, structural error). Its origin
is the file line number (header = line 1) or, for an item of the
`customers` list at index i, -(i + 1); `origin_text()` names it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import csv
import io
import json
import re
import time
from array import array

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)

SEVEN_DAYS = 7 * 24 * 3600
MAX_CUSTOMER_ID = 2**63 - 1
ID_COLUMNS = ("customer-id", "customer_id")
SCHEDULE_COLUMNS = ("schedule-date-time", "schedule")
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
ISO_PATTERN = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)$"
)
SCHEDULE_CACHE_LIMIT = 100000


def origin_text(origin):
    """'line 4' for a file line, 'customers[0]' for a list item."""
    if origin > 0:
        return "line {0}".format(origin)
    return "customers[{0}]".format(-origin - 1)


def parse_schedule(text):
    """Epoch seconds of an ISO 8601 date-time with a timezone, else None."""
    match = ISO_PATTERN.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        fields = (int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
        if not (1 <= fields[1] <= 12 and 1 <= fields[2] <= calendar.monthrange(fields[0], fields[1])[1]):
            return None
        if fields[3] > 23 or fields[4] > 59 or fields[5] > 59:
            return None
    except ValueError:
        return None
    epoch = calendar.timegm(fields + (0, 0, 0)) - zone_offset(zone)
    if fraction:
        epoch += float("0." + fraction)
    return epoch


def zone_offset(zone):
    if zone in ("Z", "z"):
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return sign * minutes * 60


def customer_id_of(raw):
    """(int id, None) or (None, reason). Ids arrive as ints or digit strings."""
    if isinstance(raw, bool) or raw is None:
        return None, "customer-id is missing" if raw is None else "customer-id {0!r} is not a number".format(raw)
    if isinstance(raw, int):
        cid = raw
    else:
        text = str(raw).strip()
        if not text:
            return None, "customer-id is missing"
        if not (text.isdigit() and text.isascii()):
            return None, "customer-id '{0}' is not a positive whole number".format(short(text))
        cid = int(text)
    if cid <= 0:
        return None, "customer-id '{0}' is not positive".format(cid)
    if cid > MAX_CUSTOMER_ID:
        return None, "customer-id '{0}' is too large".format(short(str(cid)))
    return cid, None


def short(text, limit=60):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RowValidator:
    """Checks one row; `now` is fixed so both passes judge rows alike."""

    def __init__(self, now, window=(None, None), schedules=True):
        self.now = now
        self.start, self.end = window
        self.window_text = (format_epoch(self.start), format_epoch(self.end))
        self.schedules = schedules
        self._cache = {}

    def check(self, raw_id, raw_schedule):
        """(id, schedule text or None, schedule epoch or None, reason or None)."""
        if not raw_schedule and raw_id.__class__ is str and raw_id.isdigit() and raw_id.isascii() and len(raw_id) < 19:
            cid = int(raw_id)
            if cid:
                return cid, None, None, None
        cid, reason = customer_id_of(raw_id)
        if reason:
            return None, None, None, reason
        if not self.schedules or raw_schedule is None or raw_schedule == "":
            return cid, None, None, None
        text = str(raw_schedule).strip()
        if not text:
            return cid, None, None, None
        verdict = self._cache.get(text)
        if verdict is None:
            verdict = self._judge(text)
            if len(self._cache) < SCHEDULE_CACHE_LIMIT:
                self._cache[text] = verdict
        epoch, reason = verdict
        if reason:
            return None, None, None, "customer {0}: {1}".format(cid, reason)
        return cid, text, epoch, None

    def _judge(self, text):
        epoch = parse_schedule(text)
        if epoch is None:
            return None, "schedule-date-time '{0}' is not ISO 8601 with a timezone (e.g. 2026-05-04T09:00:00Z)".format(short(text))
        if epoch <= self.now:
            return None, "schedule-date-time '{0}' is in the past".format(text)
        if epoch > self.now + SEVEN_DAYS:
            return None, "schedule-date-time '{0}' is more than 7 days ahead".format(text)
        if (self.start is not None and epoch < self.start) or (self.end is not None and epoch > self.end):
            return None, "schedule-date-time '{0}' is outside the campaign's window from {1} to {2}".format(
                text, self.window_text[0] or "(open)", self.window_text[1] or "(open)"
            )
        return epoch, None


def format_epoch(epoch):
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def list_rows(customers):
    """Rows of the `customers` option (ids, or dicts {customer_id, schedule})."""
    for index, item in enumerate(customers or ()):
        origin = -index - 1
        if isinstance(item, dict):
            raw_id, raw_schedule, error = mapping_fields(item)
            yield origin, raw_id, raw_schedule, error
        elif isinstance(item, (list, tuple, float)):
            yield origin, None, None, "expected a customer id or a dict with customer_id, got {0}".format(type(item).__name__)
        else:
            yield origin, item, None, None


def mapping_fields(item):
    """(raw id, raw schedule, error) from a dict whose keys are the column names."""
    keys = dict((str(key).strip().lower(), key) for key in item)
    unknown = sorted(set(keys) - set(ID_COLUMNS + SCHEDULE_COLUMNS))
    if unknown:
        return None, None, "unknown key(s) {0}; use customer_id and schedule".format(", ".join(unknown))
    raw_id = first_present(item, keys, ID_COLUMNS)
    raw_schedule = first_present(item, keys, SCHEDULE_COLUMNS)
    if isinstance(raw_id, float) and raw_id.is_integer():
        raw_id = int(raw_id)
    return raw_id, raw_schedule, None


def first_present(item, keys, names):
    for name in names:
        if name in keys:
            return item[keys[name]]
    return None


def file_format(path, declared=None):
    if declared:
        return declared
    lowered = path.lower()
    for extension, kind in FORMATS.items():
        if lowered.endswith(extension):
            return kind
    raise ValidationError("customers_file {0}: cannot tell the format from the extension; use .csv or .jsonl, or set customers_file_format.".format(path))


def open_text(path):
    try:
        return io.open(path, "r", encoding="utf-8-sig", newline="")
    except (IOError, OSError) as exc:
        raise ValidationError("customers_file {0}: cannot be read where the module runs: {1}".format(path, exc.strerror or exc))


def header_columns(header, path):
    """Positions of the id and schedule columns in a CSV header."""
    names = [name.strip().lower() for name in header]
    id_column = next((names.index(n) for n in ID_COLUMNS if n in names), None)
    if id_column is None:
        raise ValidationError(
            "customers_file {0}: line 1: the header has no customer-id column (found: {1}).".format(path, ", ".join(short(n, 30) for n in names) or "nothing")
        )
    schedule_column = next((names.index(n) for n in SCHEDULE_COLUMNS if n in names), None)
    return id_column, schedule_column


def next_header(reader):
    for row in reader:
        if row and any(field.strip() for field in row):
            return row
    return None


def jsonl_rows(path):
    """Rows of a JSON Lines file: one object per line, blank lines skipped."""
    with open_text(path) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                yield number, None, None, "not valid JSON ({0})".format(short(str(exc)))
                continue
            if not isinstance(item, dict):
                yield number, None, None, "expected a JSON object with customer-id"
                continue
            yield (number,) + mapping_fields(item)


class CustomerInput:
    """Both sources, readable as often as needed (each pass re-opens the file)."""

    def __init__(self, customers=None, path=None, declared_format=None):
        self.customers = customers or []
        self.path = path
        self.format = file_format(path, declared_format) if path else None
        if path:
            open_text(path).close()

    def rows(self):
        yield from list_rows(self.customers)
        if self.path:
            reader = csv_rows if self.format == "csv" else jsonl_rows
            try:
                yield from reader(self.path)
            except UnicodeDecodeError as exc:
                raise ValidationError("customers_file {0}: not UTF-8 text ({1}).".format(self.path, exc.reason))


class InputIndex:
    """What the first pass learnt: distinct ids, duplicates, invalid rows."""

    def __init__(self):
        self.ids = array("q")
        self.valid_rows = 0
        self.invalid = 0
        self.duplicates = 0
        self.repeated = frozenset()
        self.conflicts = set()

    @property
    def requested(self):
        return len(self.ids)


def scan(source, validator, on_invalid, tick=None):
    """First pass: validate every row; on_invalid(origin, raw id, reason); tick(rows) now and then."""
    index = InputIndex()
    ids = index.ids
    ordered = True
    last = 0
    check = validator.check
    for count, (origin, raw_id, raw_schedule, error) in enumerate(source.rows()):
        if tick is not None and not count & 0xFFFF:
            tick(count)
        cid, _text, _epoch, reason = (None, None, None, error) if error else check(raw_id, raw_schedule)
        if reason:
            index.invalid += 1
            on_invalid(origin, raw_id, reason)
            continue
        ids.append(cid)
        if cid <= last:
            ordered = False
        last = cid
    index.valid_rows = len(ids)
    if not ordered:
        collapse_repeats(index)
        resolve_repeats(source, validator, index, on_invalid)
    return index


def collapse_repeats(index):
    """Sort the ids and keep each once, remembering the repeated ones."""
    ordered = sorted(index.ids)
    repeated = set()
    unique = array("q")
    previous = None
    for cid in ordered:
        if cid == previous:
            repeated.add(cid)
        else:
            unique.append(cid)
            previous = cid
    del ordered
    index.ids = unique
    index.repeated = frozenset(repeated)


def resolve_repeats(source, validator, index, on_invalid):
    """Second look at repeated ids only: same schedule counts once, another is invalid."""
    if not index.repeated:
        return
    first = {}
    for origin, raw_id, raw_schedule, error in source.rows():
        if error:
            continue
        cid, _text, epoch, reason = validator.check(raw_id, raw_schedule)
        if reason or cid not in index.repeated:
            continue
        if cid not in first:
            first[cid] = (origin, epoch)
        elif first[cid][1] == epoch:
            index.duplicates += 1
        else:
            index.invalid += 1
            index.conflicts.add(origin)
            on_invalid(origin, raw_id, "customer {0} is repeated with a different schedule-date-time than {1}".format(cid, origin_text(first[cid][0])))


def unique_rows(source, validator, index):
    """Second pass: (id, schedule text, origin) of each valid id, once."""
    repeated = index.repeated
    conflicts = index.conflicts
    emitted = set()
    check = validator.check
    for origin, raw_id, raw_schedule, error in source.rows():
        if error:
            continue
        cid, text, _epoch, reason = check(raw_id, raw_schedule)
        if reason:
            continue
        if repeated and cid in repeated:
            if origin in conflicts or cid in emitted:
                continue
            emitted.add(cid)
        yield cid, text, origin

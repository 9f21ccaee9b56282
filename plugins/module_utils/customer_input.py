# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Customer input for campaign_customer: the list, CSV and JSON Lines files.

Files are streamed, never loaded: one pass validates every row and keeps the
valid ones compactly (InputIndex: ids and origins in arrays, 16 bytes a row,
schedules only where given), which is all the sending needs. A row is a tuple
(origin, raw id, raw schedule, structural error, raw time zone); blocks of CSV lines holding
nothing but an id come as one IdRun, parsed in C. Its origin is the file line
number (header = line 1; a quoted value over several lines: its first line)
or, for an item of the `customers` list at index i, -(i + 1); `origin_text()`
names it.

Customer ids are whole numbers from 1 to 10^22 (the API's maximum; longer
than 64 bits is valid). Schedules are ISO 8601 with a timezone, and are kept
and sent as RFC 3339 UTC (`read_schedule`).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import csv
import io
import json
import math
import re
import time
from array import array
from decimal import Decimal
from itertools import chain, compress, count, islice
from operator import eq, lt

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)

SEVEN_DAYS = 7 * 24 * 3600
MAX_CUSTOMER_ID = 10**22
ID_RANGE = "ids are whole numbers from 1 to 10^22"
# The digits of MAX_CUSTOMER_ID: longer digit strings are refused before int() sees them.
MAX_ID_DIGITS = len(str(MAX_CUSTOMER_ID))
# Every integer up to 2^53 is a float; past it a float id may already be rounded.
FLOAT_EXACT = 2**53
ID_COLUMNS = ("customer-id", "customer_id")
SCHEDULE_COLUMNS = ("schedule-date-time", "schedule")
# A row's own time zone (IANA name) for the calling-hours check of its schedule.
TIMEZONE_COLUMNS = ("timezone",)
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
# ASCII digits only ([0-9], not \d, which matches any script's digits); T/t and Z/z as RFC 3339 allows.
ISO_PATTERN = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?"
    r"(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)"
)
NOT_ISO = "not ISO 8601 with a timezone (e.g. 2026-05-04T09:00:00Z)"
# Years 0001 to 9999 in UTC: what RFC 3339 can write.
FIRST_EPOCH = calendar.timegm((1, 1, 1, 0, 0, 0, 0, 0, 0))
END_EPOCH = calendar.timegm((9999, 12, 31, 23, 59, 59, 0, 0, 0)) + 1
SCHEDULE_CACHE_LIMIT = 100000
# A block of CSV lines that are each a customer id of at most 18 digits and
# nothing else (an empty schedule at most): parsed in C, no per-row Python.
ID_ONLY_LINES = re.compile(r"(?:[0-9]{1,18},?(?:\r?\n|\Z))+")
BLOCK_CHARS = 1 << 20


def origin_text(origin):
    """'line 4' for a file line, 'customers[0]' for a list item."""
    if origin > 0:
        return "line {0}".format(origin)
    return "customers[{0}]".format(-origin - 1)


def parse_schedule(text):
    """Epoch seconds of an ISO 8601 date-time with a timezone, else None."""
    return read_schedule(text)[0]


def read_schedule(text):
    """(epoch, RFC 3339 UTC text, None) of an ISO 8601 date-time with a timezone, else (None, None, why not).

    The text is the same instant as `YYYY-MM-DDTHH:MM:SSZ`; fractional seconds are kept only when not
    zero, exactly as written less trailing zeros, and at least to the millisecond: `.5` is `.500`,
    `.123400` is `.1234`, `.000` is dropped. So one instant has one text, however it was written.
    """
    text = text.strip()
    if not text.isascii():
        return None, None, "it holds characters outside ASCII (digits must be 0-9)"
    match = ISO_PATTERN.fullmatch(text)
    if not match:
        return None, None, NOT_ISO
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    fields = (int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    problem = date_problem(fields) or time_problem(fields) or zone_problem(zone)
    if problem:
        return None, None, problem
    seconds = calendar.timegm(fields + (0, 0, 0)) - zone_offset(zone)
    if not FIRST_EPOCH <= seconds < END_EPOCH:
        return None, None, "it is outside the years 0001 to 9999 in UTC"
    digits = (fraction or "").rstrip("0")
    epoch = seconds + float("0." + digits) if digits else seconds
    return epoch, utc_text(seconds, digits), None


def date_problem(fields):
    year, month, day = fields[:3]
    if not (year >= 1 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
        return "there is no such date"
    return None


def time_problem(fields):
    hour, minute, second = fields[3:]
    if hour == 24:
        return "24:00 is not accepted; write 00:00 of the next day"
    if second == 60:
        return "second 60 (a leap second) is not accepted; write :59 or the next minute"
    if hour > 23 or minute > 59 or second > 59:
        return "there is no such time of day"
    return None


def zone_problem(zone):
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2] or 0), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        return "the offset {0} is impossible (hours 00 to 23, minutes 00 to 59)".format(zone)
    return None


def zone_offset(zone):
    if zone in ("Z", "z"):
        return 0
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0)
    return sign * minutes * 60


def utc_text(seconds, digits):
    fields = time.gmtime(seconds)[:6]
    fraction = "." + digits.ljust(3, "0") if digits else ""
    return "{0:04d}-{1:02d}-{2:02d}T{3:02d}:{4:02d}:{5:02d}{6}Z".format(*(fields + (fraction,)))


def customer_id_of(raw):
    """(int id, None) or (None, reason).

    An id is an int, a string of ASCII digits (spaces around it allowed), or a number written with a
    point or an exponent (YAML, JSON) that is a whole number up to 2^53: every such number is exact
    as a float. Past 2^53 a float may already be rounded from what the user wrote, so it is refused,
    never guessed at; JSON Lines numbers arrive as Decimal, exact, so 1.0000000000000000001 is
    refused there rather than rounded to 1.
    """
    if raw is None:
        return None, "customer-id is missing"
    if raw.__class__ is bool:
        return None, "customer-id {0!r} is not a number".format(raw)
    if isinstance(raw, int):
        return id_in_range(int(raw))
    if isinstance(raw, (float, Decimal)):
        return number_id(raw)
    text = str(raw).strip()
    if not text:
        return None, "customer-id is missing"
    if not (text.isdigit() and text.isascii()):
        return None, "customer-id '{0}' is not a positive whole number (digits 0-9 only)".format(short(text))
    if len(text.lstrip("0")) > MAX_ID_DIGITS:
        return None, "customer-id '{0}' is too large ({1})".format(short(text), ID_RANGE)
    return id_in_range(int(text))


def number_id(value):
    """An id given as a float or a JSON number with a point or an exponent: a whole number up to 2^53."""
    if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
        return None, "customer-id {0} is not a number".format(value)
    if abs(value) > FLOAT_EXACT:
        reason = "customer-id {0} has a point or an exponent and is beyond 2^53, so it may not be exact; write the id's digits as a string"
        return None, reason.format(short(value))
    if value != int(value):
        return None, "customer-id {0} is not a whole number".format(short(value))
    return id_in_range(int(value))


def id_in_range(cid):
    if cid <= 0:
        return None, "customer-id '{0}' is not positive ({1})".format(cid, ID_RANGE)
    if cid > MAX_CUSTOMER_ID:
        return None, "customer-id '{0}' is too large ({1})".format(short(cid), ID_RANGE)
    return cid, None


def declared_id(raw):
    """The customer an invalid row still names, or None; read leniently (an exact whole float counts)."""
    if raw is None or raw.__class__ is bool:
        return None
    if isinstance(raw, (float, Decimal)):
        whole = (raw.is_finite() if isinstance(raw, Decimal) else math.isfinite(raw)) and abs(raw) <= MAX_CUSTOMER_ID and raw == int(raw)
        return int(raw) if whole and raw > 0 else None
    if isinstance(raw, int):
        cid = int(raw)
    else:
        text = str(raw).strip()
        if not (text.isdigit() and text.isascii()) or len(text.lstrip("0")) > MAX_ID_DIGITS:
            return None
        cid = int(text)
    return cid if 0 < cid <= MAX_CUSTOMER_ID else None


def short(text, limit=60):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RowValidator:
    """Checks one row; `now` is fixed so both passes judge rows alike."""

    def __init__(self, now, window=(None, None), schedules=True, hours=None):
        self.now = now
        self.schedules = schedules
        # CallingHours or None; its zone is known before the first pass (see bulk_plan).
        self.hours = hours
        self.set_window(window)

    def set_window(self, window):
        """The campaign's (start, end), known only once it was read; verdicts change with it."""
        self.start, self.end = window
        self.window_text = (format_epoch(self.start), format_epoch(self.end))
        self._cache = {}

    def check(self, raw_id, raw_schedule, raw_zone=None):
        """(id, schedule as RFC 3339 UTC text or None, schedule epoch or None, reason or None).

        raw_zone: the row's own time zone, which only the calling-hours check uses."""
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
        zone = self.row_zone(raw_zone)
        key = text if zone is None else (text, zone)
        verdict = self._cache.get(key)
        if verdict is None:
            verdict = self._verdict(text, zone)
            if len(self._cache) < SCHEDULE_CACHE_LIMIT:
                self._cache[key] = verdict
        epoch, utc, reason = verdict
        if reason:
            return None, None, None, "customer {0}: {1}".format(cid, reason)
        return cid, utc, epoch, None

    def row_zone(self, raw_zone):
        """The row's own time zone name; None without one, or when no calling hours apply."""
        if raw_zone is None or self.hours is None:
            return None
        return str(raw_zone).strip() or None

    def judge(self, text):
        """(epoch, None) for a schedule inside the campaign's window, else (None, reason).

        Calling hours are not judged again: the first pass did, with each row's own zone."""
        epoch, _utc, reason = self._verdict(text.strip(), hours=False)
        return epoch, reason

    def _verdict(self, text, zone=None, hours=True):
        epoch, utc, problem = read_schedule(text)
        if problem == NOT_ISO:
            return None, None, "schedule-date-time '{0}' is {1}".format(short(text), NOT_ISO)
        if problem:
            return None, None, "schedule-date-time '{0}' is not a valid date-time: {1}".format(short(text), problem)
        problem = self._timing_problem(epoch, text) or (hours and self._hours_problem(epoch, text, zone))
        return (None, None, problem) if problem else (epoch, utc, None)

    def _hours_problem(self, epoch, text, zone):
        if self.hours is None:
            return None
        problem = self.hours.problem(epoch, zone)
        return None if problem is None else "schedule-date-time '{0}' {1}".format(short(text), problem)

    def _timing_problem(self, epoch, text):
        if epoch <= self.now:
            return "schedule-date-time '{0}' is in the past".format(text)
        if epoch > self.now + SEVEN_DAYS:
            return "schedule-date-time '{0}' is more than 7 days ahead".format(text)
        if (self.start is not None and epoch < self.start) or (self.end is not None and epoch > self.end):
            return "schedule-date-time '{0}' is outside the campaign's window from {1} to {2}".format(
                text, self.window_text[0] or "(open)", self.window_text[1] or "(open)"
            )
        return None


def format_epoch(epoch):
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def list_entries(customers):
    """(origin, item or None, structural error or None) of each item of the `customers` option."""
    for index, item in enumerate(customers or ()):
        origin = -index - 1
        if isinstance(item, (list, tuple)):
            yield origin, None, "expected a customer id or a dict with customer_id, got {0}".format(type(item).__name__)
        else:
            yield origin, item, None


def list_rows(customers):
    """Rows of the `customers` option (ids, or dicts {customer_id, schedule})."""
    for origin, item, error in list_entries(customers):
        if error:
            yield origin, None, None, error, None
        elif isinstance(item, dict):
            yield (origin,) + mapping_fields(item)
        else:
            yield origin, item, None, None, None


def mapping_fields(item):
    """(raw id, raw schedule, error, raw time zone) from a dict whose keys are the column names."""
    keys = dict((str(key).strip().lower(), key) for key in item)
    unknown = sorted(set(keys) - set(ID_COLUMNS + SCHEDULE_COLUMNS + TIMEZONE_COLUMNS))
    raw_id = first_present(item, keys, ID_COLUMNS)
    if unknown:
        # The id is kept: the row still declares its customer (see InputIndex.declared_invalid).
        # So are its schedule and zone: the failures file gives them back as written.
        error = "unknown key(s) {0}; use customer_id, schedule and timezone".format(", ".join(short(name, 30) for name in unknown))
    else:
        error = None
    return raw_id, first_present(item, keys, SCHEDULE_COLUMNS), error, first_present(item, keys, TIMEZONE_COLUMNS)


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
    """Positions of the id and schedule columns in a CSV header, its number of fields, the time zone column."""
    names = [name.strip().lower() for name in header]
    id_column = next((names.index(n) for n in ID_COLUMNS if n in names), None)
    if id_column is None:
        raise ValidationError(
            "customers_file {0}: line 1: the header has no customer-id column (found: {1}); the first line must name the"
            " columns, such as customer-id,schedule-date-time.".format(path, ", ".join(short(n, 30) for n in names) or "nothing")
        )
    schedule_column = next((names.index(n) for n in SCHEDULE_COLUMNS if n in names), None)
    zone_column = next((names.index(n) for n in TIMEZONE_COLUMNS if n in names), None)
    return id_column, schedule_column, len(header), zone_column


def csv_parts(path):
    """Rows of a CSV file; blank lines skipped, numbers are file lines.

    Blocks of id-only lines come as one IdRun each; anything else as rows.
    """
    with open_text(path) as handle:
        reader = csv.reader(handle)
        header = next_header(reader)
        if header is None:
            raise ValidationError(empty_file_text(path, "a header line such as customer-id,schedule-date-time and one customer a line"))
        columns = header_columns(header, path)
        lines = reader.line_num
        if columns[0] == 0 and len(header) <= 2:
            lines, handle = yield from id_runs(handle, columns, lines)
        yield from reader_rows(csv.reader(handle), columns, lines)


def id_runs(handle, columns, lines):
    """IdRuns while blocks hold ids only; (lines read, the rest to parse) at the first that does not."""
    while True:
        block = handle.readlines(BLOCK_CHARS)
        if not block:
            return lines, ()
        text = "".join(block)
        ids = array("q", map(int, text.replace(",", " ").split())) if ID_ONLY_LINES.fullmatch(text) else ()
        if len(ids) == len(block) and min(ids) > 0:
            yield IdRun(lines + 1, ids)
        elif '"' in text:
            # A quoted field may go on past this block: the csv module reads the rest.
            return lines, chain(block, handle)
        else:
            yield from reader_rows(csv.reader(block), columns, lines)
        lines += len(block)


def reader_rows(reader, columns, offset):
    """Rows of a csv reader whose first line is file line offset + 1; a row's origin is its first line."""
    id_column, schedule_column, fields, zone_column = columns
    width = max(id_column, -1 if schedule_column is None else schedule_column, -1 if zone_column is None else zone_column) + 1
    end = 0
    for row in reader:
        # line_num is the record's last line; a quoted value may have taken several.
        line, end = offset + end + 1, reader.line_num
        if len(row) < width:
            row = row + [""] * (width - len(row))
        elif len(row) > fields and any(field.strip() for field in row[fields:]):
            # Usually a comma inside an unquoted value: the columns no longer line up.
            yield (
                line,
                row[id_column] or None,
                None,
                "{0} fields where the header has {1}; quote values that hold a comma".format(len(row), fields),
                None,
            )
            continue
        raw_id = row[id_column]
        if not any(field.strip() for field in row):
            continue
        yield line, raw_id, None if schedule_column is None else row[schedule_column], None, None if zone_column is None else row[zone_column]


def next_header(reader):
    for row in reader:
        if row and any(field.strip() for field in row):
            return row
    return None


def jsonl_objects(path):
    """(line, object or None, structural error or None) of each line of a JSON Lines file; blank lines skipped,
    an empty file refused."""
    with open_text(path) as handle:
        seen = False
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            seen = True
            try:
                # Decimal: a number with a point or an exponent is judged exactly, never rounded.
                item = json.loads(line, parse_float=Decimal)
            except (ValueError, RecursionError) as exc:
                yield number, None, "not valid JSON ({0})".format(short(str(exc)))
                continue
            yield (number, item, None) if isinstance(item, dict) else (number, None, "expected a JSON object with customer-id")
        if not seen:
            raise ValidationError(empty_file_text(path, "one JSON object with customer-id a line"))


def jsonl_rows(path):
    """Rows of a JSON Lines file: one object per line."""
    for number, item, error in jsonl_objects(path):
        yield (number, None, None, error, None) if error else (number,) + mapping_fields(item)


def guarded(path, rows):
    """The rows of a file, every way its reading can fail a ValidationError that names it."""
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise ValidationError(not_utf8_text(path, exc))
    except csv.Error as exc:
        raise ValidationError("customers_file {0}: not a CSV file this module can read ({1}).".format(path, short(str(exc), 120)))
    except (IOError, OSError) as exc:
        raise ValidationError("customers_file {0}: could not be read to the end: {1}".format(path, exc.strerror or exc))


def not_utf8_text(path, exc):
    try:
        line, reason = first_undecodable_line(path)
    except (IOError, OSError):
        line, reason = None, None
    where = "line {0}: ".format(line) if line else ""
    return "customers_file {0}: {1}not UTF-8 text ({2}); save the file as UTF-8.".format(path, where, reason or exc.reason)


def empty_file_text(path, expected):
    return "customers_file {0}: is empty; expected {1}. (To declare no customers, leave customers_file out.)".format(path, expected)


def first_undecodable_line(path):
    """(line number, reason) of the first line that is not UTF-8, or (None, None)."""
    with io.open(path, "rb") as handle:
        for number, line in enumerate(handle, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return number, "{0} at byte {1} of the line".format(exc.reason, exc.start + 1)
    return None, None


class IdRun:
    """Valid ids of consecutive file lines, the first on first_line."""

    __slots__ = ("first_line", "ids")

    def __init__(self, first_line, ids):
        self.first_line = first_line
        self.ids = ids


class CustomerInput:
    """Both sources, readable as often as needed (each pass re-opens the file)."""

    def __init__(self, customers=None, path=None, declared_format=None):
        self.customers = customers or []
        self.path = path
        self.format = file_format(path, declared_format) if path else None
        if path:
            open_text(path).close()

    def parts(self):
        """Rows (origin, raw id, raw schedule, error, raw time zone) and IdRuns, in input order."""
        yield from list_rows(self.customers)
        if self.path:
            yield from guarded(self.path, (csv_parts if self.format == "csv" else jsonl_rows)(self.path))


class WideIds:
    """Ids by position once one needs more than 64 bits: its low 64 bits and the rest, 10 bytes a row.

    InputIndex keeps array('q') (8 bytes a row, filled in C) until an id above 2^63 - 1 arrives; then
    this takes over, indexable by position, iterable and sized like the array.
    """

    __slots__ = ("low", "high")

    def __init__(self, ids):
        self.low = array("Q")
        self.high = array("H")
        self.extend(ids)

    def __len__(self):
        return len(self.low)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[each] for each in range(*position.indices(len(self.low)))]
        return self.high[position] << 64 | self.low[position]

    def __iter__(self):
        return map(join_id, self.high, self.low)

    def append(self, cid):
        self.high.append(cid >> 64)
        self.low.append(cid & 0xFFFFFFFFFFFFFFFF)

    def extend(self, ids):
        if isinstance(ids, array) and ids.typecode == "q":
            # Positive ids (all that an index holds): the same bytes as unsigned.
            self.low.frombytes(ids.tobytes())
            self.high.frombytes(bytes(2 * len(ids)))
        else:
            for cid in ids:
                self.append(cid)


def join_id(high, low):
    return high << 64 | low


class InputIndex:
    """The valid rows, compactly: ids and origins by position, schedules where given.

    A position is a valid row's rank in the input; `skip` holds the positions
    of repeats and of rows refused by apply_window, which are never sent (their
    ids stay in `ids`). Schedules are numbers into `texts` (0 = none), RFC 3339
    UTC texts, kept only once some row has one. `declared_invalid` holds the ids
    of invalid rows that still name a customer (a bad schedule, a row with too
    many fields, an unknown key...): with `ids`, every customer the input
    declares, which `exclusive` must never remove. A row whose id cannot be
    read at all adds nothing.
    """

    def __init__(self):
        self.ids = array("q")
        self.origins = array("q")
        self.schedule_refs = None
        self.texts = [None]
        self.text_numbers = {}
        self.skip = set()
        self.invalid = 0
        self.duplicates = 0
        self.declared_invalid = set()

    @property
    def requested(self):
        return len(self.ids) - len(self.skip)

    def add_run(self, run):
        self.ids.extend(run.ids)
        self.origins.extend(range(run.first_line, run.first_line + len(run.ids)))
        if self.schedule_refs is not None:
            self.schedule_refs.frombytes(bytes(len(run.ids) * self.schedule_refs.itemsize))

    def add_row(self, cid, origin, text):
        if text is not None and self.schedule_refs is None:
            self.schedule_refs = array("l", bytes(len(self.ids) * array("l").itemsize))
        try:
            self.ids.append(cid)
        except OverflowError:
            self.ids = WideIds(self.ids)
            self.ids.append(cid)
        if self.schedule_refs is not None:
            self.schedule_refs.append(self.text_number(text) if text is not None else 0)
        self.origins.append(origin)

    def add_invalid(self, raw_id):
        self.invalid += 1
        cid = declared_id(raw_id)
        if cid is not None:
            self.declared_invalid.add(cid)

    def text_number(self, text):
        number = self.text_numbers.get(text)
        if number is None:
            number = self.text_numbers[text] = len(self.texts)
            self.texts.append(text)
        return number

    def schedule(self, position):
        refs = self.schedule_refs
        return None if refs is None else self.texts[refs[position]]

    def positions(self):
        """Positions of the rows to send, in input order."""
        if not self.skip:
            return range(len(self.ids))
        return (position for position in range(len(self.ids)) if position not in self.skip)


def scan(source, validator, on_invalid, tick=None):
    """First pass: validate every row; on_invalid(origin, raw id, reason, raw schedule, raw time zone); tick(rows) now and then."""
    index = InputIndex()
    check = validator.check
    for number, part in enumerate(source.parts()):
        if tick is not None and (part.__class__ is IdRun or not number & 0xFFF):
            tick(len(index.ids))
        if part.__class__ is IdRun:
            index.add_run(part)
            continue
        origin, raw_id, raw_schedule, error, raw_zone = part
        cid, text, _epoch, reason = (None, None, None, error) if error else check(raw_id, raw_schedule, raw_zone)
        if reason:
            index.add_invalid(raw_id)
            on_invalid(origin, raw_id, reason, raw_schedule, raw_zone)
        else:
            index.add_row(cid, origin, text)
    ids = index.ids
    if not all(map(lt, ids, islice(ids, 1, None))):
        resolve_repeats(index, validator, repeated_ids(ids), on_invalid)
    return index


def apply_window(index, validator, window, on_invalid):
    """Once the campaign's window is known: rows scheduled outside it become invalid and are not sent.

    The first pass runs before any HTTP call, without the window; this looks again only at the
    distinct schedule texts, and at the rows of those outside it. Returns how many rows it refused.
    """
    validator.set_window(window)
    if index.schedule_refs is None or window == (None, None):
        return 0
    reasons = dict((number, validator.judge(text)[1]) for number, text in enumerate(index.texts) if number)
    outside = frozenset(number for number, reason in reasons.items() if reason)
    refused = 0
    for position in compress(count(), map(outside.__contains__, index.schedule_refs)):
        if position in index.skip:
            continue
        index.skip.add(position)
        refused += 1
        cid = index.ids[position]
        number = index.schedule_refs[position]
        on_invalid(index.origins[position], cid, "customer {0}: {1}".format(cid, reasons[number]), index.texts[number])
    index.invalid += refused
    return refused


def repeated_ids(ids):
    """Ids found more than once (one sort, no per-id Python code)."""
    ordered = sorted(ids)
    return frozenset(compress(ordered, map(eq, ordered, islice(ordered, 1, None))))


def resolve_repeats(index, validator, repeated, on_invalid):
    """Same schedule counts once, another is invalid; only the first row is sent.

    Schedules are compared as their RFC 3339 UTC texts: one instant has one text, however it was
    written, so the validator that made them is not needed again (the parameter stays for callers).
    """
    first = {}
    ids, origins = index.ids, index.origins
    for position in compress(count(), map(repeated.__contains__, ids)):
        cid, origin, text = ids[position], origins[position], index.schedule(position)
        if cid not in first:
            first[cid] = (origin, text)
            continue
        index.skip.add(position)
        if first[cid][1] == text:
            index.duplicates += 1
        else:
            index.invalid += 1
            on_invalid(origin, cid, "customer {0} is repeated with a different schedule-date-time than {1}".format(cid, origin_text(first[cid][0])), text)


def unique_rows(index):
    """(id, schedule text, origin) of each valid id, once, in input order."""
    ids, origins = index.ids, index.origins
    for position in index.positions():
        yield ids[position], index.schedule(position), origins[position]


def read_suppressed(customers=None, path=None):
    """The ids of `suppressed_customers` and `suppressed_file` (ids only; other columns ignored), as a set.

    Read with the same rules as the customers; any unreadable id refuses the whole task before any
    HTTP call, since a do-not-call list that is read only in part would let customers be called.
    """
    if not customers and not path:
        return frozenset()
    problems = []
    try:
        source = CustomerInput(customers, path)
        index = scan(source, RowValidator(0, schedules=False), lambda origin, raw, reason, *_row: problems.append((origin, reason)))
    except ValidationError as exc:
        raise ValidationError(exc.message.replace("customers_file ", "suppressed_file ", 1))
    if problems:
        texts = ["{0}: {1}".format(suppressed_origin(origin), reason) for origin, reason in problems[:10]]
        raise ValidationError("{0} unreadable id(s) in the suppressed customers; nothing was sent. {1}".format(len(problems), "; ".join(texts)))
    return frozenset(index.ids)


def suppressed_origin(origin):
    return "suppressed_file line {0}".format(origin) if origin > 0 else "suppressed_" + origin_text(origin)

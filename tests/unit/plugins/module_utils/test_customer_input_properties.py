# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests of every customer input parser (hypothesis).

Each test states the rule independently of the code (an oracle built from the standard library: int,
Decimal, datetime) and lets hypothesis look for an input where the parser disagrees: ids, schedules
(parse, judge, RFC 3339 UTC round trip), CSV files (both the fast IdRun path and the csv module) and
JSON Lines files through CustomerInput + scan, and the file format option. The number of examples
each test ran is printed at the end of the run (tests/unit/conftest.py); the budgets below keep the
whole file under a minute on a busy two-core machine.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import datetime
import json
import math
import re
from decimal import Decimal
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import customer_input, v1_records
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    CustomerInput,
    RowValidator,
    customer_id_of,
    file_format,
    parse_schedule,
    read_schedule,
    scan,
    unique_rows,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError

UTC = datetime.timezone.utc
NOW = int(datetime.datetime(2026, 5, 1, 12, 0, tzinfo=UTC).timestamp())
DAY = 86400
MAX_ID = 10**22
# No example database: the runs happen in a synced copy of the tree, which must stay clean.
QUICK = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ oracles
def expected_id(raw):
    """The rule, written out: ints and ASCII digit strings from 1 to 10^22; numbers with a point or an
    exponent only when they are whole and at most 2^53 (what a float holds exactly)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, (float, Decimal)):
        exact = Decimal(raw) if isinstance(raw, float) and math.isfinite(raw) else raw
        if not isinstance(exact, Decimal) or not exact.is_finite() or abs(exact) > 2**53 or exact % 1 != 0:
            return None
        value = int(exact)
    else:
        text = raw.strip()
        if not text or any(char not in "0123456789" for char in text) or len(text.lstrip("0")) > 23:
            return None
        value = int(text)
    return value if 1 <= value <= MAX_ID else None


def lenient_id(raw):
    """What an invalid row still declares: digits (spaces around), an int, any exact whole number."""
    if isinstance(raw, (float, Decimal)) and not isinstance(raw, bool):
        exact = Decimal(raw) if isinstance(raw, float) and math.isfinite(raw) else raw
        if isinstance(exact, Decimal) and exact.is_finite() and 0 < exact <= MAX_ID and exact % 1 == 0:
            return int(exact)
        return None
    return expected_id(raw)


def utc_oracle(seconds, digits):
    """RFC 3339 UTC text of an instant, by datetime: fraction digits less trailing zeros, at least 3."""
    stamp = datetime.datetime(1970, 1, 1, tzinfo=UTC) + datetime.timedelta(seconds=seconds)
    digits = digits.rstrip("0")
    return "{0:04d}".format(stamp.year) + stamp.strftime("-%m-%dT%H:%M:%S") + ("." + digits.ljust(3, "0") if digits else "") + "Z"


# ------------------------------------------------------------------ ids
ID_EDGES = [0, 1, 2**31, 2**53, 2**63 - 1, 2**63, 2**64, MAX_ID - 1, MAX_ID, MAX_ID + 1, -1]
ids = st.one_of(st.sampled_from(ID_EDGES), st.integers(1, 10**18), st.integers(-(10**23), 10**23), st.integers(1, MAX_ID))


@settings(max_examples=200, **QUICK)
@given(cid=ids, zeros=st.integers(0, 3), left=st.sampled_from(["", " ", "\t", "  "]), right=st.sampled_from(["", " ", "\r"]))
def test_ids_as_ints_and_digit_strings(cid, zeros, left, right):
    expected = cid if 1 <= cid <= MAX_ID else None
    assert customer_id_of(cid)[0] == expected
    if cid >= 0:
        text = left + "0" * zeros + str(cid) + right
        found, reason = customer_id_of(text)
        assert found == expected
        assert (reason is None) == (expected is not None)
        assert reason is None or reason.startswith("customer-id")


ID_CHARS = st.sampled_from(list("0123456789 +-.eE_,") + ["\u0661", "\uff12", "\u00b2", "\u0e51", "\t", "\n", "\u00a0"])


@settings(max_examples=300, **QUICK)
@given(text=st.one_of(st.text(ID_CHARS, max_size=30), st.text(max_size=12)))
def test_ids_as_any_text(text):
    found, reason = customer_id_of(text)
    assert found == expected_id(text)
    assert (found is None) != (reason is None)


FLOAT_EDGES = [0.0, -0.0, 0.5, 1.0, 1.5, 2.0**53, 2.0**53 + 2, 2.0**63, 1e19, 1e22, 1e23, float("nan"), float("inf"), -float("inf"), -1.0, 5e-324]


@settings(max_examples=300, **QUICK)
@given(number=st.one_of(st.sampled_from(FLOAT_EDGES), st.floats(), st.floats(0, 2.0**54).map(lambda value: float(math.floor(value))), st.floats(0, 1e6)))
def test_ids_as_floats_are_exact_or_refused(number):
    found, reason = customer_id_of(number)
    assert found == expected_id(number)
    if found is not None:
        assert float(found) == number and found <= 2**53
    else:
        assert reason.startswith("customer-id")


@st.composite
def json_numbers(draw):
    """The text of a JSON number: digits, maybe a fraction, maybe an exponent."""
    return draw(SIGNS) + draw(WHOLES) + draw(FRACTIONS) + draw(EXPONENTS)


SIGNS = st.sampled_from(["", "", "-"])
WHOLES = st.sampled_from(["0", "1", "7", "9007199254740992", "9007199254740993", "10000000000000000000000"]) | st.integers(0, 10**23).map(str)
FRACTIONS = st.sampled_from(["", ".0", ".000", ".5", ".0000000000000000001"]) | st.text("0123456789", min_size=1, max_size=5).map(".".__add__)
EXPONENTS = st.sampled_from(["", "e0", "E+2", "e-1", "e19", "e-400", "E400"]) | st.integers(-30, 30).map("e{0}".format)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("properties")


def scanned(path, now=NOW, schedules=True, **patches):
    """(index, invalid origins, unique rows) of a file; patches replace module constants meanwhile."""
    invalid = []
    with mock.patch.multiple(customer_input, **patches) if patches else contextlib.nullcontext():
        index = scan(CustomerInput(path=str(path)), RowValidator(now, schedules=schedules), lambda origin, raw, reason, *_row: invalid.append(origin))
    return index, invalid, list(unique_rows(index))


@settings(max_examples=200, **QUICK)
@given(numbers=st.lists(json_numbers(), min_size=1, max_size=8))
def test_json_lines_numbers_are_judged_exactly(workdir, numbers):
    path = workdir / "numbers.jsonl"
    path.write_text("".join('{"customer-id": %s}\n' % number for number in numbers))
    raws = [int(text) if re.fullmatch("-?[0-9]+", text) else Decimal(text) for text in numbers]
    valid, unique, invalid, declared = expected_scan([(line, raw, expected_id(raw), None) for line, raw in enumerate(raws, 1)])
    index, found_invalid, rows = scanned(path)
    assert list(zip(index.ids, index.origins)) == [(cid, line) for cid, line, _utc in valid]
    assert rows == unique and found_invalid == invalid and index.declared_invalid == declared


# ------------------------------------------------------------------ schedules
MAX_OFFSET = 23 * 60 + 59
OFFSETS = st.one_of(st.just(0), st.integers(-MAX_OFFSET, MAX_OFFSET), st.integers(-23, 23).map(lambda hours: hours * 60))
FRACTION_DIGITS = st.text("0123456789", max_size=7)
CHOICES = {}


def choice(options):
    """sampled_from, made once per set of options: a strategy is validated when first drawn from."""
    options = tuple(options)
    key = tuple((option.__class__, option) for option in options)
    if key not in CHOICES:
        CHOICES[key] = st.sampled_from(options)
    return CHOICES[key]


@st.composite
def schedule_texts(draw, seconds, digits=None, offset=None):
    """One way of writing the instant `seconds` (+ fraction digits) with an offset of `offset` minutes."""
    digits = draw(FRACTION_DIGITS) if digits is None else digits
    offset = draw(OFFSETS)
    local = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds + offset * 60)
    sign, hours, minutes = "-" if offset < 0 else "+", abs(offset) // 60, abs(offset) % 60
    zones = ["{0}{1:02d}:{2:02d}".format(sign, hours, minutes), "{0}{1:02d}{2:02d}".format(sign, hours, minutes)]
    zones += ["{0}{1:02d}".format(sign, hours)] if not minutes else []
    zones += ["Z", "z", "-00:00"] if not offset else []
    text = "{0:04d}".format(local.year) + local.strftime("-%m-%d") + draw(choice("Tt")) + local.strftime("%H:%M")
    if local.second or digits or draw(st.booleans()):
        text += local.strftime(":%S") + (draw(choice(".,")) + digits if digits else "")
    return text + draw(choice(zones))


instants = st.integers(NOW - 10 * DAY, NOW + 10 * DAY) | st.integers(-62135596800 + DAY, 253402300799 - DAY)


@settings(max_examples=250, **QUICK)
@given(data=st.data(), seconds=instants, digits=st.text("0123456789", max_size=7))
def test_any_form_of_an_instant_normalises_to_one_rfc_3339_utc_text(data, seconds, digits):
    first = data.draw(schedule_texts(seconds, digits))
    second = data.draw(schedule_texts(seconds, digits + data.draw(st.text("0", max_size=2))))
    epoch, utc, problem = read_schedule(first)
    assert problem is None and utc == utc_oracle(seconds, digits)
    assert epoch == (seconds + float("0." + digits.rstrip("0")) if digits.rstrip("0") else seconds)
    assert read_schedule(second)[:2] == (epoch, utc)
    # The normalised text reads back as itself, the same instant.
    assert read_schedule(utc) == (epoch, utc, None) and parse_schedule(first) == epoch


@settings(max_examples=200, **QUICK)
@given(
    data=st.data(),
    seconds=st.integers(NOW - DAY, NOW + 9 * DAY),
    now=st.integers(NOW - 60, NOW + 60),
    start=st.none() | st.integers(NOW, NOW + 8 * DAY),
    length=st.none() | st.integers(0, 8 * DAY),
)
def test_the_judge_accepts_exactly_the_next_seven_days_inside_the_window(data, seconds, now, start, length):
    end = None if length is None else (start or NOW) + length
    text = data.draw(schedule_texts(seconds, ""))
    expected = now < seconds <= now + 7 * DAY and (start is None or seconds >= start) and (end is None or seconds <= end)
    validator = RowValidator(now, (start, end))
    epoch, reason = validator.judge(text)
    assert (epoch == seconds) if expected else (epoch is None and reason.startswith("schedule-date-time '"))
    cid, utc, _epoch, why = validator.check("42", text)
    assert (cid, utc) == ((42, utc_oracle(seconds, "")) if expected else (None, None))
    assert why is None if expected else why.startswith("customer 42: schedule-date-time '")


ASCII_LIKE = r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]{1,4})?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)\Z"
GROUPS = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(?:[Zz]|([+-])(\d\d)(?::?(\d\d))?)")


def datetime_oracle(text):
    """(seconds, fraction) of a date-time by datetime's own calendar and zones, or None when invalid."""
    match = GROUPS.fullmatch(text)
    if not match or not text.isascii():
        return None
    year, month, day, hour, minute, second, fraction, sign, zone_hours, zone_minutes = match.groups()
    if int(zone_hours or 0) > 23 or int(zone_minutes or 0) > 59:
        return None
    offset = datetime.timedelta(hours=int(zone_hours or 0), minutes=int(zone_minutes or 0)) * (-1 if sign == "-" else 1)
    try:
        stamp = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=datetime.timezone(offset))
        stamp.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return (stamp - datetime.datetime(1970, 1, 1, tzinfo=UTC)) // datetime.timedelta(seconds=1), fraction or ""


@settings(max_examples=300, **QUICK)
@given(text=st.one_of(st.from_regex(ASCII_LIKE), st.from_regex(ASCII_LIKE.replace("[0-9]", r"\d")), st.text(max_size=30)))
def test_parse_schedule_agrees_with_datetime_and_never_raises(text):
    epoch, utc, problem = read_schedule(text)
    expected = datetime_oracle(text.strip())
    if expected is None:
        assert epoch is None and utc is None and problem
        assert not text.strip() or RowValidator(NOW).check("5", text)[3].startswith("customer 5: schedule-date-time")
    else:
        assert problem is None and utc == utc_oracle(*expected) and read_schedule(utc)[:2] == (epoch, utc)


@settings(max_examples=200, **QUICK)
@given(
    seconds=st.integers(NOW, NOW + 6 * DAY),
    flaw=st.sampled_from(["offset hours", "offset minutes", "hour 24", "leap second", "minute", "month", "day", "unicode digit"]),
    data=st.data(),
)
def test_impossible_schedules_are_refused_with_a_reason(seconds, flaw, data):
    stamp = datetime.datetime(1970, 1, 1) + datetime.timedelta(seconds=seconds)
    parts = dict(date=stamp.strftime("%Y-%m-%d"), time=stamp.strftime("%H:%M:%S"), zone="+00:00")
    if flaw == "offset hours":
        parts["zone"] = data.draw(choice("+-")) + "{0:02d}:{1:02d}".format(data.draw(st.integers(24, 99)), data.draw(st.integers(0, 99)))
    elif flaw == "offset minutes":
        parts["zone"] = data.draw(choice("+-")) + "{0:02d}{1:02d}".format(data.draw(st.integers(0, 23)), data.draw(st.integers(60, 99)))
    elif flaw == "hour 24":
        parts["time"] = "24:00:00"
    elif flaw == "leap second":
        parts["time"] = stamp.strftime("%H:%M:") + "60"
    elif flaw == "minute":
        parts["time"] = stamp.strftime("%H:") + str(data.draw(st.integers(60, 99))) + ":00"
    elif flaw == "month":
        parts["date"] = stamp.strftime("%Y-") + data.draw(choice(["00", "13", "99"])) + "-01"
    elif flaw == "day":
        parts["date"] = stamp.strftime("%Y-%m-") + data.draw(choice(["00", "32", "31" if stamp.month in (4, 6, 9, 11) else "30" if stamp.month == 2 else "00"]))
    text = "{date}T{time}{zone}".format(**parts)
    if flaw == "unicode digit":
        position = data.draw(choice([index for index, char in enumerate(text) if char.isdigit()]))
        text = text[:position] + data.draw(choice(["\u0660", "\u0966", "\uff10", "\u0e50"])) + text[position + 1 :]
    assert read_schedule(text)[:2] == (None, None)
    reason = RowValidator(NOW - 60).check("5", text)[3]
    assert reason.startswith("customer 5: schedule-date-time '") and "not" in reason


# ------------------------------------------------------------------ CSV files
BAD_IDS = ["x9", "+4", "0", "1e5", "4 2", "\u0661\u0662", "-3", "1.5", "0x1F", "00"]
EXTRA_VALUES = ["", "Ann", "a, b", 'say "hi"', "two\nlines", "  "]


@st.composite
def csv_files(draw):
    """(text, expected rows): a random file and, for each data record, what the parser must make of it."""
    extras = draw(st.integers(0, 2))
    columns = ["id"] + (["schedule"] if draw(st.booleans()) else []) + ["extra"] * extras
    columns = draw(st.permutations(columns)) if draw(st.booleans()) else columns
    names = {
        "id": draw(choice(["customer-id", "customer_id", " Customer-ID "])),
        "schedule": draw(choice(["schedule-date-time", "schedule"])),
    }
    header = ",".join(names.get(column, "note") for column in columns)
    lines = ["\ufeff"] if draw(st.booleans()) else [""]
    lines[0] += "\n" * draw(st.integers(0, 2)) + header
    number = 1 + lines[0].count("\n")
    records = []
    pool = draw(st.lists(st.integers(1, 10**18) | st.integers(1, MAX_ID), min_size=1, max_size=4))
    for _line in range(draw(st.integers(0, 25))):
        text, record = draw(csv_record(columns, pool))
        ending = draw(choice(["\n", "\r\n"]))
        lines.append(ending + text)
        number += 1
        if record is not None:
            records.append((number,) + record)
        number += text.count("\n")
    body = "".join(lines) + draw(choice(["", "\n", "\r\n"]))
    return body, records


@st.composite
def csv_record(draw, columns, pool):
    """(line text, (raw id, valid id or None, schedule UTC text or None) or None for a skipped line)."""
    kind = draw(choice(["valid"] * 6 + ["blank", "bad id", "bad schedule", "too wide"]))
    if kind == "blank":
        return draw(choice(["", "   ", ",", " , "])), None
    cid = draw(choice(pool)) if draw(st.booleans()) else draw(st.integers(1, MAX_ID))
    raw_id = draw(choice(BAD_IDS)) if kind == "bad id" else draw(choice(["", "0", "00"])) + str(cid)
    raw_id = draw(choice(["", " "])) + raw_id + draw(choice(["", " "]))
    utc, raw_schedule = None, ""
    if "schedule" in columns and (kind == "bad schedule" or draw(st.booleans())):
        seconds = draw(st.integers(NOW + 60, NOW + 6 * DAY))
        if kind == "bad schedule":
            raw_schedule = draw(
                st.sampled_from(["tomorrow", "2026-04-30T12:00:00Z", "2026-05-09T12:00:00Z", "2026-05-02T12:00:00+99:99", "2026-05-02T24:00:00Z"])
            )
        else:
            digits = draw(choice(["", "5", "250"]))
            raw_schedule, utc = draw(schedule_texts(seconds, digits)), utc_oracle(seconds, digits)
    values = {"id": raw_id, "schedule": raw_schedule}
    fields = [values.get(column) if column in values else draw(choice(EXTRA_VALUES)) for column in columns]
    if kind == "too wide":
        fields.append(draw(choice(["x", "1", " y "])))
    text = ",".join(quoted(field, draw(st.booleans())) for field in fields)
    if not any(field.strip() for field in fields):
        return text, None
    refused = kind == "too wide" or kind == "bad schedule" and "schedule" in columns
    return text, (raw_id, None if refused else expected_id(raw_id), utc)


def quoted(field, always):
    if always or any(char in field for char in ',"\n'):
        return '"' + field.replace('"', '""') + '"'
    return field


def expected_scan(records):
    """(valid rows (id, line, utc), unique rows, invalid lines in report order, declared ids of invalid rows)."""
    valid, invalid, declared = [], [], set()
    for line, raw_id, cid, utc in records:
        if cid is None:
            invalid.append(line)
            if lenient_id(raw_id) is not None:
                declared.add(lenient_id(raw_id))
        else:
            valid.append((cid, line, utc))
    first, unique, conflicts = {}, [], []
    for cid, line, utc in valid:
        if cid not in first:
            first[cid] = utc
            unique.append((cid, utc, line))
        elif first[cid] != utc:
            conflicts.append(line)
    return valid, unique, invalid + conflicts, declared


@settings(max_examples=200, **QUICK)
@given(generated=csv_files(), block=st.sampled_from([4, 16, 64, 1 << 20]))
def test_csv_files_keep_exactly_the_valid_rows_in_order(workdir, generated, block):
    body, records = generated
    path = workdir / "customers.csv"
    path.write_bytes(body.encode("utf-8"))
    valid, unique, invalid, declared = expected_scan(records)
    index, found_invalid, rows = scanned(path, NOW, BLOCK_CHARS=block)
    assert [(index.ids[position], index.origins[position], index.schedule(position)) for position in range(len(index.ids))] == valid
    assert rows == unique and found_invalid == invalid and index.declared_invalid == declared
    assert index.requested == len(unique) and index.invalid == len(invalid)
    # The csv module alone (no IdRun) reads the same file the same way.
    slow = scanned(path, NOW, BLOCK_CHARS=block, ID_ONLY_LINES=re.compile(r"(?!)"))
    assert (list(slow[0].ids), list(slow[0].origins), slow[1], slow[2]) == (list(index.ids), list(index.origins), found_invalid, rows)


@settings(max_examples=100, **QUICK)
@given(
    cids=st.lists(st.integers(1, 10**18), min_size=1, max_size=60),
    endings=st.lists(st.sampled_from(["\n", "\r\n", ",\n", ",\r\n"]), min_size=1),
    block=st.integers(1, 200),
)
def test_id_only_files_take_the_fast_path_and_agree_with_the_csv_module(workdir, cids, endings, block):
    path = workdir / "ids.csv"
    path.write_bytes(("customer-id\n" + "".join(str(cid) + endings[number % len(endings)] for number, cid in enumerate(cids))).encode())
    fast = scanned(path, BLOCK_CHARS=block)
    slow = scanned(path, BLOCK_CHARS=block, ID_ONLY_LINES=re.compile(r"(?!)"))
    assert list(fast[0].ids) == list(slow[0].ids) == cids
    assert list(fast[0].origins) == list(slow[0].origins) == list(range(2, len(cids) + 2))
    assert fast[2] == slow[2] and fast[1] == slow[1] == []


# ------------------------------------------------------------------ JSON Lines files
@st.composite
def jsonl_lines(draw, pool):
    """(line text, (raw id, valid id or None, utc) or None for a skipped line)."""
    kind = draw(choice(["valid"] * 5 + ["blank", "not json", "not an object", "bad id", "unknown key", "bad schedule"]))
    if kind == "blank":
        return draw(choice(["", "  ", "\t"])), None
    if kind in ("not json", "not an object"):
        text = draw(choice(["{", "not json", '{"customer-id": 1', "[" * 2000])) if kind == "not json" else draw(choice(["[1]", '"7"', "3", "null"]))
        return text, (None, None, None)
    cid = draw(choice(pool)) if draw(st.booleans()) else draw(st.integers(1, MAX_ID))
    raw = draw(choice([cid, str(cid), " %d " % cid] + ([float(cid)] if cid <= 2**53 else [])))
    if kind == "bad id":
        raw = draw(choice(BAD_IDS + [1.5, True, None, 0, -4, float(2**60), "1e5"]))
    item, utc = {draw(choice(["customer-id", "customer_id", "Customer-ID"])): raw}, None
    if kind == "bad schedule":
        item["schedule-date-time"] = draw(choice(["tomorrow", "2026-05-02T12:00:00+24:00", 5]))
    elif draw(st.booleans()):
        seconds = draw(st.integers(NOW + 60, NOW + 6 * DAY))
        item[draw(choice(["schedule", "schedule-date-time"]))], utc = draw(schedule_texts(seconds, "")), utc_oracle(seconds, "")
    if kind == "unknown key":
        item["phone"] = "555"
    # What the file says: a float is written as its repr, which JSON Lines reads exactly.
    written = Decimal(repr(raw)) if isinstance(raw, float) else raw
    valid = expected_id(written) if kind in ("valid", "bad id") else None
    return json.dumps(item, ensure_ascii=draw(st.booleans())), (written, valid, utc)


@settings(max_examples=200, **QUICK)
@given(data=st.data(), pool=st.lists(st.integers(1, MAX_ID), min_size=1, max_size=4), bom=st.booleans(), ending=st.sampled_from(["\n", "\r\n"]))
def test_json_lines_files_keep_exactly_the_valid_rows_in_order(workdir, data, pool, bom, ending):
    lines = data.draw(st.lists(jsonl_lines(pool), min_size=1, max_size=20))
    assume(any(text.strip() for text, _record in lines))
    path = workdir / "customers.jsonl"
    path.write_bytes((("\ufeff" if bom else "") + ending.join(text for text, _record in lines) + ending).encode("utf-8"))
    records = [(line,) + record for line, (_text, record) in enumerate(lines, 1) if record is not None]
    valid, unique, invalid, declared = expected_scan(records)
    index, found_invalid, rows = scanned(path)
    assert [(index.ids[position], index.origins[position], index.schedule(position)) for position in range(len(index.ids))] == valid
    assert rows == unique and found_invalid == invalid and index.declared_invalid == declared


# ------------------------------------------------------------------ the list option and the file format option
@settings(max_examples=200, **QUICK)
@given(
    items=st.lists(
        st.one_of(ids, st.floats(), st.text(ID_CHARS, max_size=8), st.booleans(), st.none(), st.builds(lambda cid: {"customer_id": cid}, ids)), max_size=12
    )
)
def test_the_customers_list_keeps_exactly_the_valid_items(items):
    invalid = []
    index = scan(CustomerInput(items), RowValidator(NOW), lambda origin, raw, reason, *_row: invalid.append(origin))
    wanted = [(-number - 1, expected_id(item["customer_id"] if isinstance(item, dict) else item)) for number, item in enumerate(items)]
    assert list(zip(index.ids, index.origins)) == [(cid, origin) for origin, cid in wanted if cid is not None]
    assert invalid == [origin for origin, cid in wanted if cid is None]


@settings(max_examples=100, **QUICK)
@given(
    stem=st.text(st.characters(exclude_characters="\x00/"), min_size=1, max_size=12),
    extension=st.sampled_from(sorted(customer_input.FORMATS) + [".txt", "", ".csv.gz"]),
)
def test_the_file_format_comes_from_the_extension_in_any_case(stem, extension):
    name = stem + "".join(char.upper() if index % 2 else char for index, char in enumerate(extension))
    assume(not any(name.lower().endswith(known) for known in customer_input.FORMATS) or extension in customer_input.FORMATS)
    if extension in customer_input.FORMATS:
        assert file_format(name) == customer_input.FORMATS[extension]
    else:
        with pytest.raises(ValidationError, match="cannot tell the format"):
            file_format(name)
    assert file_format(name, "jsonl") == "jsonl"


# ------------------------------------------------------------------ the Campaigns API v1 reader
V1_LINE = st.one_of(
    st.text("ABCxyz0123456789-_ ", min_size=1, max_size=40),
    # Characters str.splitlines() breaks at but a file line does not, and spaces that are not ASCII.
    st.text("AB1 \x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\xa0\u3000", min_size=1, max_size=34),
    st.sampled_from(["", " ", "\t", '"R,1"', '"multi\nline"', "a,b", "R1,", '""']),
)


@settings(max_examples=300, **QUICK)
@given(
    lines=st.lists(st.one_of(V1_LINE, st.text(st.characters(exclude_categories=("Cs",)), max_size=34)), min_size=1, max_size=12),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_a_block_of_ids_is_checked_in_one_scan_as_each_id_on_its_own(lines, ending):
    """all_ids (a scan for spaces, then lengths) says of a block what the id pattern says of each of its lines."""
    text = ending.join(lines) + ending
    ids = text.splitlines()
    assume(len(ids) == len(lines))
    assert v1_records.all_ids(text, ids) == all(v1_records.ID_TEXT(cid) for cid in ids)


@settings(max_examples=200, **QUICK)
@given(lines=st.lists(V1_LINE, max_size=40), ending=st.sampled_from(["\n", "\r\n", "\r"]), block=st.integers(1, 64))
def test_v1_one_column_files_read_by_blocks_as_the_csv_module_reads_them(workdir, lines, ending, block):
    """The v1 reader's block path (no csv module while there is no quote or comma) against the csv module alone."""
    path = workdir / "v1.csv"
    path.write_bytes(("customer-id" + ending + ending.join(lines) + ending).encode())
    with mock.patch.object(v1_records, "BLOCK_CHARS", block):
        fast = list(v1_records.input_rows(None, str(path)))
    with mock.patch.object(v1_records, "id_lines", lambda handle, column, lines: iter_return(lines, handle)):
        slow = list(v1_records.input_rows(None, str(path)))
    assert expand_v1_runs(fast) == slow
    # An IdRun holds only what record_of takes as it is.
    for run in (part for part in fast if isinstance(part, customer_input.IdRun)):
        assert all(v1_records.record_of({"customer-id": cid}) == ({"crmRecordId": cid}, None) for cid in run.ids)


V1_ITEM = st.one_of(
    st.sampled_from(["R1", "R2", "R3"]),
    st.builds(lambda cid, priority: {"customer_id": cid, "priority": priority}, st.sampled_from(["R1", "R2"]), st.sampled_from(["HIGH", "LOW"])),
)


@settings(max_examples=200, **QUICK)
@given(
    items=st.lists(V1_ITEM, max_size=4),
    lines=st.lists(st.one_of(st.sampled_from(["R1", "R2", "R3", "R4", " R2", "x" * 33, ""]), V1_LINE), max_size=30),
    block=st.integers(1, 64),
    size=st.integers(1, 5),
)
def test_v1_input_counts_and_sends_the_same_with_id_runs_as_row_by_row(workdir, items, lines, block, size):
    """The two passes of a v1 run (V1Input) over a list and a one-column file: with IdRuns (set operations, counted
    by the second pass) as without them (each row on its own): the same counts, failures and batches."""
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_report import Tally
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers_v1 import V1Input

    path = workdir / "v1.csv"
    path.write_text("customer-id\n" + "\n".join(lines) + "\n")

    def outcome():
        tally = Tally()
        source = V1Input({"customers": items, "customers_file": str(path), "customers_file_format": None}, tally)
        try:
            source.validate()
        except ValidationError as exc:
            return exc.message
        # The first pass leaves an IdRun's ids to the second to count: at most as many as it validated.
        bound = tally.counts["requested"] + source.pending
        batches = [list(chunk) for chunk in source.batches(size)]
        assert source.pending == 0 and tally.counts["requested"] <= bound
        return dict(tally.counts), [failure["message"] for failure in tally.failures], batches

    with mock.patch.object(v1_records, "BLOCK_CHARS", block):
        fast = outcome()
    with mock.patch.object(v1_records, "id_lines", lambda handle, column, lines: iter_return(lines, handle)):
        slow = outcome()
    assert fast == slow
    if not isinstance(slow, str):
        sent = [record["crmRecordId"] for chunk in slow[2] for _origin, record in chunk]
        assert len(sent) == len(set(sent)) == slow[0]["requested"] and all(len(chunk) <= size for chunk in slow[2])


def expand_v1_runs(parts):
    """The rows an IdRun of the v1 reader stands for, as the csv module gives them."""
    rows = []
    for part in parts:
        if isinstance(part, customer_input.IdRun):
            rows.extend((line, {"customer-id": cid}, None) for line, cid in enumerate(part.ids, part.first_line))
        else:
            rows.append(part)
    return rows


def iter_return(lines, handle):
    """A generator that yields nothing and hands the whole file to the csv module."""
    return (yield from ()) or (lines, handle)

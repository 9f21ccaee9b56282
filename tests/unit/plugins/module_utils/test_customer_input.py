# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import time
from decimal import Decimal

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import customer_input
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    CustomerInput,
    RowValidator,
    customer_id_of,
    origin_text,
    parse_schedule,
    scan,
    unique_rows,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError

NOW = calendar.timegm((2026, 5, 1, 12, 0, 0, 0, 0, 0))


def iso(seconds_from_now):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(NOW + seconds_from_now))


@pytest.mark.parametrize(
    "raw, expected, reason",
    [
        (1000001, 1000001, None),
        ("1000001", 1000001, None),
        (" 42 ", 42, None),
        ("0042", 42, None),
        (0, None, "not positive"),
        (-5, None, "not positive"),
        ("-5", None, "not a positive whole number"),
        ("12a", None, "not a positive whole number"),
        ("1.5", None, "not a positive whole number"),
        ("", None, "missing"),
        (None, None, "missing"),
        (True, None, "not a number"),
        ("99999999999999999999999", None, "too large"),
        ("١٢٣", None, "not a positive whole number"),
    ],
)
def test_customer_id_of(raw, expected, reason):
    cid, text = customer_id_of(raw)
    assert cid == expected
    if reason:
        assert reason in text
    else:
        assert text is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-05-01T12:00:00Z", NOW),
        ("2026-05-01T12:00:00.250Z", NOW + 0.25),
        ("2026-05-01T14:00:00+02:00", NOW),
        ("2026-05-01T07:00:00-0500", NOW),
        ("2026-05-01T14:00+02", NOW),
        ("2026-05-01T12:00:00", None),
        ("2026-05-01 12:00:00Z", None),
        ("2026-02-30T12:00:00Z", None),
        ("2026-05-01T25:00:00Z", None),
        ("tomorrow", None),
    ],
)
def test_parse_schedule(text, expected):
    assert parse_schedule(text) == expected


WINDOW = (NOW + 3600, NOW + 3 * 86400)


@pytest.mark.parametrize(
    "raw_id, schedule, window, reason",
    [
        ("1000001", None, (None, None), None),
        ("1000001", "", (None, None), None),
        ("1000001", iso(86400), (None, None), None),
        ("1000001", iso(2 * 86400), (None, None), None),
        ("1000001", iso(-60), (None, None), "is in the past"),
        ("1000001", iso(9 * 86400), (None, None), "more than 7 days ahead"),
        ("1000001", "2026-05-02T12:00:00", (None, None), "not ISO 8601 with a timezone"),
        ("1000001", iso(60), WINDOW, "outside the campaign's window"),
        ("1000001", iso(4 * 86400), WINDOW, "outside the campaign's window"),
        ("1000001", iso(2 * 86400), WINDOW, None),
        ("abc", iso(86400), (None, None), "not a positive whole number"),
    ],
)
def test_row_validator(raw_id, schedule, window, reason):
    cid, text, _epoch, error = RowValidator(NOW, window).check(raw_id, schedule)
    if reason:
        assert cid is None and reason in error
        if "customer-id" not in error:
            assert error.startswith("customer 1000001: ")
    else:
        assert error is None and cid == 1000001 and text == (schedule or None)


def test_schedules_ignored_when_removing():
    assert RowValidator(NOW, schedules=False).check("7", "garbage")[3] is None


@pytest.mark.parametrize("origin, text", [(4, "line 4"), (-1, "customers[0]"), (-12, "customers[11]")])
def test_origin_text(origin, text):
    assert origin_text(origin) == text


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8"))
    return str(path)


def run_scan(source, now=NOW, window=(None, None)):
    invalid = []
    validator = RowValidator(now, window)
    index = scan(source, validator, lambda origin, raw, reason, *_row: invalid.append((origin_text(origin), reason)))
    return index, invalid, list(unique_rows(index))


def test_csv_bom_crlf_blank_lines_header_case(tmp_path):
    path = write(tmp_path, "c.csv", "\ufeff Customer-ID ,SCHEDULE-DATE-TIME,name\r\n1000001,,Ann\r\n\r\n1000002,%s,Bob\r\n,,\r\n" % iso(60))
    index, invalid, rows = run_scan(CustomerInput(path=path))
    assert invalid == []
    assert [(cid, origin) for cid, _text, origin in rows] == [(1000001, 2), (1000002, 4)]
    assert index.requested == 2


def test_csv_aliases_and_line_numbers_of_bad_rows(tmp_path):
    path = write(tmp_path, "c.csv", "customer_id,schedule\n1000001,\n1000002,\nx9,\n1000003,%s\n" % iso(9 * 86400))
    index, invalid, _rows = run_scan(CustomerInput(path=path))
    assert [origin for origin, _reason in invalid] == ["line 4", "line 5"]
    assert "more than 7 days ahead" in invalid[1][1]
    assert index.invalid == 2 and index.requested == 2


def test_csv_without_id_column_names_file_and_header(tmp_path):
    path = write(tmp_path, "c.csv", "id,when\n1,\n")
    with pytest.raises(ValidationError, match="c.csv: line 1: the header has no customer-id column"):
        run_scan(CustomerInput(path=path))


def test_repeats_same_schedule_collapse_different_schedule_is_invalid(tmp_path):
    when, other = iso(3600), iso(7200)
    path = write(tmp_path, "c.csv", "customer-id,schedule-date-time\n5,%s\n3,\n5,%s\n3,\n5,%s\n" % (when, when, other))
    index, invalid, rows = run_scan(CustomerInput(path=path))
    assert index.requested == 2 and index.duplicates == 2 and index.invalid == 1
    assert invalid == [("line 6", "customer 5 is repeated with a different schedule-date-time than line 2")]
    assert sorted((cid, origin) for cid, _text, origin in rows) == [(3, 3), (5, 2)]


def test_jsonl_and_list_together(tmp_path):
    path = write(tmp_path, "c.jsonl", '{"customer-id": "7"}\n\n{"customer_id": 8, "schedule": null}\n[1]\n{"customer-id": 7}\nnot json\n')
    source = CustomerInput([9, {"customer_id": "10"}, {"id": 1}, 1.5], path)
    index, invalid, rows = run_scan(source)
    assert [origin for origin, _reason in invalid] == ["customers[2]", "customers[3]", "line 4", "line 6"]
    assert index.requested == 4 and index.duplicates == 1
    assert [cid for cid, _t, _o in rows] == [9, 10, 7, 8]


def test_format_from_extension_or_option(tmp_path):
    path = write(tmp_path, "c.txt", "customer-id\n1\n")
    with pytest.raises(ValidationError, match="cannot tell the format"):
        CustomerInput(path=path)
    assert CustomerInput(path=path, declared_format="csv").format == "csv"


def test_missing_file_fails_before_anything(tmp_path):
    with pytest.raises(ValidationError, match="cannot be read where the module runs"):
        CustomerInput(path=str(tmp_path / "none.csv"))


def test_not_utf8_is_named(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"customer-id\n\xff\xfe1\n")
    with pytest.raises(ValidationError, match="not UTF-8"):
        run_scan(CustomerInput(path=str(path)))


@pytest.mark.parametrize(
    "body, rows, invalid",
    [
        # Blocks of id-only lines (the C fast path), a small block size forcing several blocks.
        ("1\n2,\n3\r\n4,\r\n5", [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6)], []),
        # A block with a schedule, a zero, a 19-digit id or a blank line goes through the csv module.
        ("1\n2,%s\n3\n" % iso(60), [(1, 2), (2, 3), (3, 4)], []),
        ("1\n0\n3\n", [(1, 2), (3, 4)], ["line 3"]),
        ("1\n1234567890123456789\n3\n", [(1, 2), (1234567890123456789, 3), (3, 4)], []),
        ("1\n\n3\n+4\n", [(1, 2), (3, 4)], ["line 5"]),
        # A line of spaces only is blank, like an empty one.
        ("1\n   \n3\n", [(1, 2), (3, 4)], []),
        # A quoted field may span lines: the rest of the file goes through the csv module.
        # A record over several lines is named by its first line.
        ('1\n"2"\n"x\ny"\n4\n', [(1, 2), (2, 3), (4, 6)], ["line 4"]),
    ],
)
def test_csv_fast_path_keeps_rows_and_line_numbers(tmp_path, monkeypatch, body, rows, invalid):
    monkeypatch.setattr(customer_input, "BLOCK_CHARS", 4)
    index, found, sent = run_scan(CustomerInput(path=write(tmp_path, "c.csv", "customer-id,schedule-date-time\n" + body)))
    assert [(cid, origin) for cid, _text, origin in sent] == rows
    assert [origin for origin, _reason in found] == invalid


def test_schedules_are_kept_only_where_given(tmp_path):
    when = iso(60)
    path = write(tmp_path, "c.csv", "customer-id,schedule-date-time\n1,\n2,%s\n3,\n4,%s\n" % (when, when))
    index, _invalid, rows = run_scan(CustomerInput(path=path))
    assert [text for _cid, text, _origin in rows] == [None, when, None, when]
    assert index.texts == [None, when]


def test_unordered_input_without_repeats_sends_everything(tmp_path):
    index, invalid, rows = run_scan(CustomerInput([5, 3, 9, 1]))
    assert invalid == [] and index.duplicates == 0
    assert [cid for cid, _t, _o in rows] == [5, 3, 9, 1]


# ------------------------------------------------------------------ ids from 1 to 10^22, exact integers only
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("9223372036854775808", 2**63),
        (str(10**22), 10**22),
        (10**22, 10**22),
        ("0" * 30 + "7", 7),
        (3.0, 3),
        (float(2**53), 2**53),
        (Decimal("12.000"), 12),
    ],
)
def test_ids_up_to_10_to_the_22_and_exact_whole_floats_are_accepted(raw, expected):
    assert customer_id_of(raw) == (expected, None)


@pytest.mark.parametrize(
    "raw, reason",
    [
        (10**22 + 1, "too large (ids are whole numbers from 1 to 10^22)"),
        ("1" + "0" * 22 + "1", "too large"),
        ("9" * 5000, "too large"),
        (0, "not positive (ids are whole numbers from 1 to 10^22)"),
        ("0", "not positive"),
        (-3, "not positive"),
        (1.5, "not a whole number"),
        (1e19, "beyond 2^53"),
        (float(2**53 + 2), "beyond 2^53"),
        (float("nan"), "not a number"),
        (float("inf"), "not a number"),
        (False, "not a number"),
        (Decimal("9007199254740993.0"), "beyond 2^53"),
        (Decimal("1.0000000000000000001"), "not a whole number"),
        (Decimal("1e400000"), "beyond 2^53"),
        ("1e5", "not a positive whole number"),
        ("+4", "not a positive whole number"),
        ("4 2", "not a positive whole number"),
        ("1_000", "not a positive whole number"),
        ("１２", "not a positive whole number"),
    ],
)
def test_ids_outside_the_range_or_not_exact_integers_are_refused(raw, reason):
    cid, text = customer_id_of(raw)
    assert cid is None and reason in text


def test_big_ids_are_kept_beside_64_bit_ones_and_repeats_still_found():
    big = 10**22
    index, invalid, rows = run_scan(CustomerInput([5, str(2**63), big, 7, "0%d" % big, {"customer_id": str(big), "schedule": iso(60)}]))
    assert [cid for cid, _t, _o in rows] == [5, 2**63, big, 7]
    assert list(index.ids) == [5, 2**63, big, 7, big, big] and index.ids[2] == big and len(index.ids) == 6
    assert index.ids[1:3] == [2**63, big] and index.ids[-1] == big
    assert index.duplicates == 1 and invalid == [("customers[5]", "customer %d is repeated with a different schedule-date-time than customers[2]" % big)]


def test_float_ids_in_the_list_and_in_json_lines_are_never_rounded(tmp_path):
    path = write(tmp_path, "c.jsonl", '{"customer-id": 9007199254740993.0}\n{"customer-id": 1.0000000000000000001}\n{"customer-id": 2.0}\n')
    index, invalid, rows = run_scan(CustomerInput([1e19, 4.0, {"customer_id": float(2**60)}, {"customer_id": 1.5}], path))
    assert [cid for cid, _t, _o in rows] == [4, 2]
    assert [origin for origin, _reason in invalid] == ["customers[0]", "customers[2]", "customers[3]", "line 1", "line 2"]


# ------------------------------------------------------------------ schedules: ASCII, possible offsets, RFC 3339 UTC
@pytest.mark.parametrize(
    "text, problem",
    [
        ("２026-05-01T12:00:00Z", "outside ASCII"),
        ("2026-05-01T12:00:00+٠٢:00", "outside ASCII"),
        ("2026-05-01T12:00:00+99:99", "the offset +99:99 is impossible"),
        ("2026-05-01T12:00:00+2400", "the offset +2400 is impossible"),
        ("2026-05-01T12:00:00-05:60", "the offset -05:60 is impossible"),
        ("2026-05-01T24:00:00Z", "24:00 is not accepted"),
        ("2026-06-30T23:59:60Z", "leap second"),
        ("2026-05-01T12:00:00Z\n", None),
        ("0001-01-01T00:30:00+01:00", "outside the years 0001 to 9999"),
    ],
)
def test_schedules_with_unicode_digits_impossible_offsets_or_odd_times_are_refused(text, problem):
    cid, utc, epoch, reason = RowValidator(NOW - 60).check("5", text)
    if problem is None:
        assert (cid, utc, epoch, reason) == (5, "2026-05-01T12:00:00Z", NOW, None)
    else:
        assert cid is None and reason.startswith("customer 5: schedule-date-time ") and problem in reason
        assert customer_input.read_schedule(text)[:2] == (None, None) and parse_schedule(text) is None


@pytest.mark.parametrize(
    "written, utc",
    [
        ("2026-05-01T14:00:00+02:00", "2026-05-01T12:00:00Z"),
        ("2026-05-01T14:00+0200", "2026-05-01T12:00:00Z"),
        ("2026-05-01t07:00:00-05", "2026-05-01T12:00:00Z"),
        ("2026-05-01T12:00:00z", "2026-05-01T12:00:00Z"),
        ("2026-05-01T12:00:00,5Z", "2026-05-01T12:00:00.500Z"),
        ("2026-05-01T12:00:00.000Z", "2026-05-01T12:00:00Z"),
        ("2026-05-01T12:00:00.123400Z", "2026-05-01T12:00:00.1234Z"),
        ("2026-05-02T01:30:00.25+13:30", "2026-05-01T12:00:00.250Z"),
    ],
)
def test_schedules_are_kept_as_rfc_3339_utc(written, utc):
    cid, text, epoch, reason = RowValidator(NOW - 60).check("5", written)
    assert (cid, text, reason) == (5, utc, None) and epoch == parse_schedule(utc)
    assert customer_input.read_schedule(written)[1] == utc


def test_one_instant_written_two_ways_is_a_duplicate_and_goes_out_as_utc(tmp_path):
    path = write(tmp_path, "c.csv", "customer-id,schedule-date-time\n5,2026-05-01T14:00:00+02:00\n5,2026-05-01T12:00Z\n6,2026-05-01T12:00:00.5z\n")
    index, invalid, rows = run_scan(CustomerInput(path=path), now=NOW - 60)
    assert invalid == [] and index.duplicates == 1
    assert rows == [(5, "2026-05-01T12:00:00Z", 2), (6, "2026-05-01T12:00:00.500Z", 4)]
    assert index.texts == [None, "2026-05-01T12:00:00Z", "2026-05-01T12:00:00.500Z"]


# ------------------------------------------------------------------ ids that invalid rows still declare
def test_invalid_rows_still_declare_their_customers(tmp_path):
    path = write(
        tmp_path,
        "c.csv",
        "customer-id,schedule-date-time\n11,tomorrow\n 12 ,%s,extra\nx13,\n14,%s\n15,%s\n" % (iso(60), iso(60), iso(9 * 86400)),
    )
    items = [{"customer_id": 21, "schedule": "2026-05-01T12:00:00+99:99"}, {"customer_id": 22.0, "shedule": "x"}, {"customer_id": 2.5}, True, None]
    index, invalid, rows = run_scan(CustomerInput(items, path))
    assert [cid for cid, _t, _o in rows] == [14]
    assert index.declared_invalid == {11, 12, 15, 21, 22}
    assert index.invalid == 9 and len(invalid) == 9


def test_rows_refused_later_keep_their_ids_declared():
    when, other = iso(3600), iso(7200)
    validator = RowValidator(NOW)
    source = CustomerInput([{"customer_id": 1, "schedule": when}, {"customer_id": 1, "schedule": other}, {"customer_id": 2, "schedule": other}])
    index = scan(source, validator, lambda *args: None)
    customer_input.apply_window(index, validator, (None, NOW + 3600), lambda *args: None)
    assert index.requested == 1 and set(index.ids) | index.declared_invalid == {1, 2}


def test_a_deeply_nested_json_line_is_an_invalid_row_not_a_traceback(tmp_path):
    path = write(tmp_path, "c.jsonl", "[" * 100000 + "\n" + '{"customer-id": 3}\n')
    index, invalid, rows = run_scan(CustomerInput(path=path))
    assert [cid for cid, _t, _o in rows] == [3] and invalid[0][0] == "line 1"

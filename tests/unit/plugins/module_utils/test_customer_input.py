# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import time

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
    index = scan(source, validator, lambda origin, raw, reason: invalid.append((origin_text(origin), reason)))
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
        # A quoted field may span lines: the rest of the file goes through the csv module.
        ('1\n"2"\n"x\ny"\n4\n', [(1, 2), (2, 3), (4, 6)], ["line 5"]),
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

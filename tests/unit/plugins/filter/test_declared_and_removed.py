# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.filter.declared_and_removed import (
    FilterModule,
    declared_and_removed,
)

QUOTED_CSV = 'note,"customer-id","schedule-date-time"\n"Smith, Jane",1000663,\n"plain","1000662",\n"two\nlines, and a comma","1000664",\nunquoted,1000665,\n'


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "removed, customers, expected",
    [
        ([1000003], [1000002, {"customer_id": 1000003}], ["1000003"]),
        (["0042", " 7 "], [42, {"customer-id": "7"}], ["42", "7"]),
        # The input's order, each once.
        ([3, 1, 3, 2], [1, 2, 3], ["3", "1", "2"]),
        ([5], [1, 2], []),
        # A row the module refuses (unknown key) still declares its customer.
        ([9], [{"customer_id": 9, "colour": "red"}], ["9"]),
        # Unreadable removed ids are the module's to name.
        (["x", None, 1], [1], ["1"]),
        ([], [1], []),
    ],
)
def test_inline_customers(removed, customers, expected):
    assert declared_and_removed(removed, customers=customers) == {"customers": expected, "customers_file": [], "file_error": ""}


def test_quoted_csv_fields_read_as_the_module_reads_them(tmp_path):
    path = write(tmp_path, "quoted.csv", QUOTED_CSV)
    both = declared_and_removed([1000662, 1000663, 1000664, 1000665, 1000666], customers_file=path)
    assert both == {"customers": [], "customers_file": ["1000662", "1000663", "1000664", "1000665"], "file_error": ""}


def test_both_sources_are_reported_apart(tmp_path):
    path = write(tmp_path, "spring.jsonl", '{"customer-id": 11}\n{"customer_id": "12", "schedule": "x"}\n')
    both = declared_and_removed([10, 11, 12], customers=[10], customers_file=path)
    assert both == {"customers": ["10"], "customers_file": ["11", "12"], "file_error": ""}


def test_declared_format(tmp_path):
    path = write(tmp_path, "spring.txt", "customer-id\n21\n")
    assert declared_and_removed([21], customers_file=path, customers_file_format="csv")["customers_file"] == ["21"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "is empty"),
        ("id,name\n1,a\n", "the header has no customer-id column"),
    ],
)
def test_a_file_that_cannot_be_read_is_reported(tmp_path, text, message):
    path = write(tmp_path, "bad.csv", text)
    both = declared_and_removed([1], customers_file=path)
    assert both["customers_file"] == [] and message in both["file_error"] and path in both["file_error"]


def test_big_file(tmp_path):
    rows = ['"{0}","{1}"'.format(1000000 + number, "note, {0}".format(number)) for number in range(100000)]
    path = write(tmp_path, "big.csv", "customer-id,note\n" + "\n".join(rows) + "\n")
    both = declared_and_removed([1099999, 1000000, 2000000], customers_file=path)
    assert both["customers_file"] == ["1099999", "1000000"]


def test_not_a_list():
    with pytest.raises(AnsibleFilterError, match="expected a list of customer ids"):
        declared_and_removed("1000001")


def test_registered():
    assert FilterModule().filters()["declared_and_removed"] is declared_and_removed

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    REFUSED,
    all_added,
    classify_add,
    classify_delete,
    normal_id,
)

DUP = "Duplicate customer"


@pytest.mark.parametrize(
    "status, message, ambiguous, known, expected",
    [
        (200, None, False, None, "added"),
        (200, None, True, None, "added"),
        (400, DUP, False, None, "already_present"),
        (400, "Duplicated customer.", False, True, "already_present"),
        (400, DUP, False, False, "already_present"),
        (400, DUP, True, None, "unknown"),
        (400, DUP, True, True, "already_present"),
        (400, DUP, True, False, "added"),
        (404, "The customer-id has not been found.", False, None, "failed"),
        (400, "Invalid customer-id", False, None, "failed"),
        (400, "The subject schedule-date-time is in the past.", True, False, "failed"),
        (400, "The subject schedule-date-time must be within 7 days ahead of a future period.", False, None, "failed"),
        (None, None, False, None, "failed"),
    ],
)
def test_classify_add(status, message, ambiguous, known, expected):
    assert classify_add(status, message, ambiguous, known) == expected


@pytest.mark.parametrize(
    "status, message, ambiguous, known, expected",
    [
        (204, None, False, None, "removed"),
        (200, "Customer deleted.", False, None, "removed"),
        (404, "The customer has not been located.", False, None, "already_absent"),
        (404, "The customer has not been located.", True, None, "unknown"),
        (404, "The customer has not been located.", True, True, "removed"),
        (404, "The customer has not been located.", True, False, "already_absent"),
        (400, "The customer is not available for deletion.", False, True, "not_deletable"),
        (404, "The customer is not available for deletion: agent connected.", False, None, "not_deletable"),
        (400, "The campaign has stopped. No customers can be deleted.", False, None, REFUSED),
        (400, "This is not a dynamic campaign.", False, None, REFUSED),
        (404, "The campaign cannot be found.", False, None, REFUSED),
        (500, "Internal error", False, None, "failed"),
    ],
)
def test_classify_delete(status, message, ambiguous, known, expected):
    assert classify_delete(status, message, ambiguous, known) == expected


@pytest.mark.parametrize("raw, expected", [(1000001, "1000001"), ("1000001", "1000001"), ("007", "7"), (None, None), (True, None)])
def test_normal_id(raw, expected):
    assert normal_id(raw) == expected


@pytest.mark.parametrize(
    "items, texts, expected",
    [
        ([{"customer-id": 1, "http-status": 200}, {"customer-id": "2", "http-status": "201"}], ["1", "2"], True),
        ([{"customer-id": 1, "http-status": 200}], ["1", "2"], False),
        ([{"customer-id": 2, "http-status": 200}, {"customer-id": 1, "http-status": 200}], ["1", "2"], False),
        ([{"customer-id": 1, "http-status": 400, "message": "Duplicate customer"}], ["1"], False),
        ([{"customer-id": 1}], ["1"], False),
        ([{"customer-id": 1, "http-status": [200]}], ["1"], False),
        (["1"], ["1"], False),
        ({"message": "x"}, ["1"], False),
    ],
)
def test_all_added_only_for_one_200_per_customer_in_order(items, texts, expected):
    assert all_added(items, texts) is expected

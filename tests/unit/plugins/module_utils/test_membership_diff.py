# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""campaign_customer's diff: the campaign's customers before and after, the unchanged ids alike on both sides."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_report import Tally
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.membership_diff import MAX_DIFF_IDS, membership_diff


def tally(added=(), removed=(), rescheduled=(), suppressed=(), suppressed_removed=()):
    counted = Tally()
    for key, ids in (("added", added), ("removed", removed), ("rescheduled", rescheduled), ("suppressed", suppressed)):
        for cid in ids:
            counted.note(key, cid)
    for cid in suppressed_removed:
        counted.note("suppressed_removed", cid)
    return counted


def test_before_and_after_are_the_membership_in_order():
    diff = membership_diff(4501, tally(added=[1004], removed=[1002]), held={1003: 0, 1001: 0, 1002: 0})
    assert diff == {
        "before": "campaign 4501: 3 customers\n  1001\n  1002\n  1003\n",
        "after": "campaign 4501: 3 customers\n  1001\n  1003\n  1004\n",
    }


def test_a_long_membership_is_cut_with_n_more_and_the_changes_are_always_shown():
    held = dict.fromkeys(range(1, 1001), 0)
    diff = membership_diff(4501, tally(added=[5000], removed=[900], rescheduled=[950]), held=held)
    before, after = diff["before"].splitlines(), diff["after"].splitlines()
    assert before[0] == "campaign 4501: 1000 customers" and after[0] == "campaign 4501: 1000 customers"
    assert len(before) == len(after) == MAX_DIFF_IDS + 2
    assert before[-1] == "  ... {0} more".format(1000 - MAX_DIFF_IDS) == after[-1]
    assert "  900" in before and "  950" in before and "  5000" in after and "  950 (rescheduled)" in after
    # Only the changes differ: a unified diff of the two sides shows nothing else.
    changes = [line for line in difflib.ndiff(before, after) if line[:1] in "+-"]
    assert changes == ["-   900", "-   950", "+   950 (rescheduled)", "+   5000"]


def test_suppressed_customers_are_said_after_the_membership():
    diff = membership_diff(7, tally(suppressed=[12], suppressed_removed=[11]), held={11: 0, 10: 0})
    assert diff["before"] == "campaign 7: 2 customers\n  10\n  11\n"
    assert diff["after"] == "campaign 7: 1 customer\n  10\nsuppressed, not added: 1 customer\n  12\n"


@pytest.mark.parametrize(
    "counted, after",
    [
        (tally(), "campaign 7: customers not read (no data_token); this run: no change counted\n"),
        (
            tally(added=[3, 20, 1], removed=[5]),
            "campaign 7: customers not read (no data_token); this run: 3 added, 1 removed\n  added 1\n  added 3\n  added 20\n  removed 5\n",
        ),
    ],
)
def test_without_a_read_the_sides_say_what_the_run_did(counted, after):
    diff = membership_diff(7, counted, None, "no data_token")
    assert diff == {"before": "campaign 7: customers not read (no data_token)\n", "after": after}


def test_without_a_read_long_lists_are_cut_with_n_more():
    counted = tally(added=range(1, 2 * MAX_DIFF_IDS))
    counted.counts["added"] += 1000
    lines = membership_diff(7, counted, None, "no data_token")["after"].splitlines()
    assert lines[-1] == "  ... {0} more added".format(counted.counts["added"] - MAX_DIFF_IDS)
    assert len(lines) == MAX_DIFF_IDS + 2

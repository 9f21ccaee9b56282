# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Settle stage of a bulk run: outcomes the answers left open.

With data_token the campaign's records are read back once and each unknown
outcome is decided by one rule for adds and one for removals, against the
snapshot read before the first write. Without it they are counted
`uncertain`: never `failed` (they may have been applied), never dropped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ADDED,
    ALREADY_ABSENT,
    ALREADY_PRESENT,
    FAILED,
    REMOVED,
    RESCHEDULE,
    UNCERTAIN,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaign_records import (
    present_customers,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    DynamicCampaignsError,
)


def settled_add(result, present_now, present_before):
    if present_now:
        return result.settled(ALREADY_PRESENT if present_before else ADDED)
    return result.settled(FAILED, "not in the campaign when read back ({0})".format(result.message))


def settled_removal(result, present_now, present_before):
    if not present_now:
        return result.settled(REMOVED if present_before else ALREADY_ABSENT)
    return result.settled(FAILED, "still in the campaign when read back ({0})".format(result.message))


def settle(run, unknown, adds):
    """Count every unknown ItemResult; `adds` says which rule applies. Returns the read's error, if any."""
    if not unknown:
        return None
    snapshot = run.plan.snapshot if run.plan else None
    if snapshot is None:
        return settle_blind(run, unknown)
    run.progress.start_phase("verifying", len(unknown))
    wanted = set(result.customer_id for result in unknown)
    try:
        present = present_customers(run.client, run.campaign_id, wanted)
    except DynamicCampaignsError as exc:
        settle_blind(run, unknown, "the read back failed")
        return exc
    rule = settled_add if adds else settled_removal
    for result in unknown:
        # run.take: a reschedule's delete, once settled, goes on to its add.
        run.take(rule(result, result.customer_id in present, held_before(result, snapshot)))
    return None


def held_before(result, snapshot):
    """Whether the campaign held the customer before this request: a reschedule's add follows its delete."""
    return result.purpose != RESCHEDULE and result.customer_id in snapshot


def settle_blind(run, unknown, why="without data_token they cannot be read back"):
    for result in unknown:
        run.tally.take(result.settled(UNCERTAIN, reason=result.reason))
    run.warn(
        "Campaign {0}: the outcome of {1} customer(s) stayed unknown (lost answers); {2} and they are counted as uncertain.".format(
            run.campaign_id, len(unknown), why
        )
    )
    return None

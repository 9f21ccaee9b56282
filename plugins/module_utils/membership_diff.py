# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The diff of campaign_customer: the campaign's customers before the run and after it.

Both sides are text, so that `--diff` shows them line by line: a count, then ids in order, the same
unchanged ids on both sides, so that only the removed (before) and added (after) ones differ, cut to
MAX_DIFF_IDS lines with "... N more". Rescheduled customers are on both sides, marked after. Without
a read of the campaign the sides can only say what the run did.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import heapq

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ADDED,
    REMOVED,
    RESCHEDULED,
    SUPPRESSED,
    SUPPRESSED_REMOVED,
    UNCERTAIN,
)

# Ids named on each side of the diff (and kept by the tally for each outcome).
MAX_DIFF_IDS = 50


def membership_diff(campaign_id, tally, held=None, unread=None):
    """{"before": text, "after": text}. held: the ids the campaign held before the first write (the records
    read), or None when it was not read; unread: why not, for the text."""
    if held is None:
        return unread_diff(campaign_id, tally, unread)
    counts, named = tally.counts, tally.named
    removed = named[REMOVED] + named[SUPPRESSED_REMOVED]
    added, rescheduled = named[ADDED], named[RESCHEDULED]
    changed = frozenset(removed + added + rescheduled)
    room = max(MAX_DIFF_IDS - max(len(removed), len(added)) - len(rescheduled), 0)
    kept = [text for text in map(str, heapq.nsmallest(room + len(changed), held)) if text not in changed][:room]
    # A reschedule whose add was refused leaves its customer out.
    lost = max(tally.deleted_to_reschedule - counts[RESCHEDULED], 0)
    after_count = len(held) + counts[ADDED] - counts[REMOVED] - counts[SUPPRESSED_REMOVED] - lost
    after = side(campaign_id, after_count, kept + added, rescheduled, counts[UNCERTAIN]) + suppressed_text(tally)
    return {"before": side(campaign_id, len(held), kept + removed + rescheduled, [], 0), "after": after}


def side(campaign_id, total, ids, rescheduled, uncertain):
    """One side: 'campaign 4501: 3 customers', then the ids in order, one a line, then '... N more'."""
    marks = dict.fromkeys(rescheduled, " (rescheduled)")
    shown = sorted(set(ids).union(rescheduled), key=id_order)
    lines = ["campaign {0}: {1}{2}".format(campaign_id, customers(total), ", {0} uncertain".format(uncertain) if uncertain else "")]
    lines.extend("  " + text + marks.get(text, "") for text in shown)
    if total > len(shown):
        lines.append("  ... {0} more".format(total - len(shown)))
    return "\n".join(lines) + "\n"


def unread_diff(campaign_id, tally, unread):
    """Without a read of the campaign: what the run did (or would do), by outcome, ids in order."""
    counts, named = tally.counts, tally.named
    head = "campaign {0}: customers not read ({1})".format(campaign_id, unread or "no data_token")
    done = [(word, counts[key] + (counts[SUPPRESSED_REMOVED] if key == REMOVED else 0), named.get(key, [])) for word, key in WORDS]
    done = [(word, count, ids) for word, count, ids in done if count]
    lines = [head + "; this run: " + (", ".join("{0} {1}".format(count, word) for word, count, _ids in done) or "no change counted")]
    for word, count, ids in done:
        shown = sorted(ids + (named[SUPPRESSED_REMOVED] if word == "removed" else []), key=id_order)[:MAX_DIFF_IDS]
        lines.extend("  {0} {1}".format(word, text) for text in shown)
        if count > len(shown):
            lines.append("  ... {0} more {1}".format(count - len(shown), word))
    return {"before": head + "\n", "after": "\n".join(lines) + "\n" + suppressed_text(tally)}


WORDS = (("added", ADDED), ("removed", REMOVED), ("rescheduled", RESCHEDULED), ("uncertain", UNCERTAIN))


def suppressed_text(tally):
    """Declared customers left out as suppressed (do-not-call): never added, so in no count of the campaign."""
    count = tally.counts[SUPPRESSED]
    if not count:
        return ""
    shown = sorted(tally.named[SUPPRESSED], key=id_order)
    lines = ["suppressed, not added: {0}".format(customers(count))] + ["  " + text for text in shown]
    if count > len(shown):
        lines.append("  ... {0} more".format(count - len(shown)))
    return "\n".join(lines) + "\n"


def customers(count):
    return "{0} customer{1}".format(count, "" if count == 1 else "s")


def id_order(text):
    """Ids in number order (legacy ids are numbers), other ids (Campaigns API v1) after them in text order."""
    return (0, len(text), text) if text.isdigit() else (1, 0, text)

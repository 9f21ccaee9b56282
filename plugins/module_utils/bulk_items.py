# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-item results of a bulk run: the named record, outcomes, reason codes, classification.

Classification decides on HTTP statuses and uses the API's message only to
refine (wording differs between 8x8's sources). `ambiguous` says an earlier
attempt of the same request may have been applied (a lost answer, a reset, a
5xx, a 206). `known` is what the snapshot read before the first write says of
the customer: True (a record), False (no record) or None (no snapshot, i.e.
no data_token). UNKNOWN outcomes are settled later (bulk_settle).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

# Outcomes; every one but UNKNOWN and REFUSED is a summary key.
ADDED = "added"
ALREADY_PRESENT = "already_present"
REMOVED = "removed"
ALREADY_ABSENT = "already_absent"
NOT_DELETABLE = "not_deletable"
KEPT_NOT_DELETABLE = "kept_not_deletable"
UNCERTAIN = "uncertain"
FAILED = "failed"
INVALID = "invalid"
UNKNOWN = "unknown"
# A request-level refusal (campaign stopped, not dynamic...): stops the whole run.
REFUSED = "refused"
# Declared state (summary keys): a held customer deleted and added again with its declared schedule;
# a suppressed (do-not-call) record deleted; declared rows of suppressed customers, never sent; a
# declared schedule for a customer held already, left as it is (reschedule off).
RESCHEDULED = "rescheduled"
SUPPRESSED_REMOVED = "suppressed_removed"
SUPPRESSED = "suppressed"
SCHEDULE_NOT_APPLIED = "schedule_not_applied"

# Purposes: why a request was sent, when not for the row's own state (None). A reschedule is a delete
# (RESCHEDULE_DELETE) and, once the record is gone, an add with the declared schedule (RESCHEDULE).
SUPPRESS = "suppress"
RESCHEDULE_DELETE = "reschedule_delete"
RESCHEDULE = "reschedule"

# Reason codes: why an item ended where it did, for decisions (never the message text).
NO_ANSWER = "no_answer"
NOT_APPLIED = "not_applied"
RATE_LIMITED = "rate_limited"
NO_ITEM_RESULT = "no_item_result"
ALWAYS_206 = "always_206"
TOO_LARGE = "too_large"
ITEM_REFUSED = "item_refused"
REQUEST_REFUSED = "request_refused"
READ_BACK = "read_back"
STOPPED = "stopped"

ADDED_STATUSES = frozenset((200, 201, "200", "201"))
REMOVED_STATUSES = frozenset((200, 204))


class ItemResult(namedtuple("ItemResult", "outcome customer_id origin http_status message schedule reason purpose")):
    """One customer's result. origin: file line (> 0), list item (< 0) or None (exclusive or suppression removal).

    purpose: None, SUPPRESS (a do-not-call removal), RESCHEDULE_DELETE or RESCHEDULE (the halves of a reschedule)."""

    __slots__ = ()

    def settled(self, outcome, message=None, reason=READ_BACK):
        return self._replace(outcome=outcome, message=message if message is not None else self.message, reason=reason)


def item(outcome, cid, origin, http_status=None, message=None, schedule=None, reason=None, purpose=None):
    return ItemResult(outcome, cid, origin, http_status, message, schedule, reason, purpose)


def is_duplicate(message):
    return "duplicat" in (message or "").lower()


def not_deletable_reason(message):
    """The support articles' 'not available for deletion: <reason>' reason, '' without one, None otherwise."""
    text = (message or "").lower()
    if "not available for deletion" not in text:
        return None
    return text.partition("deletion")[2].strip(" :.")


def classify_add(http_status, message, ambiguous, known):
    """Outcome of one 207 item: added, already_present, unknown or failed."""
    if http_status in (200, 201):
        return ADDED
    if http_status in (400, 409) and is_duplicate(message):
        if not ambiguous or known is True:
            return ALREADY_PRESENT
        # Absent before the run and present now: an earlier attempt of ours added it.
        return ADDED if known is False else UNKNOWN
    if ambiguous and (http_status is None or http_status >= 500):
        return UNKNOWN
    return FAILED


def classify_delete(http_status, message, ambiguous, known):
    """Outcome of one DELETE answer; REFUSED for campaign-level refusals."""
    if http_status in REMOVED_STATUSES:
        return REMOVED
    reason = not_deletable_reason(message)
    if http_status in (400, 404) and reason is not None and "already deleted" not in reason:
        return NOT_DELETABLE
    if http_status == 404 and (reason is not None or "campaign" not in (message or "").lower()):
        return gone(ambiguous, known)
    if http_status in (400, 401, 403, 404):
        return REFUSED
    return UNKNOWN if ambiguous else FAILED


def gone(ambiguous, known):
    """A DELETE answered 'no such record'."""
    if not ambiguous or known is False:
        return ALREADY_ABSENT
    # Present before the run, gone now: an earlier attempt of ours removed it.
    return REMOVED if known is True else UNKNOWN


def all_added(items, texts):
    """The common 207: one 200 per customer sent, in the order sent (texts: the ids sent)."""
    if not isinstance(items, list) or len(items) != len(texts):
        return False
    try:
        if not all(entry["http-status"] in ADDED_STATUSES for entry in items):
            return False
        return [str(entry["customer-id"]) for entry in items] == texts
    except (TypeError, KeyError):
        return False


def item_status(raw):
    """The 207 item's http-status as an int (it may be a numeric string)."""
    if isinstance(raw, bool):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError, OverflowError):
        return None


def normal_id(raw):
    """The customer id of a 207 item as a digit string, whatever its JSON type."""
    if raw is None or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if text.isdigit() and text.isascii():
        return str(int(text))
    return text

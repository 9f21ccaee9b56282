# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reads of a campaign's records: the streamed records read, the snapshot, lookups, read-backs.

A read cut short (a body that does not close, fewer records than the campaign's own count) is an error
naming the campaign, never a short result: nothing is decided on it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    READ_ROOT,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.codes import (
    RECORD_STATUSES,
    UndocumentedAnswer,
    normalize_record,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_transport import (
    UNKNOWN_STATUS,
    IncompleteBody,
    parse_records,
    parse_records_and_schedules,
    record_objects,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    CampaignError,
    HttpError,
    NotFoundError,
    TransportError,
    UnexpectedAnswerError,
)


def records_read_path(campaign_id):
    return "{0}/{1}/records.json".format(READ_ROOT, int(campaign_id))


class CampaignRecords:
    """The records reads of CampaignService (which provides `client` and `get`)."""

    def records(self, campaign_id, statuses=(), limit=None, expected=None, keep=None, held=None):
        """(records, matched): the campaign's records in `statuses` (all when empty), normalised, at most `limit`
        of them, and how many matched. Streams the body: memory grows with `limit`, not the campaign.
        keep(record): only those records; held: a dict that gets every kept record by customer id, whatever its status.

        A body cut short, or fewer records than `expected` (the campaign's own count), is a CampaignError."""
        path = records_read_path(campaign_id)
        kept, matched, seen = [], 0, 0
        try:
            for raw in record_objects(self.client.stream_json_chunks(path)):
                seen += 1
                record = normalize_record(raw)
                if keep is not None and not keep(record):
                    continue
                if held is not None:
                    held[record["customer_id"]] = True
                if statuses and record["status"] not in statuses:
                    continue
                matched += 1
                if limit is None or len(kept) < limit:
                    kept.append(record)
        except (HttpError, TransportError, ValueError) as exc:
            raise records_failure(campaign_id, path, exc, self.client.url_of(path))
        self.confirm_count(campaign_id, seen, expected)
        return kept, matched

    def snapshot(self, campaign_id, expected=None, schedules_of=frozenset(), schedules=None):
        """{customer id (int): record status code (int)} of every record of the campaign.

        Two attempts on a lost connection or a body cut short. Raises CampaignError naming the campaign
        (its cause the TransportError, when the connection failed) when the campaign is not found, the body
        is cut short or the connection lost twice, a record's status code is not one of 0 to 4,
        or the read holds fewer records than `expected` (the campaign's records_count) and than a
        second read of that count. With `schedules` (a dict), also the schedule texts of the customers of
        `schedules_of` whose records show one (8x8's documented read does not)."""
        path = records_read_path(campaign_id)
        schedules = {} if schedules is None else schedules
        for attempt in (1, 2):
            schedules.clear()
            try:
                snapshot = dict(parse_records_and_schedules(self.client.stream_json_chunks(path), schedules_of, schedules))
                break
            except (TransportError, IncompleteBody) as exc:
                if attempt == 2:
                    raise records_failure(campaign_id, path, exc, self.client.url_of(path))
            except (HttpError, ValueError) as exc:
                raise records_failure(campaign_id, path, exc, self.client.url_of(path))
        undocumented = set(snapshot.values()).difference(RECORD_STATUSES)
        if undocumented:
            code = min(undocumented)
            cid = next(cid for cid, status in snapshot.items() if status == code)
            shown = "missing" if code == UNKNOWN_STATUS else code
            raise records_failure(
                campaign_id,
                path,
                UndocumentedAnswer("record {0} has status code {1}, which the API does not document (it uses 0 to 4)".format(cid, shown)),
                self.client.url_of(path),
            )
        self.confirm_count(campaign_id, len(snapshot), expected)
        return snapshot

    def confirm_count(self, campaign_id, seen, expected):
        """Fewer records than the campaign counts is a read cut short, unless a new read of the
        count (a live campaign changes) agrees."""
        if expected is None or seen >= expected:
            return
        count = self.get(campaign_id)["records_count"]
        if seen < count:
            raise CampaignError(
                campaign_id,
                "the records read was cut short: it holds {0} records where the campaign counts {1}; nothing was decided on it".format(seen, count),
            )

    def lookup(self, campaign_id, customer_ids, statuses=(), expected=None):
        """(records, missing ids): the records of exactly these customers (in `statuses` when given) and the ids
        the campaign does not hold. Streams the read; memory grows with the list, not the campaign."""
        wanted = set(str(int(cid)) for cid in customer_ids)
        found = {}
        kept, _matched = self.records(campaign_id, statuses, expected=expected, keep=lambda record: record["customer_id"] in wanted, held=found)
        return kept, sorted((cid for cid in wanted if cid not in found), key=int)


def present_customers(client, campaign_id, wanted):
    """The customers of `wanted` the campaign holds now: one complete read, memory bounded by `wanted`."""
    path = records_read_path(campaign_id)
    try:
        return set(cid for cid, _status in parse_records(client.stream_json_chunks(path)) if cid in wanted)
    except (TransportError, HttpError, ValueError) as exc:
        raise records_failure(campaign_id, path, exc, client.url_of(path))


def read_failure(exc):
    return "not found" if isinstance(exc, NotFoundError) else "could not be read"


def records_failure(campaign_id, path, exc, url=None):
    """The CampaignError of a records read that failed: not found, cut short, or not the API's answer."""
    if isinstance(exc, HttpError):
        return CampaignError(campaign_id, read_failure(exc), exc)
    if isinstance(exc, TransportError):
        # Before or while the body came (a connection closed mid-body): nothing whole was read.
        return CampaignError(campaign_id, "the records read got no whole answer; nothing was decided on it", exc)
    if isinstance(exc, IncompleteBody):
        return CampaignError(
            campaign_id, "the records read was cut short; nothing was decided on it", UnexpectedAnswerError("GET", path, 200, str(exc), url=url)
        )
    what = str(exc) if isinstance(exc, UndocumentedAnswer) else "invalid JSON ({0})".format(exc)
    return CampaignError(campaign_id, "its records could not be read", UnexpectedAnswerError("GET", path, 200, what, url=url))

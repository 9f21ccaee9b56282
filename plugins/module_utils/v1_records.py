# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records of the Campaigns API v1: the input rows as records, and what an all-or-nothing batch answer means.

A record is `crmRecordId` (1-32 characters), with optional `scheduleAt`, `priority` and `rank`. The API
takes 1-100 records a request and stores all or none: a record the campaign holds already rejects the
batch, naming one id; a field error rejects it too. `add_batch` gets every record of a batch to its own
outcome: the held one counted already present and the rest sent again, a field error isolated by
halving the batch until the record that carries it is alone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import math
import re
from decimal import Decimal
from itertools import chain

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    ID_COLUMNS,
    SCHEDULE_COLUMNS,
    IdRun,
    empty_file_text,
    file_format,
    guarded,
    header_columns,
    jsonl_objects,
    list_entries,
    next_header,
    open_text,
    origin_text,
    read_schedule,
    short,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import ADDED, ALREADY_PRESENT, FAILED, UNCERTAIN
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_send import RunStopped
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError, problem_of

MAX_BATCH = 100
# Characters of a one-column file read at a time. The second pass reads a block under the lock of the worker
# threads' feed, holding the GIL: a small block keeps that stall (and the API's idle time behind it) near 1 ms.
BLOCK_CHARS = 1 << 16
MAX_ID_LENGTH = 32
PRIORITIES = ("HIGH", "MEDIUM", "LOW")
KEYS = ID_COLUMNS + SCHEDULE_COLUMNS + ("priority", "rank")
# A crmRecordId as the fast path of record_of takes it: 1-32 characters, no space at either end.
ID_TEXT = re.compile(r"\S(?:.{0,%d}\S)?" % (MAX_ID_LENGTH - 2), re.DOTALL).fullmatch
# A space other than a line end: a block without one holds ids with no space at either end, checked in one scan.
INNER_SPACE = re.compile(r"[^\S\r\n]").search
HELD = re.compile(r"(?:already contains record for id|already (?:exists|present|holds)[^:]*):\s*(\S+?)[.,;]?$", re.IGNORECASE)
STOPPED_AFTER_LOST_ANSWER = "an attempt got no answer and the run then stopped: the record may have been added"
HELD_AFTER_LOST_ANSWER = (
    "the campaign holds it, but an earlier attempt of this request got no answer: that attempt may have added it (the Campaigns API v1 has no read to tell)"
)


def input_rows(customers=None, path=None, declared_format=None):
    """(origin, fields dict or None, error or None) of every row, streamed, and IdRuns of id texts (lines of a
    one-column file that are valid ids and nothing else); origins, framing and file errors as the legacy
    engine's (customer_input), the fields read as this API's records."""
    for origin, item, error in list_entries(customers):
        yield origin, None if error else item if isinstance(item, dict) else {"customer_id": item}, error
    if path:
        yield from guarded(path, (csv_rows if file_format(path, declared_format) == "csv" else jsonl_objects)(path))


def csv_rows(path):
    with open_text(path) as handle:
        reader = csv.reader(handle)
        header = next_header(reader)
        if header is None:
            raise ValidationError(empty_file_text(path, "a header line such as customer-id,priority and one customer a line"))
        header_columns(header, path)
        header = [name.strip().lower() for name in header]
        lines = reader.line_num
        if len(header) == 1:
            lines, handle = yield from id_lines(handle, header[0], lines)
        yield from reader_rows(csv.reader(handle), header, lines)


def id_lines(handle, column, lines):
    """Rows of a file whose header is one id column, a block of lines at a time without the csv module (the usual
    file, read twice a run): a block whose every line is a valid id as one IdRun of its id texts, checked in C;
    (lines read, the rest for the csv module) at the first block with a quote or a comma."""
    while True:
        block = handle.readlines(BLOCK_CHARS)
        if not block:
            return lines, ()
        text = "".join(block)
        if '"' in text or "," in text:
            return lines, chain(block, handle)
        ids = text.splitlines()
        # As many parts as lines: no line holds another character splitlines() breaks at.
        if len(ids) == len(block) and all_ids(text, ids):
            yield IdRun(lines + 1, ids)
        else:
            for number, line in enumerate(block, lines + 1):
                value = line.rstrip("\r\n")
                if value and not value.isspace():
                    yield number, {column: value}, None
        lines += len(block)


def all_ids(text, ids):
    """Whether every line of a block (text, its lines without line ends) is a valid id: a block with no space but line
    ends needs only its lengths checked; one with spaces each id on its own."""
    if INNER_SPACE(text) is None:
        return "" not in ids and max(map(len, ids), default=0) <= MAX_ID_LENGTH
    return all(map(ID_TEXT, ids))


def reader_rows(reader, header, offset):
    """Rows of a csv reader whose first line is file line offset + 1; a row's origin is its first line."""
    end = 0
    for row in reader:
        # line_num is the record's last line; a quoted value may have taken several.
        line, end = offset + end + 1, reader.line_num
        if any(field.strip() for field in row):
            if len(row) > len(header):
                yield line, None, "{0} fields where the header has {1}; quote values that hold a comma".format(len(row), len(header))
                continue
            yield line, dict((name, value) for name, value in zip(header, row) if value.strip()), None


def record_of(fields):
    """(record in the API's words, None) or (None, reason) for one row's fields."""
    if len(fields) == 1:
        # The usual row, an id alone, without the general checks (a million of them are read twice).
        ((key, raw),) = fields.items()
        if raw.__class__ is str and key in ID_COLUMNS and 0 < len(raw) <= MAX_ID_LENGTH and not raw[0].isspace() and not raw[-1].isspace():
            return {"crmRecordId": raw}, None
    names = dict((str(key).strip().lower(), key) for key in fields)
    unknown = sorted(set(names) - set(KEYS))
    if unknown:
        return None, "unknown key(s) {0}; use customer_id, schedule, priority and rank".format(", ".join(short(name, 30) for name in unknown))
    value = dict((name, fields[key]) for name, key in names.items())
    crm_id, reason = crm_record_id(next((value[name] for name in ID_COLUMNS if name in value), None))
    if reason:
        return None, reason
    record = {"crmRecordId": crm_id}
    for check in (schedule_at, priority_of, rank_of):
        reason = check(record, value)
        if reason:
            return None, "customer {0}: {1}".format(crm_id, reason)
    return record, None


def crm_record_id(raw):
    if raw is None or raw.__class__ is bool or isinstance(raw, (dict, list)):
        return None, "customer-id is missing" if raw is None else "customer-id {0!r} is not an id".format(raw)
    if isinstance(raw, (float, Decimal)):
        finite = raw.is_finite() if isinstance(raw, Decimal) else math.isfinite(raw)
        if not finite or raw != int(raw):
            return None, "customer-id {0} is a number with a fraction; write it as text".format(raw)
        raw = int(raw)
    text = str(raw).strip()
    if not text:
        return None, "customer-id is missing"
    if len(text) > MAX_ID_LENGTH:
        return None, "customer-id '{0}' has {1} characters; the crmRecordId takes at most {2}".format(short(text), len(text), MAX_ID_LENGTH)
    return text, None


def schedule_at(record, value):
    raw = next((value[name] for name in SCHEDULE_COLUMNS if name in value), None)
    if raw is None or not str(raw).strip():
        return None
    _epoch, utc, problem = read_schedule(str(raw).strip())
    if problem:
        return "schedule '{0}' is not ISO 8601 with a timezone: {1}".format(short(raw), problem)
    record["scheduleAt"] = utc
    return None


def priority_of(record, value):
    raw = value.get("priority")
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip().upper()
    if text not in PRIORITIES:
        return "priority '{0}' is not one of HIGH, MEDIUM, LOW".format(short(raw))
    record["priority"] = text
    return None


def rank_of(record, value):
    raw = value.get("rank")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        rank = float(raw) if raw.__class__ is not bool else None
    except (TypeError, ValueError):
        rank = None
    if rank is None or not math.isfinite(rank):
        return "rank '{0}' is not a number".format(short(raw))
    record["rank"] = int(rank) if rank == int(rank) else rank
    return None


def held_id(body):
    """The id a refusal says the campaign holds already ("Campaign already contains record for Id: CRM-12345"), or None."""
    detail = body.get("detail") if isinstance(body, dict) else body if isinstance(body, str) else None
    match = HELD.search((detail or "").strip())
    return match.group(1) if match else None


def refusal_text(body):
    problem = problem_of(body)
    return problem["summary"] if problem else short(body or "no reason given", 200)


def add_batch(post, batch, results=None):
    """[(item, outcome, http status, message)] for a batch of (origin, record) items, sent with post(records).

    post returns (http status, body, ambiguous): ambiguous when an earlier attempt of that request may have been
    applied (its answer lost). 200/201: all added. A refusal naming a held id: that one already present, the rest
    sent again; but a held id that was in an ambiguous request may be one that attempt added: uncertain (held now,
    added by this run or before it). Another refusal: halved until the record it concerns is alone (its own
    failure). No answer at all: post returns (None, (outcome, message), ambiguous) and every record of that
    request gets it. A refusal of the whole request (campaign state, not dynamic) is raised by `post` itself;
    `results` (appended to as outcomes are known) then holds what the batch settled before it.
    """
    results, pending, maybe_ours = [] if results is None else results, [list(batch)], set()
    while pending:
        items = pending.pop()
        if not items:
            continue
        try:
            status, body, ambiguous = post([record for _origin, record in items])
        except RunStopped as stop:
            stopped_unsettled(stop, items, [entry for part in pending for entry in part], maybe_ours, results)
            raise
        if ambiguous:
            maybe_ours.update(record["crmRecordId"] for _origin, record in items)
        if status in (200, 201):
            results.extend((entry, ADDED, status, None) for entry in items)
        elif status is None:
            results.extend((entry, body[0], None, body[1]) for entry in items)
        else:
            pending.extend(settle_refusal(items, status, body, results, maybe_ours))
    return results


def stopped_unsettled(stop, items, waiting, maybe_ours, results):
    """The run stopped at the request of `items` (`waiting`: the rest of the batch): their records are not sent, but
    those of a request an attempt of which may have been applied (this one when the stop says so) are uncertain."""
    if stop.ambiguous:
        maybe_ours.update(record["crmRecordId"] for _origin, record in items)
    results.extend((entry, UNCERTAIN, None, STOPPED_AFTER_LOST_ANSWER) for entry in items + waiting if entry[1]["crmRecordId"] in maybe_ours)


def settle_refusal(items, status, body, results, maybe_ours=frozenset()):
    """The parts of a refused request to send again; the outcomes it settled go to results."""
    held = held_id(body)
    rest = [entry for entry in items if entry[1]["crmRecordId"] != held]
    if held is not None and len(rest) < len(items):
        outcome, message = (UNCERTAIN, HELD_AFTER_LOST_ANSWER) if held in maybe_ours else (ALREADY_PRESENT, None)
        results.extend((entry, outcome, status, message) for entry in items if entry[1]["crmRecordId"] == held)
        return [rest]
    if len(items) == 1:
        results.append((items[0], FAILED, status, refusal_text(body)))
        return []
    half = len(items) // 2
    return [items[half:], items[:half]]


def confirmed(outcome, status):
    """Whether an outcome says the campaign holds the record: added, held, or held after a lost answer (uncertain
    with the refusal's status; an uncertain record without any answer is not known to be held)."""
    return outcome in (ADDED, ALREADY_PRESENT) or (outcome == UNCERTAIN and status is not None)


def origin_of(origin):
    return origin_text(origin) if origin else "a row"

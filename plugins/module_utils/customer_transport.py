# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The streaming read of a campaign's records (the pacing of bulk requests is rate_budget's and rate_pacing's)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

# Fast path: the stats API writes record-id before status; checked per chunk.
RECORD_PAIR = re.compile(rb'"record-id"\s*:\s*"?(\d+)"?[^{}]*?"status"\s*:\s*"?(\d+)"?')
RECORD_TOKEN = re.compile(rb'"(record-id|status)"\s*:\s*"?(\d*)"?|\}')
RECORD_KEY = b'"record-id"'
FLAT_OBJECT = re.compile(rb"\{[^{}]*\}")
UNKNOWN_STATUS = -1


class IncompleteBody(ValueError):
    """A records body that ends before its document closes: a read cut short, not a short campaign."""


class DocumentEnds:
    """Whether a streamed records.json body closes, checked on its head and tail only.

    Records are flat objects, so each one opens and closes once; what they leave is the head (the
    text before the first record, e.g. `{"records": {"record": [`) and the tail (after the last, e.g.
    `]}}`). The body is whole when the tail closes what the head opened. Costs a few bytes per block.
    """

    def __init__(self):
        self.head = None
        self.tail = b""
        self.size = 0

    def see(self, block):
        self.size += len(block)
        if self.head is None:
            first = block.find(b"}")
            self.head = block[: max(block.rfind(b"{", 0, first), 0)] if first >= 0 else block
        opened = block.rfind(b"{")
        if opened < 0:
            self.tail += block
            return
        closed = block.find(b"}", opened)
        self.tail = block[opened:] if closed < 0 else block[closed + 1 :]

    def check(self):
        if self.head is None:
            raise IncompleteBody("an empty body where a JSON document was expected")
        if not self.head.lstrip().startswith(b"{") and not (self.head.strip() == b"" and self.size):
            raise ValueError("the body is not one whole JSON object")
        depth = sum(self.head.count(c) + self.tail.count(c) for c in (b"{", b"[")) - sum(self.head.count(c) + self.tail.count(c) for c in (b"}", b"]"))
        if depth > 0 or self.tail.strip(b" \t\r\n]}"):
            raise IncompleteBody("the body ends before its JSON document closes, after {0} bytes".format(self.size))
        if depth < 0:
            raise ValueError("the body is not one whole JSON object")


def complete_blocks(chunks):
    """Cut a streamed records.json body into blocks that end with a whole record.

    Records are flat objects, so every '}' ends one; each chunk is cut at
    its last '}' and the rest carried over. Never builds the whole document.
    Raises IncompleteBody, after the last block, when the document does not close
    (`]}}`, or `}}` after a single record object): a body cut right after a record.
    """
    ends = DocumentEnds()
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(b"}") + 1
        carry = data[cut:]
        if cut:
            ends.see(data[:cut])
            yield data[:cut]
    if carry.strip():
        ends.see(carry)
        yield carry
    ends.check()


def parse_records(chunks):
    """Yield (customer id, record status code) from a records.json body; ids stay exact (Python int).

    Raises IncompleteBody when the body is cut short (see complete_blocks)."""
    for block in complete_blocks(chunks):
        yield from records_in(block)


# The schedule field is not in 8x8's documented records read; where a read carries it, it is kept.
RECORD_SCHEDULE = re.compile(rb'"record-id"\s*:\s*"?(\d+)"?[^{}]*?"schedule-date-time"\s*:\s*"([^"]*)"')


def parse_records_and_schedules(chunks, wanted, schedules):
    """parse_records, and schedules[cid] = the record's schedule text ('' when empty) for the customers of
    `wanted` whose records show the field; those whose records do not are left out."""
    for block in complete_blocks(chunks):
        if wanted:
            for cid, text in RECORD_SCHEDULE.findall(block):
                if int(cid) in wanted:
                    schedules[int(cid)] = text.decode("utf-8", "replace")
        yield from records_in(block)


def record_objects(chunks):
    """Yield every record of a records.json body as a dict, one at a time.

    Raises ValueError when a record is not valid JSON or the body is not one
    whole JSON object, IncompleteBody (a ValueError) when it is cut short.
    """
    for block in complete_blocks(chunks):
        for raw in FLAT_OBJECT.findall(block):
            if RECORD_KEY in raw:
                yield json.loads(raw)


def records_in(block):
    pairs = RECORD_PAIR.findall(block)
    if len(pairs) == block.count(RECORD_KEY):
        return [(int(cid), int(status)) for cid, status in pairs]
    return list(records_by_token(block))


def records_by_token(block):
    """Slow path for any key order or a missing status."""
    cid = status = None
    for name, value in RECORD_TOKEN.findall(block):
        if not name:
            if cid is not None:
                yield cid, UNKNOWN_STATUS if status is None else status
            cid = status = None
        elif name == b"record-id":
            cid = int(value) if value else None
        else:
            status = int(value) if value else None

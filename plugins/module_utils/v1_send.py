# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send stage of campaign_customer on the Campaigns API v1: the engine's worker pool and Sender, v1's batches.

Each work unit is one batch of (origin, record). The engine's Sender gives every request its turn in the
pacer, sends a 429 again in a later turn and stops the run when requests go unanswered; what a batch's
answers mean (all-or-nothing: a held id counted already present and the rest sent again, a field error
isolated by halving) is v1_records.add_batch. The ids the answers confirmed are committed to the ledger
before the batch is counted, so what an interrupted run reports as done is in the ledger.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_items import (
    ADDED,
    FAILED,
    UNCERTAIN,
    item,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_send import RunStopped, answer_text
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import CampaignError
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_records import add_batch, confirmed, held_id, refusal_text

CAMPAIGN_REFUSAL = re.compile(r"dynamic campaign|not (?:a )?dynamic|\b(?:CREATED|BUILDING|STARTING|COMPLETE|DELETED)\b", re.IGNORECASE)
MAYBE_ADDED = "; the records may have been added (the API keeps no trace a run could read): a re-run tells, since the API refuses a record it holds"


class V1AddSender:
    """POSTs batches of (origin, record) through the engine's Sender; their outcomes as ItemResults."""

    def __init__(self, run, sender):
        self.run = run
        self.sender = sender

    def send(self, batch):
        settled = []
        try:
            add_batch(self.post, batch, settled)
        except RunStopped:
            self.results(settled)
            raise
        return self.results(settled)

    def results(self, settled):
        """None: the outcomes of settled (item, outcome, status, message) are counted once the ledger has the ids they
        confirmed (added or held already), the added ones at once, the others as ItemResults."""
        added, others, held = [], [], []
        for entry, outcome, status, message in settled:
            cid = entry[1]["crmRecordId"]
            if outcome == ADDED:
                added.append(cid)
                continue
            others.append(item(outcome, cid, entry[0], status, message, entry[1].get("scheduleAt")))
            if confirmed(outcome, status):
                held.append(cid)
        if self.run.ledger is None:
            self.count(added, others)
        else:
            self.run.ledger.later(self.run.campaign_id, added + held, lambda: self.count(added, others))
        return []

    def count(self, added, others):
        with self.run.lock:
            if added:
                self.run.tally.add_added(added)
            for result in others:
                self.run.take(result)

    def post(self, records):
        """(status, body, ambiguous) of one add, or (None, (outcome, message), ambiguous) when it got no usable answer."""
        answer = self.sender.send_until_answered(self.run.service.post_records, self.run.campaign_id, records)
        response = answer.response
        if response is None:
            if answer.ambiguous:
                return None, (UNCERTAIN, answer_text(answer.reason) + MAYBE_ADDED), True
            return None, (FAILED, answer_text(answer.reason)), False
        body = response.body
        if response.status in (400, 409) and held_id(body) is None and CAMPAIGN_REFUSAL.search(refusal_text(body)):
            raise RunStopped(CampaignError(self.run.campaign_id, "the campaign refused records: {0}".format(refusal_text(body))), ambiguous=answer.ambiguous)
        return response.status, body, answer.ambiguous

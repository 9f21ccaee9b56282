# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Campaign semantics: reads, the state machine, status changes.

This is the service layer for campaigns; modules call it and never build
paths or interpret HTTP statuses themselves.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import deque

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    READ_ROOT,
    WRITE_ROOT,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaign_records import (
    CampaignRecords,
    read_failure,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.codes import (
    UndocumentedAnswer,
    normalize_campaign,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.http_answers import (
    Response,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    CampaignError,
    HttpError,
    TransportError,
    UnexpectedAnswerError,
    ValidationError,
)

# The 8x8 state machine. STOPPED is final; nothing goes back to NEW.
TRANSITIONS = {
    "new": ("running",),
    "running": ("paused", "stopped"),
    "paused": ("running", "purged", "stopped"),
    "purged": ("running", "stopped"),
    "stopped": (),
}
# Passing through RUNNING starts dialing, so it may only be a destination.
NEVER_INTERMEDIATE = frozenset(("running",))


def campaign_path(campaign_id):
    return "{0}/{1}".format(WRITE_ROOT, int(campaign_id))


def campaign_read_path(campaign_id):
    return "{0}/{1}.json".format(READ_ROOT, int(campaign_id))


def shortest_path(current, target):
    """Statuses from current to target (both included), or None."""
    paths = deque([[current]])
    seen = set([current])
    while paths:
        path = paths.popleft()
        if path[-1] == target:
            return path
        if len(path) > 1 and path[-1] in NEVER_INTERMEDIATE:
            continue
        for nxt in TRANSITIONS.get(path[-1], ()):
            if nxt not in seen:
                seen.add(nxt)
                paths.append(path + [nxt])
    return None


def reachable_statuses(current):
    """Every status a campaign can be moved to from `current`."""
    return [status for status in ("running", "paused", "purged", "stopped") if status != current and shortest_path(current, status)]


def plan_transitions(campaign_id, current, target):
    """The fewest legal steps from current to target, as (from, to) pairs.

    Raises CampaignError naming the campaign, both statuses and the
    statuses it can go to, when no legal path avoids dialing.
    """
    if current == target:
        return []
    path = shortest_path(current, target)
    if path is None:
        raise CampaignError(campaign_id, refusal_text(current, target))
    return list(zip(path[:-1], path[1:]))


def refusal_text(current, target):
    allowed = reachable_statuses(current)
    if current == "stopped":
        why = "stopped is final"
    elif current == "new":
        why = "a new campaign can only be started (running)"
    else:
        why = "the only way there passes through running, which would start dialing"
    return "cannot go from {0} to {1}: {2}. From {0} it can go to: {3}.".format(current, target, why, ", ".join(allowed) or "nothing")


class CampaignService(CampaignRecords):
    """Reads campaigns and moves them through the state machine."""

    def __init__(self, client):
        self.client = client
        # PATCH per the seed; switched to POST for the rest of the run on a 405.
        self.status_method = "PATCH"

    @property
    def can_read(self):
        return self.client.can_read

    def get(self, campaign_id):
        """The campaign as campaign_info returns it; a read that is not what the API documents
        (no campaign object, a status code outside 0 to 11) is a CampaignError naming what came back."""
        path = campaign_read_path(campaign_id)
        try:
            campaign = normalize_campaign(self.client.get_json(path))
        except (HttpError, TransportError) as exc:
            raise CampaignError(campaign_id, read_failure(exc), exc)
        except UndocumentedAnswer as exc:
            raise CampaignError(campaign_id, read_failure(None), UnexpectedAnswerError("GET", path, 200, str(exc), url=self.client.url_of(path)))
        if campaign.get("id") is None:
            campaign["id"] = int(campaign_id)
        return campaign

    def ensure_status(self, campaign_id, target, check_mode=False, warn=None, wait=False, wait_timeout=60, sleep=None, clock=None):
        """Bring the campaign to `target` with the fewest legal steps."""
        if not self.can_read:
            if wait:
                raise ValidationError("wait needs data_token to read the campaign's status (campaign {0}).".format(campaign_id))
            return self._blind_status_change(campaign_id, target, check_mode, warn)
        if not check_mode:
            self.client.require_token("action", "change a campaign's status")
        campaign = self.get(campaign_id)
        current = campaign["status"]
        outcome = status_outcome(campaign_id, current, target, plan_transitions(campaign_id, current, target))
        if not outcome["transitions"]:
            outcome["campaign"] = campaign
            return outcome
        refuse_unless_writable(campaign)
        if check_mode:
            outcome["campaign"] = campaign
            return outcome
        for step in outcome["transitions"]:
            self._apply_step(campaign_id, step["from"], step["to"])
        if wait:
            self.wait_for_status(campaign_id, target, wait_timeout, sleep, clock)
        outcome["campaign"] = self.get(campaign_id)
        return outcome

    def wait_for_status(self, campaign_id, target, timeout, sleep=None, clock=None):
        """Poll the read API until the campaign reports `target`."""
        sleep = sleep or self.client.sleep
        clock = clock or self.client.clock
        deadline = clock() + timeout
        while True:
            status = self.get(campaign_id)["status"]
            if status == target:
                return
            if clock() >= deadline:
                raise CampaignError(campaign_id, "did not report {0} within {1} seconds; it reports {2}".format(target, timeout, status))
            sleep(min(2.0, max(deadline - clock(), 0.1)))

    def _blind_status_change(self, campaign_id, target, check_mode, warn):
        """Without data_token: one change, reported as the API answers it."""
        if warn:
            warn(
                "Campaign {0}: no data_token, so the current status cannot be read; the change is sent as is and the module cannot be idempotent.".format(
                    campaign_id
                )
            )
        outcome = status_outcome(campaign_id, None, target, [(None, target)])
        outcome["campaign"] = None
        if check_mode:
            return outcome
        self.client.require_token("action", "change a campaign's status")
        try:
            response = self._send_status(campaign_id, target)
        except ApiError as exc:
            raise CampaignError(campaign_id, blind_refusal_text(target, exc), exc)
        except TransportError as exc:
            if not exc.sent:
                raise CampaignError(campaign_id, "the change to {0} was not sent: the connection was never made".format(target), exc)
            response = exc
        if not isinstance(response, Response) or response.status == 206:
            if warn:
                warn(
                    "Campaign {0}: the API did not confirm the change to {1} (outcome unknown); set data_token to let the module verify it.".format(
                        campaign_id, target
                    )
                )
        return outcome

    def _apply_step(self, campaign_id, current, target):
        """One transition; unknown outcomes (206, lost answer) are read back.

        A send the read shows was not applied (the connection was reset first) is sent again, up to
        max_retries sends in all: the read makes it safe, so resets cost a read each, not the task.
        """
        sends = 0
        while True:
            sends += 1
            try:
                response = self._send_status(campaign_id, target)
            except TransportError:
                response = None
            except ApiError as exc:
                if self.get(campaign_id)["status"] == target:
                    return
                raise CampaignError(campaign_id, "the change from {0} to {1} {2}".format(current, target, refused_or_not_answered(exc)), exc)
            if response is not None and response.status != 206:
                return
            status = self.get(campaign_id)["status"]
            if status == target:
                return
            if status != current or sends >= max(2, self.client.max_retries):
                break
        raise CampaignError(
            campaign_id, "the change from {0} to {1} could not be confirmed; it reports {2}".format(current, target, self.get(campaign_id)["status"])
        )

    def _send_status(self, campaign_id, target):
        """PATCH as the seed says; on 405 switch to POST (8x8's docs) for good."""
        body = {"status": target.upper()}
        while True:
            response = self.client.request(self.status_method, campaign_path(campaign_id), "action", body=body, retry=self.client.write_policy(), accept=(405,))
            if response.status != 405 or self.status_method == "POST":
                break
            self.status_method = "POST"
        if response.status == 405:
            path = campaign_path(campaign_id)
            raise ApiError("POST", path, 405, response.message, url=self.client.url_of(path))
        return response


def status_outcome(campaign_id, current, target, steps):
    return {
        "changed": bool(steps),
        "campaign_id": int(campaign_id),
        "status": target,
        "previous_status": current,
        "transitions": [{"from": frm, "to": to} for frm, to in steps],
    }


def refuse_unless_writable(campaign):
    """The API refuses every change on these; say which before writing."""
    if campaign.get("dynamic") is False:
        raise CampaignError(campaign["id"], "is not a dynamic campaign; the API refuses every change to it.")
    if campaign.get("enabled") is False:
        raise CampaignError(campaign["id"], "is not enabled; the API refuses every change to it.")


def refused_or_not_answered(exc):
    """A refusal is the API's; an answer it never gives (a proxy's page) refused nothing."""
    if isinstance(exc, UnexpectedAnswerError):
        return "got no answer from the API"
    return "was refused"


def blind_refusal_text(target, exc):
    text = "the change to {0} {1}".format(target, refused_or_not_answered(exc))
    if exc.api_message and "transition" in exc.api_message.lower():
        text += (
            ". Without data_token the module cannot read the current status: the campaign may already be"
            " {0}, or {0} cannot be reached from its status in one step (see the state machine)."
            " Set data_token to make the module idempotent and plan multi-step changes.".format(target)
        )
    return text

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Campaign status on the Contact Center Campaigns API v1: the state machine as data, a pure planner.

The API has no read endpoint. What a campaign's state is comes only from the answers to PATCH
actions: a 200 answers the campaign (with its `state`), a 409 (or 400) refuses an action that is not
valid from the current state and may name that state. The planner picks the next action from what
the answers so far showed, and never an action that starts dialing (START, RESUME, RETRY) unless
the target is running.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import RetryPolicy, TRANSIENT_STATUSES
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    CampaignError,
    HttpError,
    NotFoundError,
    ValidationError,
)

STATES = ("CREATED", "BUILDING", "READY", "PENDING", "STARTING", "RUNNING", "PAUSED", "COMPLETE", "BUILD_ERROR", "RUN_ERROR", "DELETED")
TRANSIENT = frozenset(("BUILDING", "STARTING"))
FINAL = frozenset(("COMPLETE", "DELETED"))
# action: the states it is valid from (8x8's state machine)
VALID_FROM = {
    "BUILD": ("CREATED", "READY", "BUILD_ERROR"),
    "RESET": ("READY", "BUILD_ERROR"),
    "START": ("READY",),
    "PAUSE": ("RUNNING",),
    "RESUME": ("PAUSED",),
    "RETRY": ("RUN_ERROR",),
    "CANCEL": ("PENDING", "RUNNING", "PAUSED", "RUN_ERROR", "READY"),
    "PURGE": ("PAUSED", "RUN_ERROR", "COMPLETE"),
}
# target: the states that are it (a transient one is on its way there by itself)
REACHED = {
    "ready": ("READY", "BUILDING"),
    "running": ("RUNNING", "STARTING", "PENDING"),
    "paused": ("PAUSED",),
    "purged": (),
    "stopped": ("COMPLETE",),
}
# target: state -> the action that moves it on, none of which dials unless the target is running
ROUTES = {
    "ready": {"CREATED": "BUILD", "READY": "BUILD", "BUILD_ERROR": "BUILD"},
    "running": {"READY": "START", "PAUSED": "RESUME", "RUN_ERROR": "RETRY", "BUILD_ERROR": "BUILD"},
    "paused": {"RUNNING": "PAUSE"},
    "purged": {"RUNNING": "PAUSE", "PAUSED": "PURGE"},
    "stopped": {"PENDING": "CANCEL", "RUNNING": "CANCEL", "PAUSED": "CANCEL", "RUN_ERROR": "CANCEL", "READY": "CANCEL"},
}
# target: the actions tried, in order, while the state is unknown; each is valid only from states it may be sent from
PROBES = {
    "ready": ("BUILD",),
    "running": ("START", "RESUME", "RETRY"),
    "paused": ("PAUSE",),
    "purged": ("PAUSE", "PURGE"),
    "stopped": ("CANCEL",),
}
DIALING = frozenset(("START", "RESUME", "RETRY"))
# action: the settled state its answer shows (transient states passed); PURGE keeps the state it was sent from
LEADS_TO = {"BUILD": "READY", "RESET": "CREATED", "START": "RUNNING", "PAUSE": "PAUSED", "RESUME": "RUNNING", "RETRY": "RUNNING", "CANCEL": "COMPLETE"}
NAMED_STATE = re.compile(r"\bstate\W+({0})\b".format("|".join(STATES)), re.IGNORECASE)
ANY_STATE = re.compile(r"\b({0})\b".format("|".join(STATES)))
MAX_STEPS = 8
TRANSIENT_WAITS = (1.0, 2.0, 4.0, 8.0)


def campaign_path(campaign_id):
    return "/{0}".format(campaign_id)


def state_in(text):
    """The state a refusal names ("START is not allowed in state RUNNING"), or None when it names none or several."""
    text = text or ""
    match = NAMED_STATE.search(text)
    if match:
        return match.group(1).upper()
    named = set(ANY_STATE.findall(text))
    return named.pop() if len(named) == 1 else None


def routes(target, build_on_start):
    table = dict(ROUTES[target])
    if target == "running" and build_on_start:
        table["CREATED"] = "START"
    return table


def next_step(target, known, build_on_start=False):
    """What to do next, from what the answers so far showed: a pure decision.

    `known` holds `state` (or None), `refused` (actions refused from a state no answer named) and
    `purged` (a PURGE was answered). Returns (kind, value): ("send", action), ("done", state),
    ("wait", state), ("fail", why) or ("unknown", why).
    """
    state = known.get("state")
    if known.get("disabled"):
        return "fail", "the campaign is disabled, and a disabled campaign accepts only BUILD and RESET: set enabled: true to reach {0}.".format(target)
    if known.get("build_failed"):
        return "fail", "BUILD ended in BUILD_ERROR: check the campaign's configuration in Configuration Manager, then build again."
    if state is None:
        return probe(target, known["refused"])
    if target == "purged" and known.get("purged"):
        return "done", state
    if state in REACHED[target]:
        return "done", state
    action = routes(target, build_on_start).get(state)
    if action is not None:
        return "send", action
    if state in TRANSIENT:
        return "wait", state
    return "fail", unreachable(target, state, build_on_start)


def probe(target, refused):
    for action in PROBES[target]:
        if action not in refused:
            return "send", action
    return "unknown", "the API refused {0} without naming the campaign's state".format(", ".join(PROBES[target]))


def unreachable(target, state, build_on_start):
    if state in FINAL:
        why = "{0} is final".format(state)
    elif target == "running" and state == "CREATED":
        why = "it is not built yet: set status ready first, or build_on_start: true"
    elif target in ("paused", "purged"):
        why = "only a running campaign can be paused, and getting there would start dialing"
    elif target == "ready":
        why = "a campaign that was started cannot be built again"
    else:
        why = "no action of the API leads there from {0}".format(state)
    return "cannot reach {0} from state {1}: {2}.".format(target, state, why)


def action_body(action, enabled, build_on_start):
    body = {"action": action}
    if enabled is not None:
        body["enabled"] = enabled
    if action == "START" and build_on_start:
        body["buildOnStart"] = True
    return body


def check_declaration(status, enabled):
    """Refuse before any call what the API would refuse whatever the state."""
    if enabled is False and status != "ready":
        raise ValidationError("enabled: false allows only status ready: a disabled campaign accepts only BUILD and RESET, not {0}.".format(status))


def learn(known, action, status, body):
    """What one answer to `action` shows: a 200 answers the campaign, a refusal may name its state."""
    if status < 300:
        known["state"] = body.get("state") if isinstance(body, dict) else None
        known["campaign"] = body if isinstance(body, dict) else None
        # PURGED is how displayStatus shows a purged PAUSED campaign: an answer showing it needs no other purge.
        known["purged"] = known.get("purged") or action == "PURGE" or (known["campaign"] or {}).get("displayStatus") == "PURGED"
        known["applied"] = True
        known["build_failed"] = action == "BUILD" and known["state"] == "BUILD_ERROR"
        return
    detail = body.get("detail") if isinstance(body, dict) else body
    if re.search(r"\bdisabled\b", detail or "", re.IGNORECASE):
        known["disabled"] = True
    named = state_in(detail)
    known["state"] = named
    if named is None:
        known["refused"].add(action)


def refusal(status, body):
    """409, and 400 that refuses an action (the description lists 400 where the prose says 409)."""
    if status == 409:
        return True
    detail = body.get("detail") if isinstance(body, dict) else ""
    return status == 400 and bool(re.search(r"not (allowed|valid)|illegal|transition|state", detail or "", re.IGNORECASE))


class CampaignsV1Service:
    """Status actions of one campaign on the Campaigns API v1."""

    def __init__(self, client, sleep=None):
        self.client = client
        self.sleep = sleep or client.sleep

    def policy(self):
        """A repeated action is told apart by its answer (a 409 naming the state), so 500 and lost answers are retried."""
        return RetryPolicy(self.client.max_retries, self.client.retry_max_time, statuses=TRANSIENT_STATUSES | frozenset((500,)), connection_errors=True)

    def ensure_status(self, campaign_id, status, enabled=None, build_on_start=False, check_mode=False, warn=None, last_seen=None):
        """last_seen: in check mode, the ledger's {state, seen} of the campaign (or None), to plan from."""
        check_declaration(status, enabled)
        if check_mode and last_seen and last_seen.get("state"):
            return planned_from(campaign_id, status, enabled, build_on_start, last_seen, warn)
        if check_mode:
            return would_send(campaign_id, status, enabled, build_on_start, warn)
        known = {"state": None, "refused": set(), "campaign": None, "applied": False, "retried": False}
        actions = []
        waits = list(TRANSIENT_WAITS)
        for _step in range(MAX_STEPS + len(waits)):
            kind, value = next_step(status, known, build_on_start)
            if kind == "send":
                actions.append(self.act(campaign_id, value, action_body(value, enabled, build_on_start), known))
            elif kind == "wait" and waits:
                self.sleep(waits.pop(0))
                known["state"] = None
                known["refused"] = set()
            else:
                return settle(campaign_id, status, kind, value, known, actions, warn)
        return settle(campaign_id, status, "unknown", "no settled state after {0} actions".format(MAX_STEPS), known, actions, warn)

    def act(self, campaign_id, action, body, known):
        path = campaign_path(campaign_id)

        def retried(_outcome):
            known["retried"] = True

        try:
            response = self.client.request("PATCH", path, "action", body=body, retry=self.policy(), accept=(400, 409), on_retry=retried)
        except NotFoundError as exc:
            raise CampaignError(campaign_id, "not found: check campaign_id, tenant and site", exc)
        except HttpError as exc:
            raise CampaignError(campaign_id, "{0} failed".format(action), exc)
        if response.status in (400, 409) and not refusal(response.status, response.body):
            raise CampaignError(
                campaign_id, "{0} was refused: {1}".format(action, (response.body or {}).get("detail") if isinstance(response.body, dict) else response.body)
            )
        learn(known, action, response.status, response.body)
        return {"action": action, "http_status": response.status, "state": known["state"]}


def settle(campaign_id, target, kind, value, known, actions, warn):
    """The result of a run: changed and status from what the API answered, never guessed."""
    if kind == "fail":
        raise CampaignError(campaign_id, value)
    state = value if kind in ("done", "wait") else None
    result = {
        "changed": known["applied"],
        "campaign_id": campaign_id,
        "status": state.lower() if state else None,
        "state": state,
        "state_known": state is not None,
        "actions": actions,
        "campaign": known.get("campaign"),
    }
    if state is None:
        say(
            warn,
            "Campaign {0}: its state is unknown: {1}; the Campaigns API v1 has no read endpoint, so the module cannot tell whether it is {2}.".format(
                campaign_id, value, target
            ),
        )
    elif state in TRANSIENT:
        say(
            warn,
            "Campaign {0} is {1}, a transient state: it moves on by itself ({2}).".format(
                campaign_id, state, "to READY or BUILD_ERROR" if state == "BUILDING" else "to RUNNING or BUILD_ERROR"
            ),
        )
    if known["retried"] and not known["applied"] and actions:
        result["changed"] = True
        say(
            warn,
            "Campaign {0}: an action was sent again after its answer was lost; whether this run or an earlier one changed the campaign is unknown.".format(
                campaign_id
            ),
        )
    return result


def would_send(campaign_id, status, enabled, build_on_start, warn):
    """Check mode: no call at all, since there is no read; the actions tried while the state is unknown."""
    actions = [{"action": action, "body": action_body(action, enabled, build_on_start)} for action in PROBES[status]]
    say(
        warn,
        "Campaign {0}: check mode cannot know the state, since the Campaigns API v1 has no read endpoint; a real run would"
        " try {1} and plan from the answers.".format(campaign_id, ", ".join(action["action"] for action in actions)),
    )
    return {"changed": True, "campaign_id": campaign_id, "status": None, "state": None, "state_known": False, "actions": actions, "campaign": None}


def plan(target, state, build_on_start=False):
    """(kind, value, actions) of a run from `state` if every answer showed what the action leads to: a pure decision."""
    known = {"state": state, "refused": set(), "purged": False}
    actions = []
    for _step in range(MAX_STEPS):
        kind, value = next_step(target, known, build_on_start)
        if kind != "send":
            return kind, value, actions
        actions.append(value)
        known["purged"] = known["purged"] or value == "PURGE"
        known["state"] = LEADS_TO.get(value, known["state"])
    return "unknown", "no settled state after {0} actions".format(MAX_STEPS), actions


def planned_from(campaign_id, status, enabled, build_on_start, last_seen, warn):
    """Check mode with a ledger: the actions a run would send if the campaign is still in the state the ledger last saw."""
    basis = "the state the ledger last saw, {0} at {1}".format(last_seen["state"], last_seen.get("seen") or "an unknown time")
    kind, value, actions = plan(status, last_seen["state"], build_on_start)
    if kind == "fail":
        raise CampaignError(campaign_id, "check mode, from {0}: {1}".format(basis, value))
    state = value if kind in ("done", "wait") else None
    say(
        warn,
        "Campaign {0}: check mode planned from {1}; the Campaigns API v1 has no read, so the campaign may have moved since.".format(campaign_id, basis),
    )
    return {
        "changed": bool(actions),
        "campaign_id": campaign_id,
        "status": state.lower() if state else None,
        "state": state,
        "state_known": False,
        "planned_from": {"source": "ledger", "state": last_seen["state"], "seen": last_seen.get("seen")},
        "actions": [{"action": action, "body": action_body(action, enabled, build_on_start)} for action in actions],
        "campaign": None,
    }


def say(warn, text):
    if warn is not None:
        warn(text)

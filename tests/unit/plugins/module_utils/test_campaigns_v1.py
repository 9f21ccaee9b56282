# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""campaign_status on the Campaigns API v1: the planner (table-driven) and the service against a fake campaign."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from unittest.mock import Mock

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns_v1 import (
    DIALING,
    PROBES,
    ROUTES,
    CampaignsV1Service,
    next_step,
    state_in,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    CampaignError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.http_answers import Response
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import last_state, remember_state

CID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def knowing(state=None, refused=(), purged=False):
    return {"state": state, "refused": set(refused), "purged": purged}


@pytest.mark.parametrize(
    "target, known, build_on_start, step",
    [
        # nothing known yet: the first probe
        ("ready", knowing(), False, ("send", "BUILD")),
        ("running", knowing(), False, ("send", "START")),
        ("running", knowing(refused=["START"]), False, ("send", "RESUME")),
        ("running", knowing(refused=["START", "RESUME"]), False, ("send", "RETRY")),
        (
            "running",
            knowing(refused=["START", "RESUME", "RETRY"]),
            False,
            ("unknown", "the API refused START, RESUME, RETRY without naming the campaign's state"),
        ),
        ("paused", knowing(), False, ("send", "PAUSE")),
        ("purged", knowing(), False, ("send", "PAUSE")),
        ("purged", knowing(refused=["PAUSE"]), False, ("send", "PURGE")),
        ("stopped", knowing(), False, ("send", "CANCEL")),
        # a known state
        ("running", knowing("RUNNING"), False, ("done", "RUNNING")),
        ("running", knowing("PENDING"), False, ("done", "PENDING")),
        ("running", knowing("STARTING"), False, ("done", "STARTING")),
        ("running", knowing("PAUSED"), False, ("send", "RESUME")),
        ("running", knowing("RUN_ERROR"), False, ("send", "RETRY")),
        ("running", knowing("BUILD_ERROR"), False, ("send", "BUILD")),
        ("running", knowing("BUILDING"), False, ("wait", "BUILDING")),
        ("running", knowing("CREATED"), True, ("send", "START")),
        (
            "running",
            knowing("CREATED"),
            False,
            ("fail", "cannot reach running from state CREATED: it is not built yet: set status ready first, or build_on_start: true."),
        ),
        ("running", knowing("COMPLETE"), False, ("fail", "cannot reach running from state COMPLETE: COMPLETE is final.")),
        ("paused", knowing("PAUSED"), False, ("done", "PAUSED")),
        (
            "paused",
            knowing("READY"),
            False,
            ("fail", "cannot reach paused from state READY: only a running campaign can be paused, and getting there would start dialing."),
        ),
        ("paused", knowing("STARTING"), False, ("wait", "STARTING")),
        ("paused", knowing("DELETED"), False, ("fail", "cannot reach paused from state DELETED: DELETED is final.")),
        ("purged", knowing("RUNNING"), False, ("send", "PAUSE")),
        ("purged", knowing("PAUSED"), False, ("send", "PURGE")),
        ("purged", knowing("PAUSED", purged=True), False, ("done", "PAUSED")),
        ("purged", knowing("COMPLETE"), False, ("fail", "cannot reach purged from state COMPLETE: COMPLETE is final.")),
        ("stopped", knowing("COMPLETE"), False, ("done", "COMPLETE")),
        ("stopped", knowing("READY"), False, ("send", "CANCEL")),
        ("stopped", knowing("CREATED"), False, ("fail", "cannot reach stopped from state CREATED: no action of the API leads there from CREATED.")),
        ("ready", knowing("READY"), False, ("done", "READY")),
        ("ready", knowing("BUILDING"), False, ("done", "BUILDING")),
        ("ready", knowing("BUILD_ERROR"), False, ("send", "BUILD")),
        ("ready", knowing("RUNNING"), False, ("fail", "cannot reach ready from state RUNNING: a campaign that was started cannot be built again.")),
    ],
)
def test_next_step(target, known, build_on_start, step):
    assert next_step(target, known, build_on_start) == step


@pytest.mark.parametrize("target", ["ready", "paused", "purged", "stopped"])
def test_no_plan_but_running_ever_holds_an_action_that_dials(target):
    actions = set(PROBES[target]) | set(ROUTES[target].values())
    assert not actions & DIALING


@pytest.mark.parametrize(
    "detail, state",
    [
        ("START is not allowed in state RUNNING", "RUNNING"),
        ("Action PAUSE invalid for current state: paused", "PAUSED"),
        ("Campaign is BUILD_ERROR", "BUILD_ERROR"),
        ("Illegal state transition", None),
        ("cannot move from RUNNING to PAUSED", None),
        (None, None),
    ],
)
def test_state_in_a_refusal(detail, state):
    assert state_in(detail) == state


# The campaign as 8x8's state machine moves it (written out here, not taken from the module).
MOVES = {
    ("BUILD", "CREATED"): "READY",
    ("BUILD", "READY"): "READY",
    ("BUILD", "BUILD_ERROR"): "READY",
    ("START", "READY"): "RUNNING",
    ("PAUSE", "RUNNING"): "PAUSED",
    ("RESUME", "PAUSED"): "RUNNING",
    ("RETRY", "RUN_ERROR"): "RUNNING",
    ("PURGE", "PAUSED"): "PAUSED",
    ("PURGE", "RUN_ERROR"): "RUN_ERROR",
    ("PURGE", "COMPLETE"): "COMPLETE",
}
for _state in ("PENDING", "RUNNING", "PAUSED", "RUN_ERROR", "READY"):
    MOVES[("CANCEL", _state)] = "COMPLETE"


class FakeCampaign:
    """A strict stand-in for the client: PATCH /{id} only, answers as the API does."""

    def __init__(self, state, names_state=True, refusal_status=409):
        self.state = state
        self.names_state = names_state
        self.refusal_status = refusal_status
        self.sent = []
        self.client = Mock(spec=Client)
        self.client.max_retries = 3
        self.client.retry_max_time = 10.0
        self.client.sleep = Mock()
        self.client.request.side_effect = self.request

    def request(self, method, path, token, body=None, retry=None, accept=(), on_retry=None):
        assert (method, path, token) == ("PATCH", "/" + CID, "action") and 409 in accept
        self.sent.append(body)
        action = body["action"]
        if action == "START" and body.get("buildOnStart") and self.state == "CREATED":
            self.state = "READY"
        after = MOVES.get((action, self.state))
        if after is None:
            detail = "{0} is not allowed in state {1}".format(action, self.state) if self.names_state else "Action not allowed"
            return Response(self.refusal_status, {"title": "Conflict", "status": self.refusal_status, "detail": detail})
        self.state = after
        return Response(200, {"id": CID, "state": after, "displayStatus": "PURGED" if action == "PURGE" else after})

    def actions(self):
        return [body["action"] for body in self.sent]


@pytest.mark.parametrize(
    "state, target, sent, changed, status",
    [
        ("READY", "running", ["START"], True, "running"),
        ("PAUSED", "running", ["START", "RESUME"], True, "running"),
        ("RUN_ERROR", "running", ["START", "RETRY"], True, "running"),
        ("RUNNING", "running", ["START"], False, "running"),
        ("BUILD_ERROR", "running", ["START", "BUILD", "START"], True, "running"),
        ("RUNNING", "paused", ["PAUSE"], True, "paused"),
        ("PAUSED", "paused", ["PAUSE"], False, "paused"),
        ("RUNNING", "purged", ["PAUSE", "PURGE"], True, "paused"),
        ("PAUSED", "purged", ["PAUSE", "PURGE"], True, "paused"),
        ("RUNNING", "stopped", ["CANCEL"], True, "complete"),
        ("COMPLETE", "stopped", ["CANCEL"], False, "complete"),
        ("CREATED", "ready", ["BUILD"], True, "ready"),
        ("READY", "ready", ["BUILD"], True, "ready"),
    ],
)
def test_status_from_the_answers(state, target, sent, changed, status):
    fake = FakeCampaign(state)
    warn = Mock()
    result = CampaignsV1Service(fake.client).ensure_status(CID, target, warn=warn)
    assert fake.actions() == sent
    assert (result["changed"], result["status"], result["state_known"]) == (changed, status, True)
    assert [action["action"] for action in result["actions"]] == sent
    warn.assert_not_called()


@pytest.mark.parametrize("refusal_status", [409, 400])
def test_a_state_named_in_a_refusal_plans_the_next_action_without_dialing(refusal_status):
    fake = FakeCampaign("READY", refusal_status=refusal_status)
    with pytest.raises(CampaignError, match="cannot reach paused from state READY") as info:
        CampaignsV1Service(fake.client).ensure_status(CID, "paused")
    assert fake.actions() == ["PAUSE"] and info.value.campaign_id == CID


@pytest.mark.parametrize("state, target", [("COMPLETE", "running"), ("DELETED", "paused"), ("COMPLETE", "purged"), ("RUNNING", "ready")])
def test_unreachable_targets_fail_naming_the_state(state, target):
    fake = FakeCampaign(state)
    with pytest.raises(CampaignError, match="from state {0}".format(state)):
        CampaignsV1Service(fake.client).ensure_status(CID, target)
    assert not set(fake.actions()) & DIALING or target == "running"


def test_when_no_answer_names_the_state_it_says_so_and_never_guesses():
    fake = FakeCampaign("RUNNING", names_state=False)
    warn = Mock()
    result = CampaignsV1Service(fake.client).ensure_status(CID, "running", warn=warn)
    assert fake.actions() == ["START", "RESUME", "RETRY"]
    assert (result["changed"], result["status"], result["state"], result["state_known"]) == (False, None, None, False)
    assert "its state is unknown" in warn.call_args[0][0]


def test_unnamed_refusals_still_reach_the_target_by_probing():
    fake = FakeCampaign("PAUSED", names_state=False)
    result = CampaignsV1Service(fake.client).ensure_status(CID, "purged")
    assert fake.actions() == ["PAUSE", "PURGE"] and result["changed"] is True and result["status"] == "paused"


def test_enabled_and_build_on_start_go_in_the_body():
    fake = FakeCampaign("CREATED")
    CampaignsV1Service(fake.client).ensure_status(CID, "running", enabled=True, build_on_start=True)
    assert fake.sent == [{"action": "START", "enabled": True, "buildOnStart": True}]


def test_disabled_allows_only_ready_before_any_call():
    fake = FakeCampaign("RUNNING")
    with pytest.raises(ValidationError, match="enabled: false allows only status ready"):
        CampaignsV1Service(fake.client).ensure_status(CID, "paused", enabled=False)
    assert fake.sent == []


def test_check_mode_sends_nothing_and_reports_the_actions_it_would_try():
    fake = FakeCampaign("RUNNING")
    warn = Mock()
    result = CampaignsV1Service(fake.client).ensure_status(CID, "purged", check_mode=True, warn=warn)
    assert fake.sent == [] and result["changed"] is True and result["status"] is None
    assert [action["action"] for action in result["actions"]] == ["PAUSE", "PURGE"]
    assert "check mode cannot know the state" in warn.call_args[0][0]


def test_a_transient_state_is_waited_out_then_the_action_sent_again():
    fake = FakeCampaign("STARTING")

    def settle(_seconds):
        fake.state = "RUNNING"

    fake.client.sleep.side_effect = settle
    result = CampaignsV1Service(fake.client).ensure_status(CID, "paused")
    assert fake.actions() == ["PAUSE", "PAUSE"] and result["status"] == "paused" and result["changed"] is True


def test_a_transient_state_that_never_settles_is_reported_with_a_warning():
    fake = FakeCampaign("STARTING")
    warn = Mock()
    result = CampaignsV1Service(fake.client).ensure_status(CID, "paused", warn=warn)
    assert result["status"] == "starting" and result["changed"] is False
    assert "transient" in warn.call_args[0][0]


def test_a_building_campaign_is_on_its_way_to_ready():
    fake = FakeCampaign("BUILDING")
    warn = Mock()
    result = CampaignsV1Service(fake.client).ensure_status(CID, "ready", warn=warn)
    assert (result["changed"], result["status"]) == (False, "building") and "transient" in warn.call_args[0][0]


def test_an_unknown_campaign_names_what_to_check():
    fake = FakeCampaign("RUNNING")
    fake.client.request.side_effect = NotFoundError("PATCH", "/" + CID, 404, "Campaign not found")
    with pytest.raises(CampaignError, match="not found: check campaign_id, tenant and site"):
        CampaignsV1Service(fake.client).ensure_status(CID, "paused")


def test_a_bad_body_400_is_an_error_not_a_state():
    fake = FakeCampaign("RUNNING")
    fake.client.request.side_effect = None
    fake.client.request.return_value = Response(400, {"title": "Bad Request", "detail": "enabled must be a boolean"})
    with pytest.raises(CampaignError, match="PAUSE was refused: enabled must be a boolean"):
        CampaignsV1Service(fake.client).ensure_status(CID, "paused")


def test_a_retried_action_whose_repeat_is_refused_reports_a_change_with_a_warning():
    fake = FakeCampaign("PAUSED")

    def lost_then_refused(method, path, token, body=None, retry=None, accept=(), on_retry=None):
        on_retry(None)
        return Response(409, {"detail": "PAUSE is not allowed in state PAUSED"})

    fake.client.request.side_effect = lost_then_refused
    warn = Mock()
    result = CampaignsV1Service(fake.client).ensure_status(CID, "paused", warn=warn)
    assert result["changed"] is True and "sent again" in warn.call_args[0][0]


def test_a_disabled_campaign_fails_saying_to_enable_it():
    fake = FakeCampaign("PAUSED")
    fake.client.request.side_effect = lambda *args, **kwargs: Response(409, {"detail": "RESUME is not allowed while the campaign is disabled"})
    with pytest.raises(CampaignError, match="the campaign is disabled.*set enabled: true to reach running"):
        CampaignsV1Service(fake.client).ensure_status(CID, "running")
    assert fake.client.request.call_count == 1


@pytest.mark.parametrize("target", ["ready", "running"])
def test_a_build_that_ends_in_build_error_fails_instead_of_building_again(target):
    fake = FakeCampaign("BUILD_ERROR")
    fake.client.request.side_effect = lambda *args, **kwargs: (
        Response(200, {"id": CID, "state": "BUILD_ERROR"})
        if kwargs["body"]["action"] == "BUILD"
        else Response(409, {"detail": "START is not allowed in state BUILD_ERROR"})
    )
    with pytest.raises(CampaignError, match="BUILD ended in BUILD_ERROR"):
        CampaignsV1Service(fake.client).ensure_status(CID, target)
    assert fake.client.request.call_count <= 2


@pytest.mark.parametrize(
    "target, last, actions, status",
    [
        ("running", "READY", ["START"], "running"),
        ("running", "RUNNING", [], "running"),
        ("running", "PAUSED", ["RESUME"], "running"),
        ("running", "BUILD_ERROR", ["BUILD", "START"], "running"),
        ("paused", "RUNNING", ["PAUSE"], "paused"),
        ("purged", "RUNNING", ["PAUSE", "PURGE"], "paused"),
        ("purged", "PAUSED", ["PURGE"], "paused"),
        ("stopped", "PAUSED", ["CANCEL"], "complete"),
        ("ready", "CREATED", ["BUILD"], "ready"),
        ("ready", "READY", [], "ready"),
    ],
)
def test_check_mode_with_a_ledger_plans_from_the_last_state_seen(target, last, actions, status):
    fake = FakeCampaign("READY")
    warn = Mock()
    seen = {"state": last, "seen": "2026-12-01T10:00:00Z"}
    result = CampaignsV1Service(fake.client).ensure_status(CID, target, check_mode=True, warn=warn, last_seen=seen)
    assert fake.sent == [] and [action["action"] for action in result["actions"]] == actions
    assert result["changed"] is bool(actions) and result["status"] == status and result["state_known"] is False
    assert result["planned_from"] == {"source": "ledger", "state": last, "seen": "2026-12-01T10:00:00Z"}
    assert "planned from the state the ledger last saw, {0} at 2026-12-01T10:00:00Z".format(last) in warn.call_args[0][0]


@pytest.mark.parametrize("target, last", [("running", "COMPLETE"), ("paused", "READY")])
def test_check_mode_with_a_ledger_fails_where_a_run_would(target, last):
    fake = FakeCampaign("READY")
    with pytest.raises(CampaignError, match="check mode, from the state the ledger last saw, {0} at .*cannot reach {1}".format(last, target)):
        CampaignsV1Service(fake.client).ensure_status(CID, target, check_mode=True, last_seen={"state": last, "seen": "T"})
    assert fake.sent == []


def test_the_ledgers_last_state_is_read_without_creating_a_file(tmp_path):
    path = str(tmp_path / "ledger.sqlite")
    assert last_state(path, CID) is None and not os.path.exists(path)
    remember_state(path, CID, "PAUSED")
    assert last_state(path, CID)["state"] == "PAUSED" and last_state(path, "00000000-0000-4000-8000-000000000000") is None

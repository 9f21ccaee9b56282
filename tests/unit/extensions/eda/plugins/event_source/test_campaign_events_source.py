# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The campaign_events event source: its arguments, its poll loop under a fake clock, and main()."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import json
import logging
import socket

import pytest
import yaml

from ansible_collections.eightbyeight.dynamic_campaigns.extensions.eda.plugins.event_source import campaign_events
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import event_source
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.arguments import CONNECTION_OPTIONS
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaign_events import observe
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ApiError, TransportError, ValidationError

TOKEN = "data-s3cr3t-token-value"
BASE = {"campaign_ids": [101], "tenant": "acme", "base_url": "http://127.0.0.1:9", "data_token": TOKEN}


class FakeClock:
    """Time that moves only when the source sleeps or a read takes time; cancels after `polls` sleeps."""

    def __init__(self, polls, start=1800000000.0):
        self.now = start
        self.polls = polls
        self.sleeps = []

    def monotonic(self):
        return self.now

    def time(self):
        return self.now

    async def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        if len(self.sleeps) >= self.polls:
            raise asyncio.CancelledError()


class ListQueue:
    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)


def campaign(status="running", records=None, detail=None):
    details = {"running": "Manual Running", "paused": "Manual Paused", "stopped": "Completed"}
    read = {"id": 0, "name": "Spring", "status": status, "status_code": 3, "status_detail": detail or details[status], "records_count": 5}
    return observe(read, records)


def reader(clock, script, read_seconds=0.0):
    """An async read per campaign that returns (or raises) the next item of script[campaign_id]."""

    async def read(campaign_id):
        clock.now += read_seconds
        outcome = script[campaign_id].pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return read


def run_polls(script, polls, interval=30, threshold=None, rand=1.0, read_seconds=0.0, unreachable_after=3):
    clock = FakeClock(polls)
    queue = ListQueue()
    options = {"campaign_ids": list(script), "interval": interval, "records_low_threshold": threshold, "unreachable_after": unreachable_after}
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(
            event_source.poll_forever(
                queue, options, reader(clock, script, read_seconds), clock.monotonic, clock.time, clock.sleep, lambda: rand, redact=event_source.Redactor(BASE)
            )
        )
    return [event["campaign_event"] for event in queue.events], clock


def counts(new=0, queued=0, accepted=0, completed=0, scheduled=0):
    return {"new": new, "queued": queued, "accepted": accepted, "completed": completed, "scheduled": scheduled}


def test_first_poll_is_one_snapshot_per_campaign_in_order():
    events, clock = run_polls({102: [campaign()], 101: [campaign("paused")]}, polls=1)
    assert [(e["type"], e["campaign_id"], e["status"]) for e in events] == [("snapshot", 102, "running"), ("snapshot", 101, "paused")]
    assert clock.sleeps == [30.0]


def test_status_and_records_events_follow_what_moved():
    script = {
        101: [
            campaign(records=counts(new=5)),
            campaign(records=counts(new=5)),
            campaign("paused", records=counts(new=3, accepted=1, completed=1)),
            campaign("paused", records=counts(new=2, completed=3)),
            campaign("paused", records=counts(new=1, completed=4)),
            campaign("running", records=counts(new=9, completed=4)),
            campaign("running", records=counts(new=2, completed=11)),
        ]
    }
    events, _clock = run_polls(script, polls=7, threshold=3)
    assert [e["type"] for e in events] == [
        "snapshot",
        "status_changed",
        "records_changed",
        "records_changed",
        "records_low",
        "records_changed",
        "status_changed",
        "records_changed",
        "records_changed",
        "records_low",
    ]
    assert events[1]["previous_status"] == "running" and events[1]["status"] == "paused"
    assert events[4]["dialable"] == 2 and events[4]["previous_dialable"] == 3
    assert events[9]["dialable"] == 2 and events[9]["previous_dialable"] == 9


def test_sleeps_count_the_time_a_poll_took():
    _events, clock = run_polls({101: [campaign()] * 3, 102: [campaign()] * 3}, polls=3, interval=10, read_seconds=2.0)
    assert clock.sleeps == [6.0, 6.0, 6.0]


def test_reads_that_take_longer_than_the_interval_poll_again_at_once():
    _events, clock = run_polls({101: [campaign()] * 2}, polls=2, interval=1, read_seconds=3.0)
    assert clock.sleeps == [0.0, 0.0]


def test_unreachable_after_three_failures_backoff_then_recovered():
    down = TransportError("GET", "/api/stats/campaigns/101.json", "got no answer from 127.0.0.1:1 after 1 attempt over 0.0 s: the connection was reset")
    script = {101: [campaign(), down, down, down, down, down, campaign("paused")]}
    events, clock = run_polls(script, polls=7, interval=30, rand=1.0)
    assert [e["type"] for e in events] == ["snapshot", "unreachable", "recovered", "status_changed"]
    unreachable, recovered = events[1], events[2]
    assert unreachable["failures"] == 3 and "got no answer" in unreachable["error"] and unreachable["last_status"] == "running"
    assert recovered["failures"] == 5 and recovered["down_seconds"] == 60 + 120 + 240 + 300 + 300
    # healthy, then 1..5 polls in a row with every read failed, then healthy again
    assert clock.sleeps == [30.0, 60.0, 120.0, 240.0, 300.0, 300.0, 30.0]


def test_backoff_has_jitter_and_never_polls_faster_than_the_interval():
    down = ApiError("GET", "/api/stats/campaigns/101.json", 503, "Service Unavailable")
    _events, clock = run_polls({101: [down] * 4}, polls=4, interval=30, rand=0.0)
    assert clock.sleeps == [30.0] * 4
    _events, clock = run_polls({101: [down] * 4}, polls=4, interval=30, rand=0.5)
    assert clock.sleeps == [45.0, 75.0, 135.0, 165.0]


def test_one_campaign_failing_does_not_slow_the_others():
    gone = ApiError("GET", "/api/stats/campaigns/102.json", 404, "The campaign cannot be found.")
    events, clock = run_polls({101: [campaign()] * 4, 102: [gone] * 4}, polls=4, rand=1.0)
    assert clock.sleeps == [30.0] * 4
    assert [(e["type"], e["campaign_id"]) for e in events] == [("snapshot", 101), ("unreachable", 102)]


def test_any_read_error_is_survived_and_secrets_are_redacted(caplog):
    leaky = RuntimeError("boom with {0} inside".format(TOKEN))
    with caplog.at_level(logging.WARNING, logger="eightbyeight.dynamic_campaigns.campaign_events"):
        events, _clock = run_polls({101: [leaky, leaky, campaign()]}, polls=3, unreachable_after=2)
    assert [e["type"] for e in events] == ["unreachable", "recovered", "snapshot"]
    assert events[0]["error"] == "RuntimeError: boom with *** inside"
    assert TOKEN not in json.dumps(events) and TOKEN not in caplog.text
    assert "boom with ***" in caplog.text


# args -> the option the error must name
BAD_ARGS = [
    ({"campaign_ids": None}, "campaign_ids is required"),
    ({"campaign_ids": []}, "campaign_ids is required"),
    ({"campaign_ids": ["abc"]}, "campaign_ids: 'abc' is not a campaign ID"),
    ({"campaign_ids": [0]}, "campaign_ids: '0' is not a campaign ID"),
    ({"campaign_ids": [2**31]}, "campaign_ids: '2147483648' is not a campaign ID"),
    ({"campaign_ids": [True]}, "campaign_ids: 'True' is not a campaign ID"),
    ({"campaign_ids": [1.5]}, "campaign_ids: '1.5' is not a campaign ID"),
    ({"interval": 0.5}, "interval must be 1 second or more, not 0.5"),
    ({"interval": 0}, "interval must be 1 second or more"),
    ({"interval": "fast"}, "interval must be of type float"),
    ({"interval": float("inf")}, "interval must be a finite number"),
    ({"interval": True}, "interval: expected a number"),
    ({"records_low_threshold": 0}, "records_low_threshold must be 1 or more"),
    ({"records_low_threshold": "many"}, "records_low_threshold must be of type int"),
    ({"unreachable_after": 0}, "unreachable_after must be 1 or more"),
    ({"records": "sometimes"}, "records must be of type bool"),
    ({"campaign_id": 101}, "unknown option(s) campaign_id"),
    ({"api": "campaigns_v1"}, "api is campaigns_v1"),
    ({"api_key": "k-123"}, "api is campaigns_v1"),
    ({"api": "graphql"}, "api must be legacy or campaigns_v1, not 'graphql'"),
    ({"data_token": None}, "data_token is required"),
    ({"timeout": 0}, "timeout must be more than 0 seconds"),
    ({"max_retries": "x"}, "max_retries must be of type int"),
]


@pytest.mark.parametrize("bad, message", BAD_ARGS, ids=[row[1] for row in BAD_ARGS])
def test_bad_arguments_are_refused_naming_the_option(bad, message):
    args = dict(BASE, **bad)
    with pytest.raises(ValidationError) as info:
        event_source.parse_args(dict((k, v) for k, v in args.items() if v is not None), environ={})
    assert message in info.value.message
    assert info.value.message.startswith("campaign_events: ")
    assert TOKEN not in info.value.message and "k-123" not in info.value.message


def test_a_bad_secret_value_is_not_echoed():
    with pytest.raises(ValidationError) as info:
        event_source.parse_args(dict(BASE, data_token=["not", TOKEN]), environ={})
    assert "data_token must be of type str" in info.value.message
    assert TOKEN not in info.value.message


def test_defaults_and_good_values():
    args = {"campaign_ids": ["101", 102, 101], "interval": 1, "tenant": "acme", "platform": "na12"}
    params, options = event_source.parse_args(args, {"EIGHTBYEIGHT_DATA_TOKEN": TOKEN})
    assert options == {"campaign_ids": [101, 102], "interval": 1.0, "records_low_threshold": None, "records": True, "unreachable_after": 3}
    assert params["data_token"] == TOKEN and params["timeout"] == 30.0 and params["validate_certs"] is True


def test_environment_fallbacks_are_the_modules_and_the_argument_wins():
    values = ["env-tenant", "act", "dat", "na9", None, "false", "/ca.pem", "7", "2", "9"]
    environ = dict((option[2], value) for option, value in zip(CONNECTION_OPTIONS, values) if value)
    params, _options = event_source.parse_args({"campaign_ids": [1], "tenant": "arg-tenant"}, environ)
    assert params["tenant"] == "arg-tenant"
    assert (params["data_token"], params["action_token"], params["platform"]) == ("dat", "act", "na9")
    assert (params["validate_certs"], params["ca_path"], params["timeout"], params["max_retries"], params["retry_max_time"]) == (False, "/ca.pem", 7.0, 2, 9.0)


def test_api_legacy_overrides_a_key_in_the_environment():
    params, _options = event_source.parse_args(dict(BASE, api="legacy"), {"EIGHTBYEIGHT_API_KEY": "k-123"})
    assert params["api"] == "legacy"


def test_rulebook_feedback_queue_argument_is_accepted():
    event_source.parse_args(dict(BASE, eda_feedback_queue=object()), environ={})


def documented_options():
    return yaml.safe_load(campaign_events.DOCUMENTATION)["options"]


def test_documentation_covers_every_option_with_its_type_default_and_variable():
    documented = documented_options()
    expected = list(event_source.POLL_OPTIONS)
    expected += [(name, kind, default) for name, kind, _env, default, _secret in event_source.connection_options()]
    assert sorted(documented) == sorted(name for name, _kind, _default in expected)
    for name, kind, default in expected:
        assert documented[name]["type"] == kind, name
        assert documented[name].get("default") == default or float(documented[name].get("default")) == default, name
    for name, _kind, env, _default, _secret in event_source.connection_options():
        assert "E({0})".format(env) in " ".join(documented[name]["description"]), name


def test_examples_are_sources_with_arguments_the_source_takes():
    examples = yaml.safe_load(campaign_events.EXAMPLES)
    assert len(examples) == 2
    environ = {"EIGHTBYEIGHT_DATA_TOKEN": TOKEN, "EIGHTBYEIGHT_TENANT": "acme", "EIGHTBYEIGHT_PLATFORM": "na12"}
    for example in examples:
        (name,) = example
        assert name == "eightbyeight.dynamic_campaigns.campaign_events"
        event_source.parse_args(example[name], environ)


def test_documentation_has_what_ansible_eda_sources_document():
    documentation = yaml.safe_load(campaign_events.DOCUMENTATION)
    assert documentation["short_description"] and documentation["description"] and documentation["author"]
    assert documentation["version_added"] and documentation["requirements"] == ["requests"]
    for name, option in documentation["options"].items():
        assert isinstance(option["description"], list) and option["description"], name
        assert option["type"] in ("str", "int", "float", "bool", "list", "path"), name


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_main_keeps_polling_an_unreachable_api_and_ends_cleanly_when_cancelled():
    port = closed_port()
    args = dict(BASE, base_url="http://127.0.0.1:{0}".format(port), interval=1, max_retries=1, unreachable_after=1)

    async def scenario():
        queue = asyncio.Queue()
        task = asyncio.ensure_future(campaign_events.main(queue, args))
        event = await asyncio.wait_for(queue.get(), 20)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return event

    event = asyncio.run(scenario())["campaign_event"]
    assert event["type"] == "unreachable" and event["campaign_id"] == 101
    assert "could not connect to 127.0.0.1:{0} after 1 attempt over ".format(port) in event["error"] and event["error"].endswith(": connection refused]")
    assert "HTTPConnectionPool" not in event["error"] and TOKEN not in json.dumps(event)


def test_main_refuses_bad_arguments_before_polling():
    with pytest.raises(ValidationError, match="tenant is required"):
        asyncio.run(campaign_events.main(ListQueue(), dict(BASE, tenant="")))
    with pytest.raises(ValidationError, match="campaign_events: api is campaigns_v1"):
        asyncio.run(campaign_events.main(ListQueue(), dict(BASE, api="campaigns_v1")))


def test_plain_http_to_another_host_is_warned_about_as_the_modules_do(caplog):
    params, options = event_source.parse_args(dict(BASE, base_url="http://campaigns.example.invalid"), environ={})
    with caplog.at_level(logging.INFO, logger="eightbyeight.dynamic_campaigns.campaign_events"):
        event_source.announce(params, options)
    assert "plain http:// to campaigns.example.invalid" in caplog.text and "polling campaigns 101" in caplog.text
    assert TOKEN not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="eightbyeight.dynamic_campaigns.campaign_events"):
        event_source.announce(*event_source.parse_args(BASE, environ={}))
    assert caplog.text == ""

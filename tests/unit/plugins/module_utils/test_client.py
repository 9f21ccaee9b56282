# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import client as client_mod
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    PLATFORMS,
    Client,
    RetryPolicy,
    parse_retry_after,
    resolve_base_url,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    TransportError,
    UnexpectedAnswerError,
    ValidationError,
)

ACTION = "act-SECRET-123"
DATA = "data-SECRET-456"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_seed_platform_maps_to_its_server(platform):
    expected = "https://odcc2.bell.ca" if platform == "bc2" else "https://vcc-{0}.8x8.com".format(platform)
    assert resolve_base_url(platform=platform) == expected
    assert resolve_base_url(platform=platform.upper()) == expected


def test_the_seed_lists_43_platforms():
    assert len(PLATFORMS) == 43 and len(set(PLATFORMS)) == 43


@pytest.mark.parametrize(
    "platform, expected",
    [
        ("eu1", "https://vcc-eu1.8x8.com"),
        ("SB1", "https://vcc-sb1.8x8.com"),
        (" na12 ", "https://vcc-na12.8x8.com"),
        ("eu9b", "https://vcc-eu9.8x8.com"),
    ],
)
def test_unlisted_platform_codes_follow_the_pattern(platform, expected):
    assert resolve_base_url(platform=platform) == expected


@pytest.mark.parametrize("platform", ["12na", "vcc-na12", "na", "https://vcc-na1.8x8.com", "n1"])
def test_malformed_platform_is_refused_naming_it(platform):
    with pytest.raises(ValidationError, match="platform"):
        resolve_base_url(platform=platform)


def test_base_url_wins_over_platform():
    assert resolve_base_url(platform="na12", base_url="http://127.0.0.1:8808/") == "http://127.0.0.1:8808"


def test_platform_or_base_url_is_required():
    with pytest.raises(ValidationError, match="platform.*base_url"):
        resolve_base_url()


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def make_response(status, body=None, headers=None):
    response = requests.models.Response()
    response.status_code = status
    response._content = b"" if body is None else json.dumps(body).encode()
    response.headers.update(headers or {})
    return response


def make_client(outcomes, **kwargs):
    """A client whose session answers from `outcomes` and records each call."""
    fake = FakeClock()
    kwargs.setdefault("max_retries", 5)
    client = Client("http://127.0.0.1:1", "acme", action_token=ACTION, data_token=DATA, sleep=fake.sleep, clock=fake.clock, **kwargs)
    calls = []
    queue = list(outcomes)

    def send(prepared, **settings):
        calls.append(dict(settings, method=prepared.method, url=prepared.url, auth=prepared.headers.get("Authorization"), data=prepared.body))
        outcome = queue.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    client.session.send = send
    return client, calls, fake


def test_reads_use_the_data_token_and_the_stats_path():
    client, calls, _fake = make_client([make_response(200, {"campaign": {}})])
    client.get_json("/api/stats/campaigns/7.json")
    assert calls[0]["auth"] == requests.auth._basic_auth_str("acme", DATA)
    assert calls[0]["url"] == "http://127.0.0.1:1/api/stats/campaigns/7.json"
    assert calls[0]["timeout"] == 30.0


def test_writes_use_the_action_token():
    client, calls, _fake = make_client([make_response(200, {"message": "ok"})])
    client.request("PATCH", "/api/tstats/campaigns/7", "action", body={"status": "RUNNING"})
    assert calls[0]["auth"] == requests.auth._basic_auth_str("acme", ACTION)
    assert json.loads(calls[0]["data"]) == {"status": "RUNNING"}
    assert calls[0]["verify"] not in (False, None)  # True, or the CA bundle of REQUESTS_CA_BUNDLE


def test_ca_path_is_used_for_verification():
    client = Client("https://x", "acme", ca_path="/etc/ssl/private-ca.pem")
    assert client.verify == "/etc/ssl/private-ca.pem"
    assert Client("https://x", "acme", validate_certs=False).verify is False


@pytest.mark.parametrize("kind, option", [("action", "action_token"), ("data", "data_token")])
def test_missing_token_fails_before_any_call(kind, option):
    client = Client("http://127.0.0.1:1", "acme")
    client.session.send = None  # any HTTP call would raise TypeError
    with pytest.raises(ValidationError, match=option):
        client.require_token(kind, "do it")


@pytest.mark.parametrize(
    "status, error_class",
    [
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (400, ApiError),
        (500, ApiError),
        (413, ApiError),
    ],
)
def test_error_statuses_map_to_typed_errors_without_secrets(status, error_class):
    client, _calls, _fake = make_client([make_response(status, {"message": "Nope " + ACTION[:3]}, {"X-Request-Id": "req-9"})])
    with pytest.raises(error_class) as info:
        client.request("POST", "/api/tstats/campaigns/7/customers", "action", body=[{"customer-id": DATA}])
    text = str(info.value) + repr(info.value.result_fields())
    assert "POST http://127.0.0.1:1/api/tstats/campaigns/7/customers answered {0}".format(status) in text
    assert "req-9" in text
    assert ACTION not in text and DATA not in text and "Authorization" not in text


def test_accepted_statuses_are_returned_not_raised():
    client, _calls, _fake = make_client([make_response(405, {"message": "Method Not Allowed"})])
    response = client.request("PATCH", "/api/tstats/campaigns/7", "action", accept=(405,))
    assert response.status == 405 and response.message == "Method Not Allowed"


@pytest.mark.parametrize(
    "status, kind, content, body",
    [
        (201, "application/vnd.campaigns.v1+json", b'{"records": [{"id": "1"}]}', None),
        (200, "application/json", b"not even json", None),
        (409, "application/problem+json", b'{"title": "Conflict"}', {"title": "Conflict"}),
    ],
)
def test_a_success_body_the_caller_does_not_need_is_not_decoded(status, kind, content, body):
    response = make_response(status, headers={"Content-Type": kind})
    response._content = content
    client, _calls, _fake = make_client([response])
    answer = client.request("POST", "/x/records", "action", body={"records": []}, accept=(409,), success_body=False)
    assert (answer.status, answer.body) == (status, body)


def test_a_success_that_is_no_json_is_still_refused_without_its_body_decoded():
    response = make_response(201, headers={"Content-Type": "text/html"})
    response._content = b"<html><title>Proxy login</title></html>"
    client, _calls, _fake = make_client([response])
    with pytest.raises(UnexpectedAnswerError, match="text/html page titled 'Proxy login'"):
        client.request("POST", "/x/records", "action", body={"records": []}, success_body=False)


def test_transport_error_names_method_and_url_only():
    client, _calls, _fake = make_client([requests.exceptions.ReadTimeout("read timed out")])
    with pytest.raises(TransportError) as info:
        client.request("PATCH", "/api/tstats/campaigns/7", "action", body={"status": "PAUSED"})
    assert str(info.value) == (
        "PATCH http://127.0.0.1:1/api/tstats/campaigns/7: got no answer from 127.0.0.1:1 after 1 attempt over 0.0 s: no answer within 30 s (the timeout option)"
    )
    assert ACTION not in str(info.value)


def test_transient_statuses_are_retried_with_growing_backoff():
    client, calls, fake = make_client([make_response(503), make_response(502), make_response(504), make_response(200, {"campaign": {}})])
    client.request("GET", "/api/stats/campaigns/7.json", "data", retry=client.read_policy())
    assert len(calls) == 4 and client.stats == {"requests": 4, "retries": 3}
    assert fake.sleeps[0] < fake.sleeps[2]
    for attempt, delay in enumerate(fake.sleeps, start=1):
        backoff = 0.5 * 2 ** (attempt - 1)
        assert backoff / 2 <= delay <= backoff


def test_retry_after_is_honoured():
    client, _calls, fake = make_client([make_response(429, headers={"Retry-After": "7"}), make_response(200)])
    client.request("GET", "/x", "data", retry=client.read_policy())
    assert fake.sleeps == [7.0]


def test_attempts_are_bounded():
    client, calls, _fake = make_client([make_response(503)] * 3, max_retries=3)
    with pytest.raises(ApiError, match="503"):
        client.request("GET", "/x", "data", retry=client.read_policy())
    assert len(calls) == 3


def test_total_retry_time_is_bounded():
    client, calls, fake = make_client([make_response(429, headers={"Retry-After": "50"})] * 5, retry_max_time=120.0)
    with pytest.raises(ApiError, match="429"):
        client.request("GET", "/x", "data", retry=client.read_policy())
    assert len(calls) == 3 and sum(fake.sleeps) <= 120.0


def test_500_is_retried_for_reads_but_never_for_writes():
    client, calls, _fake = make_client([make_response(500), make_response(200)])
    client.request("GET", "/x", "data", retry=client.read_policy())
    assert len(calls) == 2
    client, calls, _fake = make_client([make_response(500, {"message": "Internal server error"})])
    with pytest.raises(ApiError, match="500"):
        client.request("POST", "/x", "action", body=[], retry=client.write_policy())
    assert len(calls) == 1


def test_lost_answers_are_retried_for_writes_only_when_the_caller_allows():
    lost = requests.exceptions.ConnectionError("Connection aborted. RemoteDisconnected")
    client, calls, _fake = make_client([lost])
    with pytest.raises(TransportError):
        client.request("PATCH", "/x", "action", retry=client.write_policy())
    assert len(calls) == 1
    client, calls, _fake = make_client([lost, make_response(207, [])])
    client.request("POST", "/x", "action", retry=client.write_policy(retry_unanswered=True))
    assert len(calls) == 2


def test_connections_never_made_are_retried_for_writes():
    refused = requests.exceptions.ConnectionError("NewConnectionError: [Errno 111] Connection refused")
    client, calls, _fake = make_client([refused, make_response(200)])
    client.request("PATCH", "/x", "action", retry=client.write_policy())
    assert len(calls) == 2


def test_without_policy_nothing_is_retried():
    client, calls, _fake = make_client([make_response(503)])
    with pytest.raises(ApiError):
        client.request("GET", "/x", "data")
    assert len(calls) == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        ("3", 3.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:10 GMT", 10.0),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=1445412480.0) == expected


def test_backoff_policy_jitter_bounds():
    policy = RetryPolicy(max_attempts=10, max_time=1000, base_delay=1.0, max_delay=8.0)
    assert policy.next_delay(1, 0, rand=lambda: 0.0) == 0.5
    assert policy.next_delay(1, 0, rand=lambda: 1.0) == 1.0
    assert policy.next_delay(6, 0, rand=lambda: 1.0) == 8.0
    assert policy.next_delay(10, 0) is None


def test_from_params_requires_a_tenant():
    with pytest.raises(ValidationError, match="tenant"):
        Client.from_params({"base_url": "http://x"})


def test_pool_is_sized_for_the_workers():
    client = Client.from_params({"tenant": "acme", "base_url": "http://x"}, pool_size=16)
    assert client.session.get_adapter("http://x")._pool_maxsize == 16
    assert client_mod.HAS_REQUESTS

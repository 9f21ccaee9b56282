# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The messages of HTTP failures: the whole URL without credentials, a failed connection in words
(attempts, seconds, host), a 429 storm (by whom, how many, how long, what to do), and a base_url
that carries an API path refused before any call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import socket
import ssl

import pytest
import requests
from urllib3 import exceptions as urllib3_errors

from ansible_collections.eightbyeight.dynamic_campaigns.tests.unit.plugins.module_utils.test_client import FakeClock
from ansible_collections.eightbyeight.dynamic_campaigns.tests.unit.plugins.module_utils.test_client import make_response as answer
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    Client,
    client_arguments,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    NotFoundError,
    RateLimitedError,
    TransportError,
    UnexpectedAnswerError,
    ValidationError,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.http_answers import (
    failure_words,
    host_of,
    public_url,
)

ACTION = "act-SECRET-123"
DATA = "data-SECRET-456"
KEY = "key-SECRET-789"


def client_of(outcomes, base_url="http://127.0.0.1:1", **kwargs):
    """A client whose session answers from `outcomes` in turn (an exception is raised), on a fake clock."""
    fake = FakeClock()
    kwargs.setdefault("max_retries", 3)
    client = Client(base_url, "acme", action_token=ACTION, data_token=DATA, sleep=fake.sleep, clock=fake.clock, **kwargs)
    queue = list(outcomes)

    def send(prepared, **settings):
        outcome = queue.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    client.session.send = send
    return client, fake


def pool_error(kind, reason, cause):
    """A requests error as a failed connect leaves it: kind(MaxRetryError(reason)), reason raised from cause."""
    reason.__cause__ = cause
    return kind(urllib3_errors.MaxRetryError(None, "/x", reason))


# ------------------------------------------------------------------ the whole URL, no credentials
@pytest.mark.parametrize(
    "base_url, path, expected",
    [
        ("https://vcc-na12.8x8.com", "/api/stats/campaigns/7.json", "https://vcc-na12.8x8.com/api/stats/campaigns/7.json"),
        ("http://127.0.0.1:8808", "/api/tstats/campaigns/7/customers", "http://127.0.0.1:8808/api/tstats/campaigns/7/customers"),
        ("https://acme:act-SECRET@gw.example.com:8443/prefix", "/api/x", "https://gw.example.com:8443/prefix/api/x"),
        ("https://api.8x8.com/cc/US1/campaigns/v1", "/campaigns/c1/records?page=2", "https://api.8x8.com/cc/US1/campaigns/v1/campaigns/c1/records?page=2"),
        ("http://h", "/x?token=SECRET&page=2&api_key=SECRET&apiKey=SECRET&flag", "http://h/x?token=***&page=2&api_key=***&apiKey=***&flag"),
    ],
)
def test_public_url_keeps_scheme_host_port_path_and_query_without_credentials(base_url, path, expected):
    assert public_url(base_url, path) == expected


@pytest.mark.parametrize(
    "url, expected",
    [("http://127.0.0.1:1/x", "127.0.0.1:1"), ("https://vcc-na12.8x8.com/x", "vcc-na12.8x8.com:443"), ("http://u:p@[::1]/x", "[::1]:80")],
)
def test_host_of_names_host_and_port_only(url, expected):
    assert host_of(url) == expected


def test_an_error_answer_names_the_whole_url_and_carries_it_in_the_result():
    client, _fake = client_of([answer(404, {"message": "Campaign not found"})], base_url="https://acme:act-SECRET@vcc-na12.8x8.com:8443")
    with pytest.raises(NotFoundError) as info:
        client.request("GET", "/api/stats/campaigns/7.json?detail=1", "data")
    assert str(info.value) == "GET https://vcc-na12.8x8.com:8443/api/stats/campaigns/7.json?detail=1 answered 404: Campaign not found"
    fields = info.value.result_fields()
    assert fields["http_url"] == "https://vcc-na12.8x8.com:8443/api/stats/campaigns/7.json?detail=1"
    assert fields["http_path"] == "/api/stats/campaigns/7.json?detail=1"
    assert "SECRET" not in str(info.value) + repr(fields)


def test_a_campaigns_v1_error_names_the_whole_v1_url_without_the_key():
    arguments = client_arguments({"tenant": "acme", "api_key": KEY, "site": "us1", "base_url": "http://127.0.0.1:8808"})
    client = Client(**arguments)
    client.session.send = lambda prepared, **settings: answer(409, {"title": "Conflict", "detail": "already RUNNING"})
    with pytest.raises(Exception) as info:
        client.request("POST", "/campaigns/c-1/status", "action", body={"status": "RUNNING"})
    assert str(info.value).startswith("POST http://127.0.0.1:8808/cc/US1/campaigns/v1/campaigns/c-1/status answered 409: Conflict; already RUNNING")
    assert KEY not in str(info.value) + repr(info.value.result_fields())


def test_a_nonsense_answer_names_the_whole_url():
    response = requests.models.Response()
    response.status_code, response._content = 200, b"<html><title>Down</title></html>"
    response.headers["Content-Type"] = "text/html"
    client, _fake = client_of([response])
    with pytest.raises(UnexpectedAnswerError, match=r"^GET http://127\.0\.0\.1:1/api/stats/campaigns/7\.json answered 200, which is not"):
        client.get_json("/api/stats/campaigns/7.json")


# ------------------------------------------------------------------ a failed connection, in words
REFUSED = pool_error(requests.exceptions.ConnectionError, urllib3_errors.NewConnectionError(None, "Failed"), ConnectionRefusedError(111, "Connection refused"))
UNRESOLVED = pool_error(
    requests.exceptions.ConnectionError, urllib3_errors.NewConnectionError(None, "Failed"), socket.gaierror(-2, "Name or service not known")
)
CLOSED = requests.exceptions.ConnectionError(urllib3_errors.ProtocolError("Connection aborted.", http.client.RemoteDisconnected("Remote end closed")))
RESET = requests.exceptions.ConnectionError(urllib3_errors.ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))
TLS_CAUSE = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")
TLS_CAUSE.reason = "WRONG_VERSION_NUMBER"
WRONG_TLS = pool_error(requests.exceptions.SSLError, urllib3_errors.SSLError("handshake"), TLS_CAUSE)


@pytest.mark.parametrize(
    "exc, words",
    [
        (REFUSED, "connection refused"),
        (UNRESOLVED, "the host name could not be resolved"),
        (CLOSED, "the server closed the connection without answering"),
        (RESET, "the connection was reset"),
        (requests.exceptions.ReadTimeout(urllib3_errors.ReadTimeoutError(None, "/x", "Read timed out.")), "no answer within 30 s (the timeout option)"),
        (requests.exceptions.ConnectTimeout("HTTPConnectionPool(host='h', port=1): Max retries"), "no connection within 30 s (the timeout option)"),
        (WRONG_TLS, "the TLS handshake failed: wrong version number"),
        (
            requests.exceptions.SSLError("EOF occurred in violation of protocol (_ssl.c:2427)"),
            "the TLS handshake failed: EOF occurred in violation of protocol",
        ),
        (requests.exceptions.ConnectionError("HTTPConnectionPool(host='h', port=1): odd"), "the connection was lost (ConnectionError)"),
    ],
)
def test_failures_are_said_in_words_without_the_librarys_repr(exc, words):
    assert failure_words(exc, 30.0) == words


def test_a_refused_connection_says_how_many_attempts_over_how_long_to_which_host():
    client, fake = client_of([REFUSED] * 5, max_retries=5)
    with pytest.raises(TransportError) as info:
        client.request("PATCH", "/api/tstats/campaigns/7", "action", body={"status": "PAUSED"}, retry=client.write_policy())
    assert len(fake.sleeps) == 4
    assert str(info.value) == (
        "PATCH http://127.0.0.1:1/api/tstats/campaigns/7: could not connect to 127.0.0.1:1 after 5 attempts over {0:.1f} s: connection refused".format(
            sum(fake.sleeps)
        )
    )
    assert info.value.sent is False and "HTTPConnectionPool" not in str(info.value) and "NewConnectionError" not in str(info.value)


def test_a_real_closed_port_is_named_in_words():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    client = Client("http://127.0.0.1:{0}".format(port), "acme", data_token=DATA, max_retries=2, sleep=lambda seconds: None)
    with pytest.raises(TransportError) as info:
        client.get_json("/api/stats/campaigns/7.json")
    text = str(info.value)
    assert text.startswith("GET http://127.0.0.1:{0}/api/stats/campaigns/7.json: could not connect to 127.0.0.1:{0} after 2 attempts over ".format(port))
    assert text.endswith(" s: connection refused") and "Pool" not in text and "object at 0x" not in text


def test_a_lost_answer_says_it_got_no_answer_from_the_host():
    client, _fake = client_of([CLOSED], max_retries=1)
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api/stats/campaigns/7.json", "data")
    assert str(info.value) == (
        "GET http://127.0.0.1:1/api/stats/campaigns/7.json: got no answer from 127.0.0.1:1 after 1 attempt over 0.0 s:"
        " the server closed the connection without answering"
    )


# ------------------------------------------------------------------ 429 until the retries are spent
def test_a_429_storm_says_it_was_rate_limited_by_whom_how_often_how_long_and_what_to_do():
    limited = answer(429, {"message": "Too Many Requests"}, {"Retry-After": "2"})
    client, fake = client_of([limited] * 3, max_retries=3)
    with pytest.raises(RateLimitedError) as info:
        client.request("GET", "/api/stats/campaigns/7.json", "data", retry=client.read_policy())
    assert fake.sleeps == [2.0, 2.0]
    assert str(info.value) == (
        "GET http://127.0.0.1:1/api/stats/campaigns/7.json answered 429: Too Many Requests. Rate limited by 127.0.0.1:1:"
        " 3 answers 429 (Too Many Requests) over 4.0 s. Send fewer requests at once to this tenant (fewer tasks or hosts in"
        " parallel, fewer workers on campaign_customer, or its max_requests_per_second cap), or wait longer with max_retries"
        " and retry_max_time."
    )
    assert info.value.status == 429 and info.value.result_fields()["http_status"] == 429


# ------------------------------------------------------------------ base_url with an API path
@pytest.mark.parametrize(
    "params, path, root",
    [
        ({"base_url": "https://vcc-na12.8x8.com/api/tstats/campaigns"}, "/api/tstats/campaigns", "https://vcc-na12.8x8.com"),
        ({"base_url": "https://vcc-na12.8x8.com/api/tstats/campaigns/"}, "/api/tstats/campaigns", "https://vcc-na12.8x8.com"),
        ({"base_url": "http://127.0.0.1:8808/api/stats/campaigns/7.json"}, "/api/stats/campaigns/7.json", "http://127.0.0.1:8808"),
        ({"base_url": "https://gw.example.com/8x8/api/tstats"}, "/api/tstats", "https://gw.example.com/8x8"),
        ({"base_url": "https://api.8x8.com/cc/US1/campaigns/v1", "api_key": KEY, "site": "US1"}, "/cc/US1/campaigns/v1", "https://api.8x8.com"),
    ],
)
def test_a_base_url_that_carries_an_api_path_is_refused_naming_the_root(params, path, root):
    with pytest.raises(ValidationError) as info:
        client_arguments(dict(params, tenant="acme", action_token=ACTION))
    assert str(info.value) == (
        "base_url '{0}' carries the API path {1}: set base_url to the server's root, {2}; the modules add the API's paths themselves.".format(
            params["base_url"], path, root
        )
    )


def test_a_base_url_with_credentials_and_an_api_path_shows_neither_credential():
    with pytest.raises(ValidationError) as info:
        client_arguments({"tenant": "acme", "base_url": "https://acme:act-SECRET@vcc-na12.8x8.com/api/tstats/campaigns"})
    assert "SECRET" not in str(info.value) and "https://***@vcc-na12.8x8.com" in str(info.value)


@pytest.mark.parametrize("base_url", ["http://127.0.0.1:8808", "https://vcc-na12.8x8.com/", "https://gw.example.com/8x8"])
def test_a_server_root_or_a_proxy_prefix_is_kept(base_url):
    assert client_arguments({"tenant": "acme", "base_url": base_url})["base_url"] == base_url.rstrip("/")

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Campaigns API v1 connection: options, root URL, headers, problem documents."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import requests

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.arguments import (
    CONNECTION_OPTIONS,
    check_params,
    connection_argument_spec,
    normalize_params,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client, client_arguments
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    KeyAuthenticationError,
    ValidationError,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.runner import backend_for

KEY = "eght_SECRET-key-123"
UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
V1 = {"tenant": "acme", "api_key": KEY, "site": "us1"}


def test_the_v1_options_are_in_the_table_with_their_variables_and_the_key_is_secret():
    table = dict((option[0], option) for option in CONNECTION_OPTIONS)
    assert table["api"][1:] == ("str", "EIGHTBYEIGHT_API", None, False)
    assert table["api_key"][1:] == ("str", "EIGHTBYEIGHT_API_KEY", None, True)
    assert table["site"][1:] == ("str", "EIGHTBYEIGHT_SITE", None, False)
    assert connection_argument_spec()["api_key"]["no_log"] is True


@pytest.mark.parametrize(
    "params, api",
    [
        ({}, "legacy"),
        ({"api_key": KEY}, "campaigns_v1"),
        ({"api_key": KEY, "api": "legacy"}, "legacy"),
        ({"api": " Campaigns_V1 "}, "campaigns_v1"),
        ({"api": ""}, "legacy"),
    ],
)
def test_api_defaults_to_campaigns_v1_when_a_key_is_set(params, api):
    assert normalize_params(dict(params))["api"] == api


def test_an_unknown_api_is_refused_naming_it():
    with pytest.raises(ValidationError, match="api must be legacy or campaigns_v1.*'v2'"):
        normalize_params({"api": "v2"})


@pytest.mark.parametrize("given, expected", [(101, 101), ("101", 101), (" 7 ", 7)])
def test_legacy_ids_as_text_become_numbers_as_the_int_type_made_them(given, expected):
    params = normalize_params({"campaign_id": given})
    check_params(params)
    assert params["campaign_id"] == expected and params["api"] == "legacy"


@pytest.mark.parametrize("given", ["abc", 5.5, True])
def test_legacy_ids_that_are_no_numbers_are_still_refused(given):
    with pytest.raises(ValidationError, match="is not a campaign ID: expected a whole number"):
        check_params(normalize_params({"campaign_id": given}))


def test_v1_site_is_case_insensitive_and_the_uuid_lowercased():
    params = normalize_params(dict(V1, campaign_id=UUID.upper()))
    check_params(params)
    assert (params["site"], params["campaign_id"]) == ("US1", UUID)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"campaign_id": 101}, "campaign_id 101 is not a campaign ID of the Campaigns API v1: expected a UUID"),
        ({"campaign_id": UUID[:-1]}, "expected a UUID"),
        ({"site": "EU1"}, "site is required on api campaigns_v1 .*US1, US2, UK3, not 'EU1'"),
        ({"site": None}, "site is required on api campaigns_v1"),
        ({"api_key": None, "api": "campaigns_v1"}, "api_key is required on api campaigns_v1"),
    ],
)
def test_bad_v1_options_are_refused_naming_the_option(change, words):
    params = dict(V1, campaign_id=UUID)
    params.update(change)
    with pytest.raises(ValidationError, match=words) as info:
        check_params(normalize_params(params))
    assert KEY not in info.value.message


def test_the_root_is_the_sites_and_base_url_replaces_the_host():
    assert client_arguments(normalize_params(dict(V1)))["base_url"] == "https://api.8x8.com/cc/US1/campaigns/v1"
    params = normalize_params(dict(V1, base_url="http://127.0.0.1:8808/", site="uk3"))
    assert client_arguments(params)["base_url"] == "http://127.0.0.1:8808/cc/UK3/campaigns/v1"


def test_legacy_root_is_unchanged_and_takes_no_key():
    arguments = client_arguments(normalize_params({"tenant": "acme", "platform": "na12", "action_token": "a", "api_key": KEY, "api": "legacy"}))
    assert arguments["base_url"] == "https://vcc-na12.8x8.com" and arguments["api_key"] is None


def make_response(status, body=None, content_type="application/vnd.campaigns.v1+json"):
    response = requests.models.Response()
    response.status_code = status
    response._content = b"" if body is None else json.dumps(body).encode()
    response.headers["Content-Type"] = content_type
    return response


def v1_client(outcomes):
    client = Client.from_params(normalize_params(dict(V1, base_url="http://127.0.0.1:1", max_retries=3, retry_max_time=60.0)))
    client.sleep = lambda seconds: None
    sent = []
    queue = list(outcomes)

    def send(prepared, **settings):
        sent.append(prepared)
        return queue.pop(0)

    client.session.send = send
    return client, sent


def test_v1_requests_carry_the_key_and_tenant_headers_and_the_v1_media_type_never_basic_auth():
    client, sent = v1_client([make_response(200, {"id": UUID, "state": "PAUSED"})])
    response = client.request("PATCH", "/" + UUID, "action", body={"action": "PAUSE"})
    prepared = sent[0]
    assert prepared.url == "http://127.0.0.1:1/cc/US1/campaigns/v1/" + UUID
    assert prepared.headers["X-API-Key"] == KEY and prepared.headers["X-8x8-Tenant"] == "acme"
    assert prepared.headers["Content-Type"] == "application/vnd.campaigns.v1+json"
    assert "Authorization" not in prepared.headers
    assert json.loads(prepared.body) == {"action": "PAUSE"} and response.body["state"] == "PAUSED"
    assert KEY not in repr(client.credentials)


def test_v1_retries_transient_statuses_through_the_one_loop():
    client, sent = v1_client([make_response(503, {"title": "Unavailable"}), make_response(200, {"state": "RUNNING"})])
    client.request("PATCH", "/" + UUID, "action", body={"action": "RESUME"}, retry=client.write_policy())
    assert len(sent) == 2 and client.stats["retries"] == 1


PROBLEM = {
    "title": "Validation failed",
    "status": 400,
    "detail": "Invalid records",
    "instance": "/cc/US1/campaigns/v1/x/records",
    "time": "2024-01-15T10:30:00Z",
    "errors": [{"field": "records[3].crmRecordId", "code": "Size", "message": "size must be between 1 and 32"}],
}


def test_problem_documents_show_title_detail_field_errors_and_the_support_references():
    client, _sent = v1_client([make_response(400, PROBLEM, "application/problem+json")])
    with pytest.raises(ApiError) as info:
        client.request("POST", "/x/records", "action", body={"records": []})
    message = info.value.message
    assert "Validation failed; Invalid records; records[3].crmRecordId: size must be between 1 and 32" in message
    assert "instance /cc/US1/campaigns/v1/x/records" in message and "time 2024-01-15T10:30:00Z" in message
    fields = info.value.result_fields()
    assert fields["api_problem"]["errors"] == PROBLEM["errors"] and fields["api_problem"]["instance"] == PROBLEM["instance"]
    assert KEY not in message and KEY not in json.dumps(fields)


def test_v1_authentication_failures_say_what_to_check_about_the_key():
    client, _sent = v1_client([make_response(403, {"title": "Forbidden", "status": 403})])
    with pytest.raises(KeyAuthenticationError) as info:
        client.request("PATCH", "/" + UUID, "action", body={"action": "PAUSE"})
    assert "Contact Center Campaigns API product" in info.value.message and KEY not in info.value.message
    assert not isinstance(info.value, AuthenticationError)


@pytest.mark.parametrize("key", ["eght_ab cd", "eght_\u201cx", "eght_x\r\nX-Other: 1", ""])
def test_a_key_no_header_can_carry_is_refused_without_showing_it(key):
    with pytest.raises(ValidationError, match="api_key must be printable ASCII") as info:
        Client("http://127.0.0.1:1", "acme", api_key=key or " ")
    assert key not in info.value.message or not key


def test_modules_without_a_v1_backend_refuse_it_before_any_call():
    with pytest.raises(ValidationError, match="does not work on api campaigns_v1"):
        backend_for({"api": "campaigns_v1"}, None, None, None)
    assert backend_for({"api": "legacy"}, "run", "service", ("run1", "s1")) == ("run", "service")
    assert backend_for({"api": "campaigns_v1"}, "run", "service", ("run1", "s1")) == ("run1", "s1")

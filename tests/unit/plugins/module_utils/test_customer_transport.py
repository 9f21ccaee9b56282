# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading

import pytest
import requests

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_transport import (
    IncompleteBody,
    parse_records,
    record_objects,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_plan import (
    parse_max_removals,
    removal_cap,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_send import (
    Feed,
    add_body,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError

BODY = (
    b'{"records": {"record": [{"record-id": "11", "campaign-id": "3", "status": "0", "status-code": "0"},'
    b'{"status": 2, "record-id": 12, "phone-list": ""},'
    b'{"record-id": "13", "campaign-id": "3", "status": "4", "schedule-date-time": "2026-05-01T10:00:00.000Z"}]}}'
)


@pytest.mark.parametrize("size", [1, 7, 50, len(BODY)])
def test_parse_records_any_chunking_and_key_order(size):
    chunks = [BODY[i : i + size] for i in range(0, len(BODY), size)]
    assert list(parse_records(chunks)) == [(11, 0), (12, 2), (13, 4)]


@pytest.mark.parametrize(
    "body, expected",
    [
        (b'{"records": {"record": {"record-id": "5", "status": "3"}}}', [(5, 3)]),
        (b'{"records": ""}', []),
        (b'{"records": {"record": []}}', []),
    ],
)
def test_parse_records_shapes(body, expected):
    assert list(parse_records([body])) == expected


@pytest.mark.parametrize(
    "value, total, cap",
    [
        (None, 1000, 100),
        ("10%", 1009, 100),
        ("0%", 50, 0),
        (500, 10, 500),
        ("25", 10, 25),
        ("2.5%", 1000, 25),
    ],
)
def test_max_removals(value, total, cap):
    assert removal_cap(parse_max_removals(value), total) == cap


@pytest.mark.parametrize("value", ["ten", "-1", "-5%", "%"])
def test_max_removals_refused(value):
    with pytest.raises(ValidationError, match="max_removals"):
        parse_max_removals(value)


def test_feed_stops_every_worker_at_the_first_error():
    feed = Feed(iter(range(10)), threading.Lock())
    assert [next(feed), next(feed)] == [0, 1]
    feed.fail(ValueError("first"))
    feed.fail(ValueError("second"))
    assert list(feed) == []
    with pytest.raises(ValueError, match="first"):
        feed.raise_error()


@pytest.mark.parametrize(
    "texts, schedules",
    [(["1", "2"], None), (["1", "2"], [None, None]), (["1", "2"], [None, "2026-05-01T10:00:00Z"])],
)
def test_add_body_is_the_json_of_the_items(texts, schedules):
    items = [dict([("customer-id", text)] + ([("schedule-date-time", when)] if when else [])) for text, when in zip(texts, schedules or [None] * len(texts))]
    assert json.loads(add_body(texts, schedules)) == items


def canned(status=207, content=b"[]"):
    response = requests.models.Response()
    response.status_code = status
    response._content = content
    response.headers["Content-Type"] = "application/json"
    return response


def test_encoded_posts_send_what_session_request_would():
    client = Client("http://127.0.0.1:1", "acme", action_token="act-123", timeout=7.0)
    sent = []
    client.session.send = lambda prepared, **settings: sent.append((prepared, settings)) or canned()
    assert client.request("POST", "/api/tstats/campaigns/1/customers", "action", data=b'[{"customer-id":"1"}]').status == 207
    client.request("POST", "/api/tstats/campaigns/1/customers", "action", data=b"[]")
    prepared, settings = sent[0]
    assert (prepared.method, prepared.url, prepared.body) == ("POST", "http://127.0.0.1:1/api/tstats/campaigns/1/customers", b'[{"customer-id":"1"}]')
    assert prepared.headers["Authorization"] == requests.auth._basic_auth_str("acme", "act-123")
    assert (prepared.headers["Content-Type"], prepared.headers["Content-Length"]) == ("application/json", "21")
    assert (settings["timeout"], settings["verify"] is not False, settings["allow_redirects"], settings["stream"]) == (7.0, True, True, True)
    assert (sent[1][0].body, sent[1][0].headers["Content-Length"]) == (b"[]", "2")
    assert sent[1][0] is not sent[0][0] and client.stats["requests"] == 2


def test_plain_calls_share_the_send_path():
    client = Client("http://127.0.0.1:1", "acme", action_token="act-123", data_token="data-456")
    sent = []
    client.session.send = lambda prepared, **settings: sent.append(prepared) or canned(200, b'{"campaign": {}}')
    client.request("PATCH", "/api/tstats/campaigns/1", "action", body={"status": "PAUSED"})
    client.request("DELETE", "/api/tstats/campaigns/1/customers/5", "action")
    client.get_json("/api/stats/campaigns/1.json")
    assert [(p.method, p.body, p.headers.get("Content-Type")) for p in sent] == [
        ("PATCH", b'{"status":"PAUSED"}', "application/json"),
        ("DELETE", None, None),
        ("GET", None, None),
    ]
    assert sent[2].headers["Authorization"] == requests.auth._basic_auth_str("acme", "data-456")


def test_encoded_posts_take_the_usual_path_once_the_server_set_cookies():
    client = Client("http://127.0.0.1:1", "acme", action_token="act-123")
    sent = []
    client.session.send = lambda prepared, **settings: sent.append(prepared) or canned()
    client.request("POST", "/p", "action", data=b"[]")
    client.session.cookies.set("AWSALB", "x")
    client.request("POST", "/p", "action", data=b"[]")
    assert "Cookie" not in sent[0].headers and sent[1].headers["Cookie"] == "AWSALB=x"
    assert sent[1].body == b"[]"


def chunked(body, size):
    return [body[i : i + size] for i in range(0, len(body), size)]


@pytest.mark.parametrize(
    "payload, ids",
    [
        ({"records": {"record": [{"record-id": "1", "status": "0"}, {"status": "2", "record-id": 2}]}}, ["1", 2]),
        ({"records": {"record": {"record-id": "1", "phone-list": ""}}}, ["1"]),
        ({"records": ""}, []),
        ({"records": {"record": ""}}, []),
        ({}, []),
    ],
)
@pytest.mark.parametrize("size", [1, 3, 7, 1 << 20])
def test_record_objects_whatever_the_shape_and_the_chunks(payload, ids, size):
    body = json.dumps(payload).encode()
    assert [raw["record-id"] for raw in record_objects(chunked(body, size))] == ids


@pytest.mark.parametrize(
    "body",
    [
        b'{"records": {"record": [{"record-id": "1", "status": "0"}, {"record-id": "2", "status": "1"',  # cut off
        b'{"records": {"record": [{"record-id": "1", "status": 0,}]}}',  # a record that is not JSON
        b'<html><body>{"record-id": "1"}</body></html>',  # not a JSON document
        b"",
    ],
)
def test_record_objects_refuses_a_body_that_is_not_one_json_object(body):
    with pytest.raises(ValueError):
        list(record_objects(chunked(body, 5)))


WHOLE = b'{"records": {"record": [{"record-id": "10000000000000000000000", "status": "0"}, {"record-id": "2", "status": "1"}]}}'


@pytest.mark.parametrize(
    "body",
    [
        WHOLE[: WHOLE.index(b"}") + 1],  # cut right after a record's '}': the first and last bytes look whole
        WHOLE[: WHOLE.index(b"}") + 2],
        WHOLE[:-1],
        WHOLE[:-2],
        WHOLE[:-3],
        b'{"records": {"record": {"record-id": "5", "status": "3"}}',
        b'{"records": {"record": [',
        b'{"records": ""',
    ],
)
@pytest.mark.parametrize("size", [1, 4, 1 << 20])
def test_both_parsers_refuse_a_body_cut_short(body, size):
    for parser in (parse_records, record_objects):
        with pytest.raises(IncompleteBody, match="the body ends before its JSON document closes"):
            list(parser(chunked(body, size)))


@pytest.mark.parametrize("size", [1, 4, 1 << 20])
def test_parsers_keep_ids_beyond_64_bits_exact(size):
    assert list(parse_records(chunked(WHOLE, size))) == [(10**22, 0), (2, 1)]
    assert [raw["record-id"] for raw in record_objects(chunked(WHOLE + b"\n", size))] == ["10000000000000000000000", "2"]

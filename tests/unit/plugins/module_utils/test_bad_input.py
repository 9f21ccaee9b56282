# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input and nonsense answers: caught before any HTTP call, or mapped to a clear typed error.

The integration target bad_input runs the same cases through the modules against the simulator.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io
from unittest.mock import Mock, PropertyMock

import pytest
import requests

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import customer_input
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.arguments import check_params
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import CampaignService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    Client,
    resolve_base_url,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    CustomerInput,
    InputIndex,
    RowValidator,
    apply_window,
    scan,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import BulkFailure, CustomerService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    CampaignError,
    UnexpectedAnswerError,
    ValidationError,
)

HTML = b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><p>down for maintenance</p></body></html>"
NOW = 1800000000.0


def answer(status, content=b"", content_type="application/json"):
    response = requests.models.Response()
    response.status_code = status
    response._content = content
    response._content_consumed = True
    if content_type:
        response.headers["Content-Type"] = content_type
    return response


def client_answering(*answers):
    api = Client("http://127.0.0.1:1", "acme", action_token="act-SECRET", data_token="data-SECRET", max_retries=1, sleep=lambda s: None)
    queue = list(answers)
    api.session.send = lambda prepared, **settings: queue.pop(0)
    return api


# ------------------------------------------------------------------ nonsense answers (client.py)
@pytest.mark.parametrize(
    "reply, words",
    [
        (answer(200, HTML, "text/html"), ["answered 200", "text/html page titled 'Service Unavailable'"]),
        (answer(200, b'{"campaign": {"status": 3', "application/json"), ["answered 200", "invalid JSON (application/json"]),
        (answer(200, b"", "application/json"), ["answered 200", "an empty body (application/json)"]),
        (answer(299, b'{"message": "odd"}'), ["answered 299", "299 is a status the API does not use (application/json; message 'odd')"]),
        (answer(418, b'{"message": "teapot"}'), ["answered 418", "418 is a status the API does not use"]),
    ],
)
def test_reads_map_nonsense_answers_to_a_typed_error(reply, words):
    with pytest.raises(UnexpectedAnswerError) as info:
        client_answering(reply).get_json("/api/stats/campaigns/5001.json")
    text = str(info.value)
    assert "GET http://127.0.0.1:1/api/stats/campaigns/5001.json answered" in text
    assert all(word in text for word in words), text
    assert "maintenance" not in text and "SECRET" not in text


@pytest.mark.parametrize(
    "reply, words",
    [
        (answer(200, HTML, "text/html"), ["answered 200", "text/html page"]),
        (answer(207, b'[{"customer-id": 1', "application/json"), ["answered 207", "invalid JSON"]),
        (answer(299, b'{"message": "odd"}'), ["299 is a status the API does not use"]),
    ],
)
def test_writes_map_nonsense_answers_to_a_typed_api_error(reply, words):
    with pytest.raises(UnexpectedAnswerError) as info:
        client_answering(reply).request("POST", "/api/tstats/campaigns/5001/customers", "action", body=[], accept=(400, 404))
    assert isinstance(info.value, ApiError)
    assert all(word in str(info.value) for word in words), str(info.value)


def test_writes_keep_documented_empty_and_plain_answers():
    api = client_answering(answer(200, b""), answer(204, b"", None), answer(200, b"Customer deleted.", "text/plain"))
    assert api.request("PATCH", "/api/tstats/campaigns/1", "action", body={}).body is None
    assert api.request("DELETE", "/api/tstats/campaigns/1/customers/2", "action").status == 204
    assert api.request("DELETE", "/api/tstats/campaigns/1/customers/2", "action").body == "Customer deleted."


def test_an_html_error_page_is_named_by_its_title_not_dumped():
    with pytest.raises(ApiError) as info:
        client_answering(answer(503, HTML, "text/html; charset=utf-8")).request("PATCH", "/api/tstats/campaigns/1", "action", body={})
    assert info.value.status == 503
    assert "text/html page titled 'Service Unavailable'" in str(info.value)
    assert "<" not in str(info.value) and "maintenance" not in str(info.value)


def stream_client(reply):
    return client_answering(reply)


def test_stream_refuses_an_html_page_and_an_empty_body():
    with pytest.raises(UnexpectedAnswerError, match="text/html answer where JSON was expected"):
        stream_client(answer(200, HTML, "text/html")).stream_json_chunks("/api/stats/campaigns/5001/records.json")
    chunks = stream_client(answer(200, b"")).stream_json_chunks("/api/stats/campaigns/5001/records.json")
    with pytest.raises(UnexpectedAnswerError, match="an empty body"):
        list(chunks)


def test_a_status_change_answered_by_a_proxy_page_names_it():
    api = Mock(spec=Client)
    type(api).can_read = PropertyMock(return_value=True)
    api.get_json.return_value = {"campaign": {"campaign-id": 5001, "status": 3, "dynamic-campaign": "Y", "enabled": "Y"}}
    api.request.side_effect = UnexpectedAnswerError("PATCH", "/api/tstats/campaigns/5001", 200, "a text/html page instead of JSON")
    with pytest.raises(CampaignError) as info:
        CampaignService(api).ensure_status(5001, "paused")
    assert "Campaign 5001: the change from running to paused got no answer from the API" in str(info.value)
    assert "answered 200" in str(info.value) and "text/html" in str(info.value)


# ------------------------------------------------------------------ options (arguments.py, client.py)
@pytest.mark.parametrize("base_url", ["not a url", "ftp://127.0.0.1", "http://", "http//127.0.0.1", "http://h:port", "https://h/?q=1"])
def test_malformed_base_url_is_refused_naming_the_option(base_url):
    with pytest.raises(ValidationError, match="base_url '.*' is not an http:// or https:// URL with a host"):
        resolve_base_url(base_url=base_url)


def test_malformed_base_url_hides_user_info():
    with pytest.raises(ValidationError) as info:
        resolve_base_url(base_url="https://acme:act-SECRET@host:port/")
    assert "SECRET" not in str(info.value) and "//***@host:port" in str(info.value)


@pytest.mark.parametrize("campaign_id", [0, -1, 2**31, 10**22])
def test_campaign_ids_outside_int32_are_refused(campaign_id):
    with pytest.raises(ValidationError, match="campaign_id {0} is not a campaign ID".format(campaign_id)):
        check_params({"campaign_id": campaign_id})


@pytest.mark.parametrize("params", [{"campaign_id": 1}, {"campaign_id": 2**31 - 1}, {"timeout": 0.5, "max_retries": 0, "retry_max_time": 0}])
def test_valid_values_pass(params):
    check_params(params)


@pytest.mark.parametrize("name, value", [("timeout", 0), ("timeout", -1.0), ("max_retries", -1), ("retry_max_time", -5)])
def test_connection_numbers_out_of_range_are_refused(name, value):
    with pytest.raises(ValidationError, match="^{0} must be".format(name)):
        check_params({name: value})


def service_client(can_read=True):
    api = Mock(spec=Client)
    type(api).can_read = PropertyMock(return_value=can_read)
    api.stats = {"requests": 0, "retries": 0}
    api.tenant, api.base_url = "acme", "http://127.0.0.1:1"
    return api


def bulk_params(**values):
    base = dict(campaign_id=5001, state="present", customers=[1000001], customers_file=None, customers_file_format=None, exclusive=False)
    base.update(max_removals=None, batch_size=100, workers=4, max_requests_per_second=None, allow_partial=False)
    base.update(failed_records_path=None, progress_path=None)
    base.update(values)
    return base


@pytest.mark.parametrize("name, value", [("batch_size", 0), ("batch_size", 10001), ("workers", 0), ("workers", 65), ("workers", -2)])
def test_bulk_tuning_out_of_range_is_refused_not_replaced(name, value):
    api = service_client()
    with pytest.raises(ValidationError, match="Campaign 5001: {0} must be from 1 to".format(name)):
        CustomerService(api).sync(bulk_params(**{name: value}))
    api.get_json.assert_not_called()
    api.request.assert_not_called()


def test_invalid_rows_fail_before_the_campaign_is_read():
    api = service_client()
    with pytest.raises(BulkFailure, match="customers\\[0\\]: customer 1: schedule-date-time 'tomorrow' is not ISO 8601"):
        CustomerService(api).sync(bulk_params(customers=[{"customer_id": 1, "schedule": "tomorrow"}]))
    api.get_json.assert_not_called()
    api.stream_json_chunks.assert_not_called()


# ------------------------------------------------------------------ files (customer_input.py)
def rows_of(path, declared=None):
    return list(CustomerInput(None, str(path), declared).parts())


@pytest.mark.parametrize("name", ["empty.csv", "blank.csv", "empty.jsonl"])
def test_empty_files_are_refused(tmp_path, name):
    path = tmp_path / name
    path.write_text("" if name.startswith("empty") else "\n \n")
    with pytest.raises(ValidationError, match="customers_file .*{0}: is empty".format(name)):
        rows_of(path)


def test_a_header_only_csv_declares_no_customers(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("customer-id\n")
    assert rows_of(path) == []


def test_a_row_with_more_fields_than_the_header_is_invalid(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("customer-id,schedule-date-time\n1000001,\n1000002,2026-05-04T09:00:00Z,extra\n1000003,,\n")
    parts = rows_of(path)
    errors = [(part[0], part[3]) for part in parts if not isinstance(part, customer_input.IdRun) and part[3]]
    assert errors == [(3, "3 fields where the header has 2; quote values that hold a comma")]


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"customer-id,name\n1000001,Ana\n1000002,Ren\xe9\n")
    with pytest.raises(ValidationError, match="latin1.csv: line 3: not UTF-8 text \\(invalid continuation byte at byte 12 of the line\\)"):
        rows_of(path)


def test_a_read_error_is_a_validation_error_not_a_traceback(tmp_path, monkeypatch):
    path = tmp_path / "broken.csv"
    path.write_text("customer-id\n1\n")

    class Failing(io.StringIO):
        def readline(self, *args):
            raise OSError(5, "Input/output error")

        __next__ = readline

    monkeypatch.setattr(customer_input, "open_text", lambda p: Failing())
    with pytest.raises(ValidationError, match="broken.csv: could not be read to the end: Input/output error"):
        rows_of(path)


def test_an_unreadable_file_is_refused_when_opened(tmp_path, monkeypatch):
    path = tmp_path / "secret.csv"
    path.write_text("customer-id\n1\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(customer_input.io, "open", denied)
    with pytest.raises(ValidationError, match="secret.csv: cannot be read where the module runs: Permission denied"):
        CustomerInput(None, str(path))


def test_the_window_is_applied_once_the_campaign_is_known():
    validator = RowValidator(NOW)
    invalid = []
    source = CustomerInput([{"customer_id": 1, "schedule": "2027-01-15T09:00:00Z"}, 2, {"customer_id": 3, "schedule": "2027-01-16T09:00:00Z"}])
    index = scan(source, validator, lambda *args: invalid.append(args))
    assert (index.requested, invalid) == (3, [])
    window = (None, NOW + 86400)  # ends 2027-01-16T08:00Z
    assert apply_window(index, validator, window, lambda *args: invalid.append(args)) == 1
    assert index.requested == 2 and index.invalid == 1
    assert invalid[0][:2] == (-3, 3) and "outside the campaign's window" in invalid[0][2]


def test_no_window_changes_nothing():
    index = InputIndex()
    assert apply_window(index, RowValidator(NOW), (None, None), None) == 0


# ------------------------------------------------------------------ secrets and numbers (client.py, arguments.py)
@pytest.mark.parametrize(
    "option, value",
    [("tenant", "acme\u2014eu"), ("action_token", "act-\u201cSECRET\u201d"), ("data_token", "data-SECRET-\u20ac"), ("data_token", "\U0001f511")],
)
def test_auth_text_outside_latin1_is_refused_naming_the_option_before_any_call(monkeypatch, option, value):
    params = {"tenant": "acme", "base_url": "http://127.0.0.1:1", "action_token": "act", "data_token": "data", option: value}
    monkeypatch.setattr(requests.Session, "send", Mock(side_effect=AssertionError("no HTTP call")))
    with pytest.raises(ValidationError) as info:
        Client.from_params(params)
    text = str(info.value)
    assert text.startswith("{0} holds a character outside Latin-1".format(option)) and "HTTP Basic auth" in text
    assert value not in text and "SECRET" not in text


def test_latin1_auth_text_is_sent_as_requests_sends_it():
    assert Client("http://127.0.0.1:1", "acm\u00e9", data_token="caf\u00e9").tenant == "acm\u00e9"


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("timeout", float("nan"), "timeout must be a number of seconds, not nan"),
        ("timeout", float("inf"), "timeout must be at most 3600 seconds, not inf"),
        ("timeout", 1e12, "timeout must be at most 3600 seconds, not 1000000000000.0"),
        ("timeout", float("-inf"), "timeout must be more than 0 seconds, not -inf"),
        ("retry_max_time", float("nan"), "retry_max_time must be a number of seconds, not nan"),
        ("retry_max_time", float("inf"), "retry_max_time must be at most 86400 seconds, not inf"),
        ("max_retries", 10**6, "max_retries must be at most 100, not 1000000"),
        ("max_retries", 10**30, "max_retries must be at most 100, not 1000000000000000000000000000000"),
    ],
)
def test_connection_numbers_not_finite_or_absurd_are_refused(name, value, words):
    with pytest.raises(ValidationError) as info:
        check_params({name: value})
    assert str(info.value) == words + "."


@pytest.mark.parametrize("campaign_id", [True, False, 5.0, "5"])
def test_campaign_ids_that_are_not_exact_integers_are_refused(campaign_id):
    with pytest.raises(ValidationError, match="campaign_id .* is not a campaign ID: expected a whole number from 1 to 2147483647"):
        check_params({"campaign_id": campaign_id})


# ------------------------------------------------------------------ answers the API does not document (campaigns.py)
def reading(payload):
    api = Mock(spec=Client)
    type(api).can_read = PropertyMock(return_value=True)
    api.get_json.return_value = payload
    api.url_of.side_effect = lambda path: "https://vcc-na12.8x8.com" + path
    return api


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"message": "OK"}, "a JSON object without a campaign (its keys: message)"),
        ({"campaign": None}, "a campaign that is not an object (None)"),
        ([], "a JSON list where an object with a campaign was expected"),
        ({"campaign": {"campaign-id": 5001, "status": 12}}, "campaign status code 12, which the API does not document (it uses 0 to 11)"),
    ],
)
def test_a_campaign_read_that_is_not_the_apis_names_what_came_back(payload, words):
    with pytest.raises(CampaignError) as info:
        CampaignService(reading(payload)).get(5001)
    text = str(info.value)
    assert text.startswith("Campaign 5001: could not be read [GET https://vcc-na12.8x8.com/api/stats/campaigns/5001.json answered 200") and words in text


@pytest.mark.parametrize("status", [12, -1, "", None, "RUNNING"])
def test_no_plan_is_made_for_a_status_code_the_api_does_not_document(status):
    api = reading({"campaign": {"campaign-id": 5001, "status": status, "dynamic-campaign": "Y", "enabled": "Y"}})
    with pytest.raises(CampaignError) as info:
        CampaignService(api).ensure_status(5001, "running")
    text = str(info.value)
    assert "campaign status code {0!r}".format(status) in text and "which the API does not document" in text
    assert "cannot go from" not in text and "None" not in text.replace("code None", "")
    api.request.assert_not_called()

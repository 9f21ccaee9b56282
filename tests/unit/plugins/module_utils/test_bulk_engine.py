# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bulk engine off the happy path: outputs never overwrite inputs, exclusive never removes a declared
customer, a run stopped part-way reports what it did, removals count like adds under lost answers.

A small stateful fake of the API stands behind a strict Client mock: it holds the campaign's records,
applies writes, and can lose answers after applying them (what a reset or a timeout after the write does),
answer 206 after applying, refuse a retry after a lost answer, or split batches with 413.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import json
import re
import os
import signal
import threading
from unittest.mock import Mock, PropertyMock

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client, Response, RetryPolicy
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import BulkFailure, CustomerService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    TransportError,
    ValidationError,
)

CAMPAIGN = 3001
BASE = "/api/tstats/campaigns/3001/customers"


class FakeApi:
    """Records of one campaign; `lose` maps a call number (1-based) to losing that call's answer after applying it."""

    def __init__(self, records=(), can_read=True, support_variant=False):
        self.records = dict((cid, 0) for cid in records)
        self.deleted = set()
        self.calls = 0
        self.lose = set()
        self.refuse_after = None
        self.unreachable_after = None
        self.on_call = None
        self.limited = set()
        # Call number -> (status, applied): the call's first attempt is applied and its answer lost (applied False: it
        # is answered 502, nothing applied), and the client's retry is answered `status`, nothing applied.
        self.retry_refused = {}
        # Call number -> status: answered `status` before anything is applied.
        self.refused = {}
        # Call numbers applied and answered 206 (outcome unknown); call numbers applied and never answered.
        self.timed_out = set()
        self.unanswered = set()
        self.max_batch = 0
        self.support_variant = support_variant
        self.lock = threading.Lock()
        self.client = Mock(spec=Client)
        type(self.client).can_read = PropertyMock(return_value=can_read)
        self.client.stats = {"requests": 0, "retries": 0}
        self.client.write_policy.return_value = RetryPolicy()
        self.client.tenant, self.client.base_url = "acme", "http://127.0.0.1:1"
        self.client.max_retries, self.client.retry_max_time = 5, 120.0
        self.client.request.side_effect = self.request
        self.client.url_of.side_effect = lambda path: "http://127.0.0.1:1" + path
        self.client.get_json.side_effect = lambda path: {"campaign": {"campaign-id": CAMPAIGN, "status": 3, "no-of-records": len(self.records)}}
        self.client.stream_json_chunks.side_effect = self.stream

    def stream(self, path):
        body = {"records": {"record": [{"record-id": cid, "status": status} for cid, status in sorted(self.records.items())]}}
        return iter([json.dumps(body).encode()])

    def request(self, method, path, token, data=None, on_retry=None, **kwargs):
        with self.lock:
            self.calls += 1
            number = self.calls
        if self.on_call:
            self.on_call(number)
        if self.unreachable_after is not None and number > self.unreachable_after:
            raise TransportError(method, path, "ConnectionError: refused", sent=False)
        if number in self.limited or "all" in self.limited:
            # A policy far above the test's pace, so the pacer's cut does not slow the test down.
            return Response(429, {"message": "Too Many Requests"}, {"Retry-After": "0", "RateLimit-Policy": "1000;w=1"})
        if self.refuse_after is not None and number > self.refuse_after:
            return Response(400, {"message": "The campaign has stopped. No additional customers can be added."})
        refused = self.refusal(number, method, path, data, on_retry, kwargs["accept"])
        if refused is not None:
            return refused
        with self.lock:
            response = self.apply(method, path, data)
        if number in self.timed_out:
            return Response(206, {"message": "The request was sent but the response timed out; check the result later."})
        if number in self.unanswered:
            raise TransportError(method, path, "ReadTimeout after 5 attempts", sent=True)
        if number in self.lose:
            if on_retry is not None:
                on_retry(TransportError(method, path, "ReadTimeout"))
            with self.lock:
                response = self.apply(method, path, data)
        return response

    def refusal(self, number, method, path, data, on_retry, accept):
        """The answer of a call refused (413, refused, retry_refused) or None; a retry refused after its first attempt."""
        if method == "POST" and self.max_batch and len(json.loads(data)) > self.max_batch:
            return Response(413, {"message": "Request entity too large"})
        if number in self.refused:
            return refusal(method, path, self.refused[number], accept)
        if number not in self.retry_refused:
            return None
        status, applied = self.retry_refused[number]
        with self.lock:
            first = self.apply(method, path, data) if applied else Response(502, {"message": "Bad Gateway"})
        on_retry(TransportError(method, path, "ReadTimeout") if applied else first)
        return refusal(method, path, status, accept)

    def apply(self, method, path, data):
        if method == "POST":
            items = []
            for entry in json.loads(data):
                cid = int(entry["customer-id"])
                if cid in self.records:
                    items.append({"customer-id": cid, "http-status": 400, "message": "Duplicate customer"})
                else:
                    self.records[cid] = 0
                    items.append({"customer-id": cid, "http-status": 200})
            return Response(207, items)
        cid = int(path.rsplit("/", 1)[1])
        if cid in self.records:
            del self.records[cid]
            self.deleted.add(cid)
            return Response(204, None)
        if self.support_variant and cid in self.deleted:
            return Response(404, {"message": "The customer is not available for deletion: already deleted."})
        return Response(404, {"message": "The customer has not been located."})


def refusal(method, path, status, accept):
    """What the client makes of an error answer: a Response when the call accepts the status, else the typed error."""
    message = "Refused (status {0})".format(status)
    if status in accept:
        return Response(status, {"message": message})
    error = {401: AuthenticationError, 403: AuthenticationError, 404: NotFoundError}.get(status, ApiError)
    raise error(method, path, status, message)


def params(**values):
    base = dict(campaign_id=CAMPAIGN, state="present", customers=None, customers_file=None, customers_file_format=None, exclusive=False)
    base.update(max_removals=None, batch_size=2, workers=2, max_requests_per_second=None, allow_partial=False)
    base.update(failed_records_path=None, progress_path=None)
    base.update(values)
    return base


# ------------------------------------------------------------------ outputs never overwrite inputs
def write_input(tmp_path, ids=(1, 2, 3)):
    path = tmp_path / "in.csv"
    path.write_text("customer-id\n" + "".join("{0}\n".format(cid) for cid in ids))
    return path


@pytest.mark.parametrize("option", ["failed_records_path", "progress_path"])
@pytest.mark.parametrize("check_mode", [False, True])
def test_an_output_that_is_the_input_is_refused_and_the_input_kept(tmp_path, option, check_mode):
    source = write_input(tmp_path)
    before = source.read_text()
    api = FakeApi()
    with pytest.raises(ValidationError, match="{0} .* is the same file as".format(option)):
        CustomerService(api.client).sync(params(customers_file=str(source), **{option: str(source)}), check_mode=check_mode)
    assert source.read_text() == before
    assert api.calls == 0
    api.client.get_json.assert_not_called()


@pytest.mark.parametrize("option", ["failed_records_path", "progress_path"])
def test_an_output_that_is_the_do_not_call_list_is_refused_and_the_list_kept(tmp_path, option):
    suppressed = tmp_path / "dnc.csv"
    suppressed.write_text("customer-id\n7\n")
    api = FakeApi()
    with pytest.raises(ValidationError, match="{0} .* is the same file as .*dnc.csv, which it would overwrite".format(option)):
        CustomerService(api.client).sync(params(customers=[1], suppressed_file=str(suppressed), **{option: str(suppressed)}))
    assert suppressed.read_text() == "customer-id\n7\n" and api.calls == 0


def test_an_output_that_resolves_to_the_input_is_refused(tmp_path):
    source = write_input(tmp_path)
    os.symlink(str(source), str(tmp_path / "link.csv"))
    (tmp_path / "sub").mkdir()
    api = FakeApi()
    for output in (tmp_path / "link.csv", tmp_path / "sub" / ".." / "in.csv"):
        with pytest.raises(ValidationError, match="is the same file as"):
            CustomerService(api.client).sync(params(customers_file=str(source), failed_records_path=str(output)))
    assert source.read_text().startswith("customer-id\n1\n")


@pytest.mark.parametrize(
    "output, message",
    [("DIR", "is a directory"), ("DIR/missing/out.csv", "lies in a directory that does not exist"), ("DIR/a\0b", "is not a usable path")],
)
def test_bad_output_paths_are_refused_before_any_request(tmp_path, output, message):
    api = FakeApi()
    with pytest.raises(ValidationError, match=message):
        CustomerService(api.client).sync(params(customers=[1], progress_path=output.replace("DIR", str(tmp_path))))
    assert api.calls == 0


def test_both_outputs_on_one_file_are_refused(tmp_path):
    out = str(tmp_path / "out")
    with pytest.raises(ValidationError, match="progress_path .* is the same file as"):
        CustomerService(FakeApi().client).sync(params(customers=[1], failed_records_path=out, progress_path=out))


# ------------------------------------------------------------------ exclusive never removes a declared customer
def test_exclusive_keeps_a_declared_customer_whose_row_is_invalid():
    api = FakeApi(records=[10, 11, 12])
    customers = [10, {"customer_id": 11, "schedule": "not a date"}, {"customer_id": "12", "schedule": "2020-01-01T00:00:00Z"}]
    changed, result, _diff = CustomerService(api.client).sync(params(customers=customers, exclusive=True, max_removals="100%", allow_partial=True))
    assert sorted(api.records) == [10, 11, 12]
    assert result["summary"]["removed"] == 0
    assert result["summary"]["invalid"] == 2
    assert changed is False


# ------------------------------------------------------------------ a run stopped part-way
def test_a_refusal_part_way_fails_with_changed_and_the_summary(tmp_path):
    api = FakeApi()
    api.refuse_after = 3
    failed = tmp_path / "failed.csv"
    with pytest.raises(BulkFailure, match="adding customers was refused: The campaign has stopped.*stopped part-way") as error:
        CustomerService(api.client).sync(params(customers=list(range(1, 21)), workers=1, failed_records_path=str(failed)))
    summary = error.value.result["summary"]
    assert error.value.changed is True
    assert summary["added"] == len(api.records) == 6
    assert summary["failed"] == 2
    assert summary["added"] + summary["failed"] + summary["not_sent"] == 20
    assert len(failed.read_text().splitlines()) == 1 + summary["failed"]


def test_the_api_gone_part_way_fails_with_changed_and_the_summary():
    api = FakeApi()
    api.unreachable_after = 2
    with pytest.raises(BulkFailure, match="no usable answer") as error:
        CustomerService(api.client).sync(params(customers=list(range(1, 41)), workers=1))
    summary = error.value.result["summary"]
    assert error.value.changed is True
    assert summary["added"] == len(api.records) == 4
    # Never connected: nothing can have been applied, so these are failures, not uncertain.
    assert summary["uncertain"] == 0
    assert summary["added"] + summary["failed"] + summary["not_sent"] == 40


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_part_way_fails_with_changed_and_the_summary(signum, feed_stopped):
    def on_call(number):
        if number == 4:
            os.kill(os.getpid(), signum)
        elif number > 4:
            feed_stopped()

    api = FakeApi()
    api.on_call = on_call
    with pytest.raises(BulkFailure, match="interrupted by {0}".format(signal.Signals(signum).name)) as error:
        CustomerService(api.client).sync(params(customers=list(range(1, 201)), workers=1))
    summary = error.value.result["summary"]
    assert error.value.changed is True
    assert 0 < summary["added"] == len(api.records) < 200
    assert summary["added"] + summary["not_sent"] == 200
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


# ------------------------------------------------------------------ a retry refused after a lost answer
def stopped_run(api, warn=None, **values):
    """The BulkFailure of a run that stops part-way: (summary, changed, message)."""
    with pytest.raises(BulkFailure, match="stopped part-way") as error:
        CustomerService(api.client).sync(params(workers=1, **values), warn=warn)
    return error.value.result["summary"], error.value.changed, error.value.message


@pytest.mark.parametrize("status", [401, 403, 422])
def test_an_add_whose_answer_was_lost_and_whose_retry_was_refused_is_uncertain_without_data_token(status):
    api = FakeApi(can_read=False)
    api.retry_refused = {1: (status, True)}
    warn = Mock()
    summary, changed, message = stopped_run(api, warn, customers=[1, 2, 3])
    # The lost attempt added 1 and 2; nothing can read them back: uncertain, and the task changed something.
    assert sorted(api.records) == [1, 2]
    assert (summary["added"], summary["uncertain"], summary["failed"], summary["not_sent"]) == (0, 2, 0, 1), summary
    assert changed is True
    assert "the request failed" in message and "0 added, 0 removed, 2 uncertain, 0 failed, 1 not sent" in message
    assert any("2 customer(s) stayed unknown" in call.args[0] and "uncertain" in call.args[0] for call in warn.call_args_list)


@pytest.mark.parametrize("status", [403, 422])
def test_an_add_whose_answer_was_lost_and_whose_retry_was_refused_is_read_back_with_data_token(status, tmp_path):
    api = FakeApi(records=[2])
    api.retry_refused = {1: (status, True)}
    summary, changed, _message = stopped_run(api, customers=[1, 2, 3, 4, 5])
    # 2 is held (the snapshot says so, it is not sent); batch [1, 3] applied, its answer lost, its retry refused:
    # read back, both added. Batch [4, 5] was never sent.
    assert sorted(api.records) == [1, 2, 3]
    assert (summary["added"], summary["already_present"], summary["uncertain"], summary["failed"], summary["not_sent"]) == (2, 1, 0, 0, 2), summary
    assert changed is True


def test_an_add_answered_502_then_refused_is_read_back_as_failed_with_what_happened(tmp_path):
    api = FakeApi()
    api.retry_refused = {1: (403, False)}
    failed = tmp_path / "failed.csv"
    summary, changed, _message = stopped_run(api, customers=[1, 2], failed_records_path=str(failed))
    assert api.records == {}
    assert (summary["added"], summary["uncertain"], summary["failed"], summary["not_sent"]) == (0, 0, 2, 0), summary
    assert changed is False
    rows = list(csv.reader(failed.read_text().splitlines()))
    assert rows[1] == [
        "1",
        "",
        "",
        "",
        "403",
        "not in the campaign when read back (an earlier attempt got no answer (it may have been applied), then the retry was refused: Refused (status 403))",
    ]


def test_an_add_answered_206_whose_resend_was_refused_is_uncertain():
    api = FakeApi(can_read=False)
    api.timed_out = {1}
    api.refused = {2: 422}
    summary, changed, _message = stopped_run(api, customers=[1, 2])
    assert sorted(api.records) == [1, 2]
    assert (summary["uncertain"], summary["not_sent"]) == (2, 0) and changed is True


def test_an_add_refused_at_its_first_attempt_is_still_not_sent():
    api = FakeApi(can_read=False)
    api.refused = {2: 403}
    summary, changed, message = stopped_run(api, customers=[1, 2, 3, 4])
    assert sorted(api.records) == [1, 2]
    assert (summary["added"], summary["uncertain"], summary["failed"], summary["not_sent"]) == (2, 0, 0, 2), summary
    assert changed is True and "answered 403" in message


def test_an_add_refused_at_its_first_attempt_changes_nothing():
    api = FakeApi(can_read=False)
    api.refused = {1: 422}
    summary, changed, _message = stopped_run(api, customers=[1, 2])
    assert api.records == {}
    assert (summary["uncertain"], summary["not_sent"]) == (0, 2) and changed is False


@pytest.mark.parametrize("can_read, removed, uncertain", [(True, 1, 0), (False, 0, 1)])
def test_a_removal_whose_answer_was_lost_and_whose_retry_was_refused_is_not_not_sent(can_read, removed, uncertain):
    api = FakeApi(records=[1, 2, 3], can_read=can_read)
    api.retry_refused = {2: (403, True)}
    summary, changed, _message = stopped_run(api, state="absent", customers=[1, 2, 3])
    assert sorted(api.records) == [3]
    summary_counts = (summary["removed"], summary["uncertain"], summary["failed"], summary["not_sent"])
    assert summary_counts == (1 + removed, uncertain, 0, 1), summary
    assert changed is True


@pytest.mark.parametrize("status", [403, 422])
def test_a_removal_refused_at_its_first_attempt_is_still_not_sent(status):
    api = FakeApi(records=[1, 2, 3], can_read=False)
    api.refused = {2: status}
    summary, changed, _message = stopped_run(api, state="absent", customers=[1, 2, 3])
    # 2 and 3 not sent (2 refused before anything was applied); 1, removed before it in the same unit, is counted.
    assert sorted(api.records) == [2, 3]
    assert (summary["removed"], summary["uncertain"], summary["not_sent"]) == (1, 0, 2), summary
    assert changed is True


def test_the_request_that_stops_a_run_of_lost_answers_is_uncertain_too():
    api = FakeApi(can_read=False)
    api.unanswered = set(range(1, 100))
    summary, changed, message = stopped_run(api, customers=list(range(1, 13)), batch_size=1)
    # Ten requests applied, none answered: the tenth stops the run and is as uncertain as the nine before it.
    assert "10 requests in a row got no usable answer" in message
    assert sorted(api.records) == list(range(1, 11))
    assert (summary["uncertain"], summary["failed"], summary["not_sent"]) == (10, 0, 2), summary


def test_a_split_batch_stopped_at_its_second_half_keeps_the_first_halfs_results():
    api = FakeApi(records=[1], can_read=False)
    api.max_batch = 2
    api.refused = {3: 400}
    summary, changed, _message = stopped_run(api, customers=[1, 2, 3, 4], batch_size=4)
    # Call 1: 413; call 2: [1, 2] answered (1 held, 2 added); call 3: [3, 4] refused.
    assert sorted(api.records) == [1, 2]
    assert (summary["added"], summary["already_present"], summary["failed"], summary["not_sent"]) == (1, 1, 2, 0), summary
    assert changed is True


# ------------------------------------------------------------------ removals count like adds
@pytest.mark.parametrize("support_variant", [False, True])
def test_a_removal_whose_answer_was_lost_is_counted_removed(support_variant):
    api = FakeApi(records=[1, 2, 3, 4], support_variant=support_variant)
    api.lose = {2, 3}
    changed, result, _diff = CustomerService(api.client).sync(params(state="absent", customers=[1, 2, 3, 4], workers=1))
    summary = result["summary"]
    assert api.records == {}
    assert (summary["removed"], summary["failed"], summary["not_deletable"], summary["uncertain"]) == (4, 0, 0, 0)
    assert changed is True


def test_a_removal_whose_answer_was_lost_is_uncertain_without_data_token():
    api = FakeApi(records=[1, 2], can_read=False, support_variant=True)
    api.lose = {1}
    warn = Mock()
    changed, result, _diff = CustomerService(api.client).sync(params(state="absent", customers=[1, 2], workers=1), warn=warn)
    summary = result["summary"]
    assert (summary["removed"], summary["uncertain"], summary["failed"], summary["not_deletable"]) == (1, 1, 0, 0)
    assert any("uncertain" in call.args[0] for call in warn.call_args_list)


def test_exclusive_removals_with_lost_answers_are_settled_as_removals():
    api = FakeApi(records=[1, 2, 3, 4, 5])
    api.lose = {2, 3}
    changed, result, _diff = CustomerService(api.client).sync(params(customers=[1], exclusive=True, max_removals="100%", workers=1))
    summary = result["summary"]
    assert sorted(api.records) == [1]
    assert (summary["already_present"], summary["removed"], summary["failed"], summary["uncertain"]) == (1, 4, 0, 0)


def test_a_delete_never_sent_is_a_failure_not_uncertain():
    api = FakeApi(records=[1], can_read=False)
    api.unreachable_after = 0
    with pytest.raises(BulkFailure) as error:
        CustomerService(api.client).sync(params(state="absent", customers=[1], workers=1))
    assert (error.value.result["summary"]["failed"], error.value.result["summary"]["uncertain"]) == (1, 0)
    assert api.records == {1: 0}


# ------------------------------------------------------------------ options that are wrong
@pytest.mark.parametrize(
    "values, message",
    [
        (dict(max_requests_per_second=float("nan")), "max_requests_per_second must be"),
        (dict(max_requests_per_second=float("inf")), "max_requests_per_second must be"),
        (dict(max_requests_per_second=1e300), "max_requests_per_second must be"),
        (dict(exclusive=True, max_removals="nan%"), "max_removals must be"),
        (dict(exclusive=True, max_removals="inf"), "max_removals must be"),
        (dict(exclusive=True, max_removals="1e400"), "max_removals must be"),
        (dict(exclusive=True, max_removals="150%"), "max_removals must be"),
        (dict(exclusive=True, max_removals=True), "max_removals must be"),
        (dict(exclusive=True, max_removals="9" * 5000), "max_removals must be"),
        (dict(max_removals=5), "max_removals applies only with exclusive"),
        (dict(batch_size=True), "batch_size must be"),
    ],
)
def test_wrong_option_values_get_a_clear_error_before_any_request(values, message):
    api = FakeApi()
    with pytest.raises(ValidationError, match="^Campaign 3001: " + message):
        CustomerService(api.client).sync(params(customers=[1], **values))
    assert api.calls == 0


def test_a_429_is_sent_again_in_a_later_turn_and_counted():
    api = FakeApi()
    api.limited = {2, 3}
    changed, result, _diff = CustomerService(api.client).sync(params(customers=list(range(1, 11))))
    assert changed and sorted(api.records) == list(range(1, 11))
    summary = result["summary"]
    assert summary["added"] == 10 and summary["rate_limited"] == 2 and summary["retries"] == 2
    assert api.calls == 5 + 2


def test_a_batch_refused_429_every_time_is_not_applied_after_max_retries():
    api = FakeApi()
    api.limited = {"all"}
    api.client.max_retries = 3
    with pytest.raises(BulkFailure) as info:
        CustomerService(api.client).sync(params(customers=[1, 2], batch_size=2))
    summary = info.value.result["summary"]
    assert summary["failed"] == 2 and summary["uncertain"] == 0 and summary["rate_limited"] == 3
    assert api.calls == 3 and not api.records
    assert info.value.result["failures"][0]["message"] == "not sent: the API answered 429 (rate limited) to every attempt"
    assert re.search(
        r"Rate limited by 127\.0\.0\.1:1: 3 answers 429 \(Too Many Requests\) over [0-9.]+ s\. 1 request\(s\) were given up after 3 attempt\(s\) each\."
        r" Lower workers \(now 2\) or set max_requests_per_second below the tenant's rate limit",
        info.value.message,
    ), info.value.message


def test_a_run_stopped_by_429s_says_so_in_its_message_and_its_summary_says_what_changed():
    api = FakeApi()
    api.limited = set(range(3, 400))
    api.client.max_retries = 2
    with pytest.raises(BulkFailure) as info:
        CustomerService(api.client).sync(params(customers=list(range(1, 41)), batch_size=2, workers=1, max_requests_per_second=500))
    message, summary = info.value.message, info.value.result["summary"]
    assert message.startswith("Campaign {0}: 10 requests in a row got no usable answer after retries (the API answered 429 (rate limited)".format(CAMPAIGN))
    assert "Rate limited by 127.0.0.1:1: 20 answers 429 (Too Many Requests) over " in message
    assert "Lower workers (now 1) or set max_requests_per_second (now 500) below the tenant's rate limit" in message
    assert (
        "against the tenant at once. The run stopped part-way: 4 added, 0 removed, 0 uncertain, {0} failed, {1} not sent".format(
            summary["failed"], summary["not_sent"]
        )
        in message
    )
    assert summary["added"] == 4 and summary["added"] + summary["failed"] + summary["not_sent"] == 40
    assert summary["rate_limited"] == 20 and info.value.changed is True

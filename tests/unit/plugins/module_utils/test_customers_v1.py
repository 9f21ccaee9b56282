# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""campaign_customer on the Campaigns API v1: row validation (table-driven), batch outcomes, the ledger, the run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import json
import os
import signal
import sqlite3
import threading
import uuid
from decimal import Decimal
from unittest.mock import Mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_report import BulkFailure
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers_v1 import V1CustomerService
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import NotFoundError, TransportError, ValidationError
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.http_answers import Response
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import v1_ledger
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import Ledger
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_records import add_batch, held_id, record_of

CID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.parametrize(
    "fields, record, reason",
    [
        ({"customer_id": "CRM-12345"}, {"crmRecordId": "CRM-12345"}, None),
        ({"customer-id": 101}, {"crmRecordId": "101"}, None),
        ({"customer_id": " 00123 "}, {"crmRecordId": "00123"}, None),
        ({"customer_id": Decimal("5.0")}, {"crmRecordId": "5"}, None),
        ({"customer_id": "x" * 32}, {"crmRecordId": "x" * 32}, None),
        ({"customer_id": "A", "priority": "medium", "rank": "1.5"}, {"crmRecordId": "A", "priority": "MEDIUM", "rank": 1.5}, None),
        ({"customer_id": "A", "rank": 3}, {"crmRecordId": "A", "rank": 3}, None),
        ({"customer_id": "A", "schedule": "2030-01-16T11:00:00+01:00"}, {"crmRecordId": "A", "scheduleAt": "2030-01-16T10:00:00Z"}, None),
        ({"customer_id": "A", "priority": "", "rank": ""}, {"crmRecordId": "A"}, None),
        ({"customer_id": "x" * 33}, None, "customer-id '{0}' has 33 characters; the crmRecordId takes at most 32".format("x" * 33)),
        ({"customer_id": ""}, None, "customer-id is missing"),
        ({}, None, "customer-id is missing"),
        ({"customer_id": True}, None, "customer-id True is not an id"),
        ({"customer_id": 1.5}, None, "customer-id 1.5 is a number with a fraction; write it as text"),
        ({"customer_id": "A", "priority": "URGENT"}, None, "customer A: priority 'URGENT' is not one of HIGH, MEDIUM, LOW"),
        ({"customer_id": "A", "rank": "first"}, None, "customer A: rank 'first' is not a number"),
        ({"customer_id": "A", "rank": "nan"}, None, "customer A: rank 'nan' is not a number"),
        ({"customer_id": "A", "schedule": "tomorrow"}, None, None),
        ({"customer_id": "A", "phone": "1"}, None, "unknown key(s) phone; use customer_id, schedule, priority and rank"),
    ],
)
def test_record_of(fields, record, reason):
    got, why = record_of(fields)
    assert got == record
    if reason is not None or record is not None:
        assert why == reason
    else:
        assert why.startswith("customer A: schedule 'tomorrow' is not ISO 8601 with a timezone")


@pytest.mark.parametrize(
    "detail, held",
    [
        ("Campaign already contains record for Id: CRM-12345", "CRM-12345"),
        ("Campaign already contains record for Id: 42.", "42"),
        ("Validation failed", None),
        (None, None),
    ],
)
def test_held_id(detail, held):
    assert held_id({"detail": detail}) == held


class FakeRecords:
    """The all-or-nothing add of the API: a held id names itself, a bad field rejects the whole request."""

    def __init__(self, held=(), bad=(), held_status=409):
        self.held = set(held)
        self.bad = set(bad)
        self.held_status = held_status
        self.requests = []
        self.lock = threading.Lock()

    def post(self, records):
        with self.lock:
            return self.answer(records)

    def answer(self, records):
        self.requests.append([record["crmRecordId"] for record in records])
        assert 1 <= len(records) <= 100
        for record in records:
            if record["crmRecordId"] in self.held:
                return self.held_status, {"title": "Conflict", "detail": "Campaign already contains record for Id: {0}".format(record["crmRecordId"])}
        if any(record["crmRecordId"] in self.bad for record in records):
            return 400, {"title": "Validation failed", "errors": [{"field": "records[0].crmRecordId", "code": "Pattern", "message": "invalid"}]}
        self.held.update(record["crmRecordId"] for record in records)
        return 201, {"records": [dict(record, state="PENDING") for record in records]}


def batch_of(*ids):
    return [(line, {"crmRecordId": cid}) for line, cid in enumerate(ids, 2)]


def outcomes(results):
    return dict((entry[1]["crmRecordId"], outcome) for entry, outcome, _status, _message in results)


@pytest.mark.parametrize(
    "held, bad, held_status, expected, requests",
    [
        ((), (), 409, {"a": "added", "b": "added", "c": "added"}, 1),
        (("b",), (), 409, {"a": "added", "b": "already_present", "c": "added"}, 2),
        (("b",), (), 400, {"a": "added", "b": "already_present", "c": "added"}, 2),
        (("a", "c"), (), 409, {"a": "already_present", "b": "added", "c": "already_present"}, 3),
        ((), ("c",), 409, {"a": "added", "b": "added", "c": "failed", "d": "added"}, 5),
        (("a",), ("d",), 409, {"a": "already_present", "b": "added", "c": "added", "d": "failed"}, 6),
    ],
)
def test_add_batch_gets_every_record_its_own_outcome(held, bad, held_status, expected, requests):
    server = FakeRecords(held, bad, held_status)
    ids = sorted(expected)
    results = add_batch(answered(server), batch_of(*ids))
    assert outcomes(results) == expected and len(results) == len(ids)
    assert len(server.requests) == requests


def answered(server, lost=()):
    """post() of add_batch: the server's answer; a request with an id of `lost` is applied and its first answer lost,
    so the retry's answer is ambiguous."""

    def post(records):
        ids = set(record["crmRecordId"] for record in records)
        if ids & set(lost):
            lost_now = [cid for cid in lost if cid in ids]
            for cid in lost_now:
                lost.remove(cid)
            server.post(records)
            return server.post(records) + (True,)
        return server.post(records) + (False,)

    return post


def test_a_held_id_after_a_lost_answer_is_uncertain_and_the_rest_is_added():
    server = FakeRecords(held=("c",))
    results = add_batch(answered(server, lost=["a"]), batch_of("a", "b", "c"))
    # c was held before: the lost attempt was refused and stored nothing, but its retry's refusal of c cannot tell
    # that from "the lost attempt stored c": uncertain. a and b are then sent alone and added.
    assert outcomes(results) == {"a": "added", "b": "added", "c": "uncertain"}
    server = FakeRecords()
    results = add_batch(answered(server, lost=["a"]), batch_of("a", "b"))
    # The lost attempt stored a and b; the retry is refused naming a, then b: both may be this run's.
    assert outcomes(results) == {"a": "uncertain", "b": "uncertain"}
    assert all(entry[2] == 409 and "may have added it" in entry[3] for entry in results)


@pytest.mark.parametrize("ambiguous, expected", [(True, {"a": "uncertain", "b": "uncertain"}), (False, {})])
def test_a_run_stopped_after_a_lost_answer_counts_that_requests_records_uncertain(ambiguous, expected):
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_send import RunStopped

    def post(records):
        # The lost attempt may have stored them; its retry is refused for the campaign's state: the run stops.
        raise RunStopped(ValueError("the campaign refused records: not allowed in state COMPLETE"), ambiguous=ambiguous)

    results = []
    with pytest.raises(RunStopped):
        add_batch(post, batch_of("a", "b"), results)
    assert outcomes(results) == expected and all(entry[2] is None for entry in results)


def test_a_field_error_is_reported_with_the_problem_document():
    results = add_batch(answered(FakeRecords(bad=("b",))), batch_of("a", "b"))
    failed = [entry for entry in results if entry[1] == "failed"]
    assert failed[0][2:] == (400, "Validation failed; records[0].crmRecordId: invalid")


def test_ledger_round_trip(tmp_path):
    path = str(tmp_path / "ledger.sqlite")
    ledger = Ledger(path)
    ledger.confirm(CID, ["a", "b"])
    ledger.saw_state(CID, "RUNNING")
    ledger.close()
    again = Ledger(path)
    assert again.held(CID, ["a", "c"]) == {"a"} and again.held("other", ["a"]) == set()
    summary = again.summary(CID)
    assert summary["records_confirmed"] == 2 and summary["state"] == "RUNNING" and summary["state_seen"]


# Any crmRecordId a file or a list can carry: quotes, backslashes, control characters, non-ASCII, astral planes.
RECORD_IDS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=32)


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=st.lists(st.lists(RECORD_IDS, max_size=6), min_size=1, max_size=4), json_each=st.booleans())
def test_the_ledger_keeps_every_id_exactly_whichever_way_it_writes(tmp_path, groups, json_each):
    """A group written as one JSON array (json_each) or row by row (executemany, SQLite builds without JSON) holds
    the same ids, exactly, once each."""
    path = str(tmp_path / "ledger-{0}.sqlite".format(uuid.uuid4().hex))
    ledger = Ledger(path)
    ledger.json_each = json_each and ledger.json_each
    try:
        ledger.write([(CID, ids) for ids in groups] + [("other", groups[0])])
        wanted = set(cid for ids in groups for cid in ids)
        assert ledger.held(CID, list(wanted) + ["not-written"]) == wanted
        assert sorted(ledger.confirmed_ids(CID, 1000)) == sorted(wanted) and ledger.summary(CID)["records_confirmed"] == len(wanted)
        assert ledger.held("other", groups[0]) == set(groups[0])
    finally:
        ledger.close()


def test_a_sqlite_without_json_each_is_written_row_by_row(tmp_path, monkeypatch):
    def no_json(db):
        raise sqlite3.OperationalError("no such table: json_each")

    probe = v1_ledger.has_json_each
    monkeypatch.setattr(v1_ledger, "has_json_each", lambda db: probe(Mock(execute=no_json)))
    ledger = Ledger(str(tmp_path / "ledger.sqlite"))
    assert ledger.json_each is False
    ledger.confirm(CID, ['a"b', "c"])
    assert ledger.held(CID, ['a"b', "c", "d"]) == {'a"b', "c"}
    ledger.close()


def test_a_file_that_is_no_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "ledger.sqlite"
    path.write_text("not a database, but text long enough to be read as a header of something" * 10)
    with pytest.raises(ValidationError, match="ledger_path .* not an SQLite database"):
        Ledger(str(path))


def service_for(server):
    client = Mock(spec=Client)
    client.max_retries, client.retry_max_time, client.stats = 3, 10.0, {"requests": 0, "retries": 0}
    client.tenant, client.base_url = "acme", "http://sim.test/cc/US1/campaigns/v1"

    def request(method, path, token, body=None, retry=None, accept=(), on_retry=None, success_body=True):
        assert (method, path, token) == ("POST", "/{0}/records".format(CID), "action") and 409 in accept and 429 in accept
        assert success_body is False  # a v1 add's records answered back are not decoded
        assert 429 not in retry.statuses  # the pacer's, not the client's
        status, answer = server.post(body["records"])
        return Response(status, answer)

    client.request.side_effect = request
    return V1CustomerService(client), client


def params(**extra):
    base = {"campaign_id": CID, "state": "present", "customers": None, "customers_file": None, "batch_size": 100}
    base.update(extra)
    return base


def test_a_run_adds_counts_and_confirms_in_the_ledger_so_a_rerun_sends_nothing(tmp_path):
    server = FakeRecords(held=("B",))
    service, client = service_for(server)
    ledger = str(tmp_path / "ledger.sqlite")
    declared = params(customers=["A", {"customer_id": "B", "priority": "LOW"}, "C", "A"], ledger_path=ledger, batch_size=2, workers=1)
    changed, result, diff = service.sync(declared)
    summary = result["summary"]
    assert changed is True and (summary["requested"], summary["added"], summary["already_present"], summary["duplicates"]) == (3, 2, 1, 1)
    assert server.requests == [["A", "B"], ["A"], ["C"]] and diff["after"].splitlines()[1:] == ["  added A", "  added C"]
    client.request.reset_mock()
    changed, result, _diff = service.sync(declared)
    assert changed is False and result["summary"]["already_present"] == 3 and client.request.call_count == 0
    changed, result, _diff = service.sync(params(customers=["A", "D"], ledger_path=ledger), check_mode=True)
    assert changed is True and (result["summary"]["added"], result["summary"]["already_present"]) == (1, 1) and client.request.call_count == 0


def test_check_mode_without_a_ledger_warns_and_sends_nothing():
    service, client = service_for(FakeRecords())
    warn = Mock()
    changed, result, _diff = service.sync(params(customers=["A"]), check_mode=True, warn=warn)
    assert changed is True and client.request.call_count == 0 and "no ledger_path" in warn.call_args[0][0]


@pytest.mark.parametrize(
    "extra, words",
    [
        ({"state": "absent"}, "state=absent is not possible on api campaigns_v1"),
        ({"exclusive": True}, "exclusive is not possible on api campaigns_v1"),
        ({"reschedule": True, "calling_hours": {"start": "9:00"}}, "reschedule, calling_hours are not possible"),
        ({"batch_size": 101}, "batch_size must be from 1 to 100"),
        ({"workers": 0}, "workers must be from 1 to 64, not 0"),
    ],
)
def test_what_the_api_cannot_do_is_refused_before_any_call(extra, words):
    service, client = service_for(FakeRecords())
    with pytest.raises(ValidationError, match=words):
        service.sync(params(customers=["A"], **extra))
    assert client.request.call_count == 0


def test_invalid_rows_refuse_the_run_before_any_call_naming_the_row():
    service, client = service_for(FakeRecords())
    with pytest.raises(BulkFailure, match=r"1 invalid row\(s\); nothing was sent.*customers\[1\]: customer-id 'x{33}' has 33 characters") as info:
        service.sync(params(customers=["A", "x" * 33]))
    assert client.request.call_count == 0 and info.value.changed is False


def one_column_file(tmp_path, ids):
    path = tmp_path / "customers.csv"
    path.write_text("customer-id\n" + "".join(cid + "\n" for cid in ids))
    return str(path)


def test_invalid_rows_refuse_the_run_with_whole_counts_of_a_one_column_file(tmp_path):
    """The ids of a one-column file are counted by the second pass: a run refused for an invalid row runs it, unsent."""
    path = one_column_file(tmp_path, ["A", "B", "A", "C"])
    service, client = service_for(FakeRecords())
    with pytest.raises(BulkFailure, match=r"1 invalid row\(s\); nothing was sent.*customers\[0\]") as info:
        service.sync(params(customers=["x" * 33], customers_file=path))
    summary = info.value.result["summary"]
    assert client.request.call_count == 0 and (summary["requested"], summary["duplicates"], summary["invalid"], summary["not_sent"]) == (3, 1, 1, 0)


def test_a_run_that_stops_part_way_counts_every_row_of_a_one_column_file_requested_or_not_sent(tmp_path):
    """The second pass stops with the run; what it had not reached is counted before the result: not_sent is whole."""
    path = one_column_file(tmp_path, ["A", "B", "A", "C", "D", "B", "E"])
    service, client = service_for(FakeRecords())
    client.request.side_effect = NotFoundError("POST", "/x/records", 404, "no such campaign")
    with pytest.raises(BulkFailure, match="stopped part-way") as info:
        service.sync(params(customers_file=path, batch_size=1, workers=1))
    summary = info.value.result["summary"]
    assert (summary["requested"], summary["duplicates"], summary["added"], summary["not_sent"]) == (5, 2, 0, 5)


def test_a_signal_while_a_stopped_run_counts_the_rest_does_not_lose_its_result(tmp_path, monkeypatch):
    """The run stops (404); SIGTERM comes while it counts the rows it did not reach: the result still comes."""
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers_v1 import V1Run

    whole_counts = V1Run.whole_counts

    def signalled(self, chunks):
        os.kill(os.getpid(), signal.SIGTERM)
        whole_counts(self, chunks)

    monkeypatch.setattr(V1Run, "whole_counts", signalled)
    service, client = service_for(FakeRecords())
    client.request.side_effect = NotFoundError("POST", "/x/records", 404, "no such campaign")
    with pytest.raises(BulkFailure, match="stopped part-way") as info:
        service.sync(params(customers_file=one_column_file(tmp_path, ["A", "B", "C"]), batch_size=1, workers=1))
    assert (info.value.result["summary"]["requested"], info.value.result["summary"]["not_sent"]) == (3, 3)


def test_a_repeat_with_other_fields_is_invalid():
    service, _client = service_for(FakeRecords())
    with pytest.raises(BulkFailure, match="customer A is repeated with other fields than customers\\[0\\]"):
        service.sync(params(customers=[{"customer_id": "A", "priority": "HIGH"}, {"customer_id": "A", "priority": "LOW"}]))


def test_failed_records_fail_the_task_and_go_to_the_failures_file(tmp_path):
    failures = str(tmp_path / "failed.csv")
    service, _client = service_for(FakeRecords(bad=("B",)))
    with pytest.raises(BulkFailure, match="1 record\\(s\\) failed") as info:
        service.sync(params(customers=["A", "B", "C"], failed_records_path=failures))
    assert info.value.changed is True and info.value.result["summary"]["added"] == 2
    rows = list(csv.reader(open(failures)))
    assert rows[1][0] == "B" and rows[1][4] == "400"


def test_a_campaign_that_refuses_records_stops_the_run_with_what_was_done():
    server = FakeRecords()
    server.post = lambda records: (400, {"title": "Bad request", "detail": "Records can only be added to a dynamic campaign"})
    service, _client = service_for(server)
    with pytest.raises(BulkFailure, match="dynamic campaign. The run stopped part-way: 0 added, 0 already present, 0 uncertain, 0 failed, 2 not sent"):
        service.sync(params(customers=["A", "B"]))


def test_an_unknown_campaign_stops_the_run():
    service, client = service_for(FakeRecords())
    client.request.side_effect = NotFoundError("POST", "/x/records", 404, "Campaign not found")
    with pytest.raises(BulkFailure, match="Campaign not found"):
        service.sync(params(customers=["A"]))


def test_a_csv_file_with_priority_and_rank_columns(tmp_path):
    path = tmp_path / "records.csv"
    path.write_text("customer-id,priority,rank,schedule\nCRM-1,low,2,\nCRM-2,,,2030-01-16T10:00:00Z\n")
    server = FakeRecords()
    sent = []
    original = server.post

    def post(records):
        sent.extend(records)
        return original(records)

    server.post = post
    service, _client = service_for(server)
    service.sync(params(customers_file=str(path)))
    assert sent == [{"crmRecordId": "CRM-1", "priority": "LOW", "rank": 2}, {"crmRecordId": "CRM-2", "scheduleAt": "2030-01-16T10:00:00Z"}]


def test_a_jsonl_file(tmp_path):
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in ({"customer_id": "A", "rank": 1.5}, {"customer_id": 7})) + "\n")
    server = FakeRecords()
    service, _client = service_for(server)
    _changed, result, _diff = service.sync(params(customers_file=str(path)))
    assert result["summary"]["added"] == 2 and server.requests == [["A", "7"]]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("latin1.csv", b"customer-id,priority\nA,LOW\nRen\xe9,HIGH\n", r"customers_file .*latin1.csv: line 3: not UTF-8 text"),
        ("empty.csv", b"", r"customers_file .*empty.csv: is empty; expected a header line"),
        ("blank.jsonl", b"\n\n", r"customers_file .*blank.jsonl: is empty; expected one JSON object"),
        ("no_id.csv", b"name,priority\nAna,LOW\n", r"customers_file .*no_id.csv: line 1: the header has no customer-id column \(found: name, priority\)"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_before_any_call_as_on_the_legacy_api(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    service, client = service_for(FakeRecords())
    with pytest.raises(ValidationError, match=message):
        service.sync(params(customers_file=str(path)))
    assert client.request.call_count == 0


@pytest.mark.parametrize(
    "outputs, message",
    [
        (dict(failed_records_path="IN"), "failed_records_path .* is the same file as .*in.csv"),
        (dict(progress_path="IN"), "progress_path .* is the same file as .*in.csv"),
        (dict(ledger_path="IN"), "ledger_path .* is the same file as .*in.csv"),
        (dict(ledger_path="LEDGER", failed_records_path="LEDGER"), "failed_records_path .* is the same file as .*ledger.sqlite"),
        (dict(progress_path="DIR"), "progress_path .* is a directory"),
    ],
)
def test_an_output_that_would_overwrite_the_input_or_the_ledger_is_refused_before_any_call(tmp_path, outputs, message):
    source = tmp_path / "in.csv"
    source.write_text("customer-id\nA\n")
    ledger = str(tmp_path / "ledger.sqlite")
    Ledger(ledger).close()
    before = (source.read_bytes(), open(ledger, "rb").read())
    places = {"IN": str(source), "LEDGER": ledger, "DIR": str(tmp_path)}
    service, client = service_for(FakeRecords())
    with pytest.raises(ValidationError, match=message):
        service.sync(params(customers_file=str(source), **dict((name, places[value]) for name, value in outputs.items())))
    assert (source.read_bytes(), open(ledger, "rb").read()) == before and client.request.call_count == 0


def test_rows_are_numbered_by_their_first_line_and_a_json_line_too_deep_is_a_row_error(tmp_path):
    path = tmp_path / "records.csv"
    path.write_text('customer-id,priority\n"A\nB",HIGH\nC,urgent\n')
    service, client = service_for(FakeRecords())
    with pytest.raises(BulkFailure, match="line 4: customer C: priority 'urgent'") as info:
        service.sync(params(customers_file=str(path)))
    assert info.value.result["summary"]["invalid"] == 1 and client.request.call_count == 0
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"customer_id": "A"}\n' + "[" * 100000 + "\n")
    with pytest.raises(BulkFailure, match="line 2: not valid JSON"):
        service.sync(params(customers_file=str(deep)))
    assert client.request.call_count == 0


def test_campaign_info_on_v1_reads_only_the_ledger_and_says_so(tmp_path):
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import LedgerService, remember_state
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.modules import campaign_info

    path = str(tmp_path / "ledger.sqlite")
    remember_state(path, CID, "PAUSED")
    ledger = Ledger(path)
    ledger.confirm(CID, ["A", "B", "C"])
    ledger.close()
    module = Mock(spec=["params", "check_mode", "warn"])
    module.params = {"campaign_id": CID, "ledger_path": path, "records_limit": 2}
    changed, result, _diff = campaign_info.run_v1(module, LedgerService())
    assert changed is False and result["campaign"]["source"] == "ledger" and result["campaign"]["status"] == "paused"
    assert result["records"] == [{"customer_id": "A"}, {"customer_id": "B"}] and result["records_total"] == 3 and result["records_truncated"] is True
    assert "not the campaign as it is now" in module.warn.call_args[0][0]
    module.params["ledger_path"] = None
    with pytest.raises(ValidationError, match="has no endpoint to read a campaign or its records.*Set ledger_path"):
        campaign_info.run_v1(module, LedgerService())


def test_the_progress_files_last_rate_is_the_summarys_records_per_second(tmp_path):
    service, _client = service_for(FakeRecords())
    progress = tmp_path / "progress.json"
    _changed, result, _diff = service.sync(params(customers=["A", "B", "C"], progress_path=str(progress), batch_size=1))
    final = json.loads(progress.read_text())
    assert final["phase"] == "done" and final["rate"] == result["summary"]["records_per_second"]


def test_an_invalid_row_keeps_its_schedule_in_the_failures_file(tmp_path):
    service, _client = service_for(FakeRecords())
    failed = tmp_path / "failed.csv"
    with pytest.raises(BulkFailure):
        service.sync(params(customers=[{"customer_id": "A", "schedule": "tomorrow 9am"}], failed_records_path=str(failed)))
    with failed.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["customer-id"], row["schedule-date-time"]) for row in rows] == [("A", "tomorrow 9am")]


def ledger_ids(path):
    ledger = Ledger(path)
    try:
        return set(ledger.confirmed_ids(CID, 10**6))
    finally:
        ledger.close()


def test_workers_send_batches_at_once_and_the_ledger_takes_every_confirmation(tmp_path):
    server = FakeRecords(held=("R7", "R55"), bad=("R90",))
    together, entered = threading.Barrier(3, timeout=10), []
    answer = server.post

    def post(records):
        # The first three requests meet here: with fewer workers in flight the barrier breaks and the run fails.
        with server.lock:
            entered.append(None)
            first = len(entered) <= 3
        if first:
            together.wait()
        return answer(records)

    server.post = post
    service, _client = service_for(server)
    ledger = str(tmp_path / "ledger.sqlite")
    ids = ["R{0}".format(n) for n in range(200)]
    _changed, result, _diff = service.sync(params(customers=ids, ledger_path=ledger, batch_size=10, workers=3, allow_partial=True))
    summary = result["summary"]
    assert (summary["added"], summary["already_present"], summary["failed"], summary["not_sent"]) == (197, 2, 1, 0)
    assert ledger_ids(ledger) == set(ids) - {"R90"}


def test_a_429_is_sent_again_in_the_pacers_turn():
    server = FakeRecords()
    answers = [(429, {"title": "Too Many Requests"})]
    answer = server.post
    server.post = lambda records: answers.pop() if answers else answer(records)
    service, client = service_for(server)
    _changed, result, _diff = service.sync(params(customers=["A", "B"], workers=1))
    assert result["summary"]["added"] == 2 and client.request.call_count == 2


@pytest.mark.parametrize("sent, outcome", [(True, "uncertain"), (False, "failed")])
def test_a_batch_without_an_answer_is_uncertain_when_it_may_have_landed_and_never_confirmed(tmp_path, sent, outcome):
    service, client = service_for(FakeRecords())
    client.request.side_effect = TransportError("POST", "/x/records", "connection reset", sent=sent)
    ledger, warn = str(tmp_path / "ledger.sqlite"), Mock()
    changed, result, _diff = service.sync(params(customers=["A", "B"], ledger_path=ledger, workers=1, allow_partial=True), warn=warn)
    summary = result["summary"]
    assert summary[outcome] == 2 and summary["added"] == 0 and ledger_ids(ledger) == set()
    assert changed is (outcome == "uncertain") and ("may or may not have been added" in str(warn.call_args)) is (outcome == "uncertain")


def test_sigterm_stops_the_run_and_what_it_counted_is_in_the_ledger(tmp_path, feed_stopped):
    server = FakeRecords()
    answer = server.post

    def post(records):
        if len(server.requests) == 5:
            os.kill(os.getpid(), signal.SIGTERM)
        elif len(server.requests) > 5:
            feed_stopped()
        return answer(records)

    server.post = post
    service, _client = service_for(server)
    ledger = str(tmp_path / "ledger.sqlite")
    ids = ["R{0}".format(n) for n in range(1000)]
    declared = params(customers=ids, ledger_path=ledger, batch_size=10, workers=2)
    with pytest.raises(BulkFailure, match="interrupted by SIGTERM. The run stopped part-way: .*Run the task again to finish") as info:
        service.sync(declared)
    summary = info.value.result["summary"]
    assert info.value.changed and 0 < summary["added"] < 1000 and summary["not_sent"] == 1000 - summary["added"]
    assert len(ledger_ids(ledger)) == summary["added"] == sum(len(batch) for batch in server.requests)
    _changed, result, _diff = service.sync(declared)
    assert (result["summary"]["added"], result["summary"]["already_present"]) == (1000 - summary["added"], summary["added"])


# ------------------------------------------------------------------ the ledger's writer thread
def test_a_queued_confirmation_is_committed_before_it_is_counted(tmp_path):
    path = str(tmp_path / "ledger.sqlite")
    ledger, seen = Ledger(path), []
    try:
        for number in range(20):
            # `then` reads the file through another connection: the ids must be there when it runs.
            ledger.later(CID, ["R{0}".format(number)], lambda number=number: seen.append((number, "R{0}".format(number) in ledger_ids(path))))
        ledger.flush()
        assert sorted(seen) == [(number, True) for number in range(20)]
    finally:
        ledger.close()


def drop_the_confirmed_table(path):
    import sqlite3

    other = sqlite3.connect(path)
    other.execute("DROP TABLE confirmed")
    other.commit()
    other.close()


def test_a_ledger_write_that_fails_still_counts_and_stops_every_later_confirmation(tmp_path):
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.v1_ledger import LedgerWriteError

    path = str(tmp_path / "ledger.sqlite")
    ledger, counted = Ledger(path), []
    ledger.confirm(CID, ["A"])
    drop_the_confirmed_table(path)
    ledger.later(CID, ["B"], lambda: counted.append("B"))
    with pytest.raises(LedgerWriteError, match="ledger_path .*ledger.sqlite: could not record confirmations: no such table"):
        ledger.flush()
    assert counted == ["B"]
    with pytest.raises(LedgerWriteError):
        ledger.later(CID, ["C"], lambda: counted.append("C"))
    ledger.close()  # writes what was queued (and counts it); the error was the callers' to report
    assert counted == ["B", "C"]


def test_a_signal_while_the_ledger_writes_the_last_batches_still_counts_them(tmp_path, monkeypatch):
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customers import Interrupted

    write = v1_ledger.Ledger.write

    def slow_write(ledger, groups):
        threading.Event().wait(0.05)
        write(ledger, groups)

    def interrupted_flush(ledger):
        # SIGTERM arrives while the run waits for the ledger: the wait is cut short.
        raise Interrupted("interrupted by SIGTERM")

    monkeypatch.setattr(v1_ledger.Ledger, "write", slow_write)
    monkeypatch.setattr(v1_ledger.Ledger, "flush", interrupted_flush)
    server = FakeRecords()
    service, _client = service_for(server)
    ledger = str(tmp_path / "ledger.sqlite")
    ids = ["R{0}".format(n) for n in range(40)]
    with pytest.raises(BulkFailure, match="interrupted by SIGTERM") as info:
        service.sync(params(customers=ids, ledger_path=ledger, batch_size=4, workers=2))
    summary = info.value.result["summary"]
    assert (summary["added"], summary["not_sent"]) == (40, 0) and ledger_ids(ledger) == set(ids)


def test_a_run_whose_ledger_cannot_be_written_stops_and_still_counts_what_was_added(tmp_path):
    server = FakeRecords()
    answer = server.post

    def post(records):
        if len(server.requests) == 2:
            drop_the_confirmed_table(ledger)
        return answer(records)

    server.post = post
    service, _client = service_for(server)
    ledger = str(tmp_path / "ledger.sqlite")
    ids = ["R{0}".format(n) for n in range(50)]
    with pytest.raises(BulkFailure, match="could not record confirmations: no such table.*The run stopped part-way: [1-9][0-9]* added") as info:
        service.sync(params(customers=ids, ledger_path=ledger, batch_size=5, workers=1))
    summary = info.value.result["summary"]
    sent = sum(len(records) for records in server.requests)
    assert info.value.changed is True and summary["added"] == sent and summary["added"] + summary["not_sent"] == 50


# ------------------------------------------------------------------ one-column files read by IdRuns
@pytest.mark.parametrize("block", [1 << 20, 4])
@pytest.mark.parametrize(
    "lines, requested, duplicates, invalid",
    [
        (["R1", "R2", "R3"], 3, 0, 0),
        (["R1", "R2", "R1"], 2, 1, 0),
        (["R1", " R2 ", "R2", "x" * 33], 2, 1, 1),
    ],
)
def test_a_one_column_file_is_validated_and_sent_once_per_id(tmp_path, monkeypatch, block, lines, requested, duplicates, invalid):
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import v1_records

    # A small block: each line its own IdRun, so a repeat is across runs.
    monkeypatch.setattr(v1_records, "BLOCK_CHARS", block)
    source = tmp_path / "in.csv"
    source.write_text("customer-id\n" + "\n".join(lines) + "\n")
    server = FakeRecords()
    service, _client = service_for(server)
    _changed, result, _diff = service.sync(params(customers_file=str(source), ledger_path=str(tmp_path / "l.sqlite"), allow_partial=True, workers=2))
    summary = result["summary"]
    assert (summary["requested"], summary["duplicates"], summary["invalid"], summary["added"]) == (requested, duplicates, invalid, requested)
    assert sorted(cid for records in server.requests for cid in records) == sorted(set(line.strip() for line in lines if len(line) <= 32))


def test_an_id_of_a_run_given_with_fields_in_the_list_before_is_invalid_and_names_the_item(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("customer-id\nR2\nR1\n")
    service, client = service_for(FakeRecords())
    with pytest.raises(BulkFailure, match=r"line 3: customer R1 is repeated with other fields than customers\[0\]"):
        service.sync(params(customers=[{"customer_id": "R1", "priority": "HIGH"}], customers_file=str(source)))
    assert client.request.call_count == 0

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Total deadlines, against a real local HTTP server that trickles its answers (no mocked requests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import TransportError

TIMEOUT = 0.6
# Each byte comes well within TIMEOUT, so only a total deadline can end the answer.
TRICKLE_GAP = 0.15
# What a loaded machine may add to a deadline's wall time (threads wait for a core): far below the ~13 s the
# trickled answer takes whole, so an answer that is not cut still fails the test.
SLACK = 3.0
TRICKLED = b'{"campaign": {"campaign-id": 7, "status": 3, "padding": "' + b"x" * 60 + b'"}}'
RECORD = b'{"record-id": "%d", "status": "1"}'
LARGE = b'{"records": {"record": [' + b",".join(RECORD % n for n in range(60000)) + b"]}}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        self.server.requests.append((self.command, self.path))
        body = LARGE if "large" in self.path else TRICKLED
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        try:
            if "large" in self.path:
                self.steady(body)
            else:
                self.trickle(body)
        except OSError:
            pass  # the client cut the connection: what the deadline is for

    def trickle(self, body):
        for index in range(len(body)):
            self.wfile.write(body[index : index + 1])
            self.wfile.flush()
            time.sleep(TRICKLE_GAP)

    def steady(self, body):
        """A legit large body that takes longer than TIMEOUT in all, at ~1.4 MB/s."""
        pieces = 20
        size = len(body) // pieces + 1
        for start in range(0, len(body), size):
            self.wfile.write(body[start : start + size])
            self.wfile.flush()
            time.sleep(TIMEOUT * 1.5 / pieces)

    do_GET = answer

    def do_PATCH(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.answer()


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def client_of(server, max_retries=1, timeout=TIMEOUT):
    url = "http://127.0.0.1:{0}".format(server.server_address[1])
    return Client(url, "acme", action_token="act-SECRET", data_token="data-SECRET", timeout=timeout, max_retries=max_retries, sleep=lambda s: None)


def test_a_trickled_answer_is_cut_at_the_deadline_and_retried_for_reads(server):
    client = client_of(server, max_retries=2)
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        client.get_json("/api/stats/campaigns/7.json")
    elapsed = time.monotonic() - started
    # The whole answer would take len(TRICKLED) * TRICKLE_GAP = ~13 s; two attempts of about TIMEOUT each.
    assert elapsed < 2 * (TIMEOUT + TRICKLE_GAP) + SLACK, elapsed
    assert "/api/stats/campaigns/7.json: got no answer from 127.0.0.1:" in str(info.value)
    assert " after 2 attempts over " in str(info.value) and "s: the answer took more than 0.6 seconds" in str(info.value)
    assert info.value.sent is True and "SECRET" not in str(info.value)
    assert client.stats == {"requests": 2, "retries": 1} and len(server.requests) == 2


def test_a_trickled_answer_to_a_change_is_an_unknown_outcome_not_retried(server):
    client = client_of(server, max_retries=3)
    started = time.monotonic()
    with pytest.raises(TransportError) as info:
        client.request("PATCH", "/api/tstats/campaigns/7", "action", body={"status": "PAUSED"}, retry=client.write_policy())
    assert time.monotonic() - started < TIMEOUT + TRICKLE_GAP + SLACK
    assert info.value.sent is True and client.stats["requests"] == 1


def test_a_trickled_stream_is_cut_although_each_byte_comes_in_time(server):
    client = client_of(server)
    started = time.monotonic()
    with pytest.raises(
        TransportError, match=r"GET http://127\.0\.0\.1:\d+/api/stats/campaigns/7/records\.json: the answer from 127\.0\.0\.1:\d+ was cut short"
    ):
        list(client.stream_json_chunks("/api/stats/campaigns/7/records.json"))
    assert time.monotonic() - started < TIMEOUT + TRICKLE_GAP + SLACK


def test_a_large_stream_that_takes_longer_than_timeout_is_not_cut(server):
    client = client_of(server)
    started = time.monotonic()
    body = b"".join(client.stream_json_chunks("/api/stats/campaigns/7/large/records.json", 1 << 16))
    assert body == LARGE and time.monotonic() - started > TIMEOUT


def test_a_large_answer_within_the_deadline_is_read_whole(server):
    client = client_of(server, timeout=5.0)
    assert len(client.get_json("/api/stats/campaigns/7/large/records.json")["records"]["record"]) == 60000

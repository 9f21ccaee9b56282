# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport security: the warnings the options earn, and a refused certificate."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest
import requests

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import runner
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    Client,
    transport_warnings,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.http_answers import (
    server_of,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    CertificateError,
    TransportError,
)

HTTP = "plain http://"
UNVERIFIED = "validate_certs is false"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"base_url": "http://127.0.0.1:8808"}, []),
        ({"base_url": "http://127.8.9.10/"}, []),
        ({"base_url": "http://localhost:8808"}, []),
        ({"base_url": "http://LocalHost."}, []),
        ({"base_url": "http://[::1]:8808"}, []),
        ({"base_url": "http://api.example.com"}, [(HTTP, "api.example.com")]),
        ({"base_url": " HTTP://Api.Example.COM:8080/x "}, [(HTTP, "api.example.com")]),
        ({"base_url": "http://10.0.0.5:8080"}, [(HTTP, "10.0.0.5")]),
        ({"base_url": "http://192.0.2.1"}, [(HTTP, "192.0.2.1")]),
        ({"base_url": "http://localhost.example.com"}, [(HTTP, "localhost.example.com")]),
        ({"base_url": "http://127.0.0.1.example.com"}, [(HTTP, "127.0.0.1.example.com")]),
        ({"base_url": "http://[2001:db8::1]:80"}, [(HTTP, "2001:db8::1")]),
        ({"base_url": "https://api.example.com"}, []),
        ({"base_url": "https://api.example.com", "validate_certs": True}, []),
        ({"base_url": "https://api.example.com", "validate_certs": False}, [(UNVERIFIED, "api.example.com")]),
        ({"base_url": "https://127.0.0.1:8443", "validate_certs": False}, [(UNVERIFIED, "127.0.0.1")]),
        # ca_path wins over validate_certs in the client: the certificate is verified.
        ({"base_url": "https://api.example.com", "validate_certs": False, "ca_path": "/ca.pem"}, []),
        ({"platform": "na12"}, []),
        ({"platform": "na12", "validate_certs": False}, [(UNVERIFIED, "the API")]),
        # Over plain HTTP there is no certificate: only the http warning.
        ({"base_url": "http://api.example.com", "validate_certs": False}, [(HTTP, "api.example.com")]),
        ({"base_url": "http://127.0.0.1:8808", "validate_certs": False}, []),
        # Malformed URLs are refused elsewhere; no warning, no exception.
        ({"base_url": "http://[::1"}, []),
        ({"base_url": "not a url"}, []),
        ({}, []),
    ],
)
def test_transport_warnings(params, expected):
    warnings = transport_warnings(params)
    assert len(warnings) == len(expected), warnings
    for warning, (kind, host) in zip(warnings, expected):
        assert kind in warning and host in warning


def test_warnings_say_what_to_do():
    (http,) = transport_warnings({"base_url": "http://api.example.com"})
    assert "https://" in http and "loopback" in http and "tokens" in http
    (unverified,) = transport_warnings({"base_url": "https://api.example.com", "validate_certs": False})
    assert "ca_path" in unverified and "testing" in unverified


def test_user_info_of_base_url_stays_out_of_the_warning():
    (warning,) = transport_warnings({"base_url": "http://acme:act-SECRET@api.example.com/"})
    assert "act-SECRET" not in warning and "acme:" not in warning and "api.example.com" in warning
    assert server_of("https://acme:act-SECRET@api.example.com:8443/api") == "https://api.example.com:8443"


CERT_REFUSED = requests.exceptions.SSLError(
    "HTTPSConnectionPool(host='127.0.0.1', port=8443): Max retries exceeded with url: /api/stats/campaigns/7.json"
    " (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed:"
    " self-signed certificate in certificate chain (_ssl.c:1006)')))"
)
HANDSHAKE_LOST = requests.exceptions.SSLError("EOF occurred in violation of protocol (_ssl.c:2427)")


def client_answering(*outcomes, **kwargs):
    client = Client("https://127.0.0.1:8443", "acme", data_token="data-SECRET", sleep=lambda seconds: None, **kwargs)
    calls = []
    queue = list(outcomes)

    def send(prepared, **settings):
        calls.append(prepared.url)
        outcome = queue.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    client.session.send = send
    return client, calls


def test_a_refused_certificate_is_named_with_the_way_out_and_not_retried():
    client, calls = client_answering(CERT_REFUSED, CERT_REFUSED)
    with pytest.raises(CertificateError) as info:
        client.get_json("/api/stats/campaigns/7.json")
    message = str(info.value)
    assert len(calls) == 1
    assert "GET https://127.0.0.1:8443/api/stats/campaigns/7.json" in message and "certificate of https://127.0.0.1:8443" in message
    assert "self-signed certificate in certificate chain" in message
    assert "ca_path" in message and "validate_certs" in message
    assert "data-SECRET" not in message and "Traceback" not in message
    assert info.value.result_fields() == {
        "http_method": "GET",
        "http_path": "/api/stats/campaigns/7.json",
        "http_url": "https://127.0.0.1:8443/api/stats/campaigns/7.json",
    }


def test_other_tls_failures_stay_transient_transport_errors():
    client, calls = client_answering(HANDSHAKE_LOST, HANDSHAKE_LOST, max_retries=2)
    with pytest.raises(TransportError) as info:
        client.get_json("/api/stats/campaigns/7.json")
    assert len(calls) == 2
    assert re.fullmatch(
        r"GET https://127\.0\.0\.1:8443/api/stats/campaigns/7\.json: could not set up TLS with 127\.0\.0\.1:8443 after 2 attempts over [0-9.]+ s:"
        r" the TLS handshake failed: EOF occurred in violation of protocol",
        str(info.value),
    )


class FakeModule:
    """What run_module uses of AnsibleModule; records the warnings and the exit."""

    last = None

    def __init__(self, argument_spec, **kwargs):
        self.params = dict((name, spec.get("default")) for name, spec in argument_spec.items())
        self.params.update(tenant="acme", base_url="http://api.example.com", validate_certs=False)
        self.warnings = []
        self._diff = False
        FakeModule.last = self

    def warn(self, text):
        self.warnings.append(text)

    def exit_json(self, **result):
        self.result = result

    def fail_json(self, **result):
        raise AssertionError(result)


def test_every_module_gets_the_warnings_through_run_module(monkeypatch):
    monkeypatch.setattr(runner, "AnsibleModule", FakeModule)
    runner.run_module(lambda module, service: (False, {}, None), {}, lambda client: None)
    warnings = FakeModule.last.warnings
    assert len(warnings) == 1 and HTTP in warnings[0] and "api.example.com" in warnings[0]

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP transport for the 8x8 Dynamic Campaigns API.

Only HTTP lives here: base URL, auth, timeouts, TLS, retries, error mapping.
What a call means, and whether it may be retried, is the service layer's
decision (it passes a RetryPolicy, or none).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import ipaddress
import json
import random
import re
import threading
import time
import traceback
from urllib.parse import urlsplit

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    CertificateError,
    NotFoundError,
    TransportError,
    UnexpectedAnswerError,
    ValidationError,
    short_text,
)

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:
    requests = None
    HTTPAdapter = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

HAS_REQUESTS = requests is not None

WRITE_ROOT = "/api/tstats/campaigns"
READ_ROOT = "/api/stats/campaigns"

# The seed's 43 servers; any other code of the form two letters + digits
# follows the vcc-{code} pattern too (EU1, EU8, SB1 exist but are not listed).
PLATFORMS = (
    "ap1",
    "au1",
    "bc2",
    "ca1",
    "ca2",
    "eu2",
    "eu3",
    "eu4",
    "eu5",
    "eu6",
    "eu7",
    "eu9",
    "eu10",
    "eu11",
    "eu12",
    "na1",
    "na2",
    "na3",
    "na4",
    "na5",
    "na6",
    "na7",
    "na8",
    "na9",
    "na10",
    "na11",
    "na12",
    "na13",
    "na14",
    "na15",
    "na16",
    "na17",
    "na18",
    "na19",
    "na20",
    "na27",
    "na28",
    "na29",
    "na30",
    "na37",
    "na38",
    "na39",
    "na40",
)
PLATFORM_HOSTS = {"bc2": "https://odcc2.bell.ca"}
PLATFORM_PATTERN = re.compile(r"^([a-z]{2}[0-9]+)b?$")

TRANSIENT_STATUSES = frozenset((429, 502, 503, 504))
REQUEST_ID_HEADERS = ("X-Request-Id", "X-Correlation-Id", "X-Amzn-RequestId", "X-B3-TraceId")
# Every status the API or its documentation uses; any other answer comes from something else.
API_STATUSES = frozenset((200, 201, 202, 204, 206, 207, 400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 429, 500, 501, 502, 503, 504))
HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
CERTIFICATE_FAILURE = re.compile(r"certificate verify failed: ?([^()]*?)\s*(?:\(_ssl|'\)|$)", re.IGNORECASE)


def is_loopback(host):
    """True for localhost and loopback addresses, where plain HTTP never leaves the machine."""
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_warnings(params):
    """Warnings about how the options expose the tokens on the way (no HTTP call)."""
    url = (params.get("base_url") or "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return []  # a malformed base_url is refused elsewhere
    scheme = parts.scheme.lower() if url else "https"
    warnings = []
    if scheme == "http" and host and not is_loopback(host):
        warnings.append(
            "base_url is plain http:// to {0}: the tokens (HTTP Basic auth) and the customer ids cross the network"
            " unencrypted. Use https://; only a loopback host (localhost, 127.0.0.1, ::1) is exempt.".format(host)
        )
    if scheme == "https" and params.get("validate_certs") is False and not params.get("ca_path"):
        warnings.append(
            "validate_certs is false: the TLS certificate of {0} is not verified, so anyone on the network path can"
            " pose as the API and read the tokens. Set ca_path to the bundle of the CA that signed it instead;"
            " turn verification off for testing only.".format(host or "the API")
        )
    return warnings


def certificate_failure(exc):
    """Why the server's certificate was refused, or None when exc is another error."""
    if not isinstance(exc, requests.exceptions.SSLError):
        return None
    match = CERTIFICATE_FAILURE.search(str(exc))
    if match:
        return match.group(1).strip(" .") or "certificate verify failed"
    return None


def server_of(url):
    """scheme://host:port of a URL, without any user info or path."""
    parts = urlsplit(url)
    return "{0}://{1}".format(parts.scheme, parts.netloc.rpartition("@")[2])


def resolve_base_url(platform=None, base_url=None):
    """base_url wins; else the platform's host (BC2 is Bell's)."""
    if base_url:
        return checked_base_url(base_url)
    if not platform:
        raise ValidationError("Either platform (e.g. na12, env EIGHTBYEIGHT_PLATFORM) or base_url (env EIGHTBYEIGHT_BASE_URL) is required.")
    code = platform.strip().lower()
    match = PLATFORM_PATTERN.match(code)
    if not match:
        raise ValidationError("platform '{0}' is not a platform code: expected two letters and a number such as na12, eu5 or bc2.".format(platform))
    code = match.group(1)
    return PLATFORM_HOSTS.get(code, "https://vcc-{0}.8x8.com".format(code))


def checked_base_url(base_url):
    """base_url without the trailing slash, once it is an http(s) URL with a host; no HTTP call."""
    url = base_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host or " " in url or parts.query or parts.fragment:
        shown = re.sub(r"//[^/@]*@", "//***@", short_text(base_url.strip(), 80))
        raise ValidationError(
            "base_url '{0}' is not an http:// or https:// URL with a host, such as https://vcc-na12.8x8.com (or leave it out and set platform).".format(shown)
        )
    return url


def parse_retry_after(value, now=None):
    """Seconds from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class RetryPolicy:
    """Exponential backoff with jitter, bounded in attempts and total time."""

    def __init__(self, max_attempts=5, max_time=120.0, statuses=TRANSIENT_STATUSES, connection_errors=True, base_delay=0.5, max_delay=30.0):
        self.max_attempts = max(1, max_attempts)
        self.max_time = max_time
        self.statuses = frozenset(statuses)
        self.connection_errors = connection_errors
        self.base_delay = base_delay
        self.max_delay = max_delay

    def next_delay(self, attempt, elapsed, retry_after=None, rand=random.random):
        """Seconds to wait before the next attempt, or None when spent."""
        if attempt >= self.max_attempts:
            return None
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        delay = backoff / 2 + rand() * backoff / 2
        if retry_after is not None:
            delay = max(delay, retry_after)
        if elapsed + delay > self.max_time:
            return None
        return delay


NO_RETRY = RetryPolicy(max_attempts=1, statuses=(), connection_errors=False)


class Response:
    """What the service layer needs of an HTTP answer."""

    def __init__(self, status, body, headers=None):
        self.status = status
        self.body = body
        self.headers = headers or {}

    @property
    def message(self):
        if isinstance(self.body, dict):
            return self.body.get("message")
        return None


def never_sent(exc):
    """A connection that was never made cannot have applied anything."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return "NewConnectionError" in repr(exc)


def content_type_of(response):
    """The media type of an answer, without parameters ('no content type' when absent)."""
    return (response.headers.get("Content-Type") or "").split(";")[0].strip().lower() or "no content type"


def decode_body(response):
    """(body, problem): the decoded JSON (None when empty), else the text and why it cannot be the API's.

    Markup (an HTML error page of a proxy) and JSON that does not parse are problems; other plain
    text is kept as the body. A problem names the content type, never more of the body than an
    HTML page's title.
    """
    if not response.content:
        return None, None
    kind = content_type_of(response)
    try:
        return json.loads(response.content.decode(response.encoding or "utf-8", "replace")), None
    except ValueError as exc:
        text = response.text
        if "html" in kind or "xml" in kind or text.lstrip().startswith("<"):
            title = HTML_TITLE.search(text)
            named = " titled '{0}'".format(short_text(title.group(1), 80)) if title and title.group(1).strip() else ""
            return text, "{0} {1} page{2} instead of JSON".format("an" if kind[0] in "aeiou" else "a", kind, named)
        if "json" in kind:
            return text, "invalid JSON ({0}, {1} at character {2} of {3})".format(kind, exc.msg, exc.pos, len(response.content))
        return text, None


def status_problem(response, body):
    """Why a status is not one the API uses, or None."""
    if response.status_code in API_STATUSES:
        return None
    message = body.get("message") if isinstance(body, dict) else None
    return "{0} is a status the API does not use ({1}{2})".format(
        response.status_code, content_type_of(response), "; message '{0}'".format(short_text(message, 120)) if message else ""
    )


def request_id_of(response, body):
    for header in REQUEST_ID_HEADERS:
        if response.headers.get(header):
            return response.headers[header]
    if isinstance(body, dict):
        return body.get("requestId") or body.get("request-id")
    return None


def api_message(body, response=None):
    if isinstance(body, dict):
        return body.get("message") or body.get("error")
    if isinstance(body, str) and response is not None:
        # An error page of a proxy: say what it is, not what it holds.
        return decode_body(response)[1] or body
    return body if isinstance(body, str) else None


class Client:
    """One pooled requests.Session; safe to share between worker threads."""

    def __init__(
        self,
        base_url,
        tenant,
        action_token=None,
        data_token=None,
        validate_certs=True,
        ca_path=None,
        timeout=30.0,
        max_retries=5,
        retry_max_time=120.0,
        pool_size=10,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant
        self._tokens = {"action": action_token, "data": data_token}
        self.verify = ca_path if ca_path else validate_certs
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_max_time = retry_max_time
        self.sleep = sleep
        self.clock = clock
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool_size, 1), max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._lock = threading.Lock()
        self.stats = {"requests": 0, "retries": 0}
        self._templates = {}

    @classmethod
    def from_params(cls, params, pool_size=10):
        if not params.get("tenant"):
            raise ValidationError("tenant is required (option tenant or env EIGHTBYEIGHT_TENANT).")
        return cls(
            resolve_base_url(params.get("platform"), params.get("base_url")),
            params["tenant"],
            action_token=params.get("action_token"),
            data_token=params.get("data_token"),
            validate_certs=params.get("validate_certs", True),
            ca_path=params.get("ca_path"),
            timeout=params.get("timeout") or 30.0,
            max_retries=params.get("max_retries") or 1,
            retry_max_time=params.get("retry_max_time") or 0.0,
            pool_size=pool_size,
        )

    @property
    def can_read(self):
        return bool(self._tokens["data"])

    def require_token(self, kind, purpose):
        """Fail before any HTTP call when the token a call needs is missing."""
        if not self._tokens[kind]:
            option = "{0}_token".format(kind)
            raise ValidationError("{0} is required to {1} (option {0} or env EIGHTBYEIGHT_{2}).".format(option, purpose, option.upper()))

    def read_policy(self):
        """Reads change nothing: retry transient failures and 500 too."""
        return RetryPolicy(self.max_retries, self.retry_max_time, statuses=TRANSIENT_STATUSES | frozenset((500,)))

    def write_policy(self, retry_unanswered=False):
        """Writes: never 500 (the API refuses with it); connection losses
        after sending only when the caller can tell a repeat from a change."""
        return RetryPolicy(self.max_retries, self.retry_max_time, statuses=TRANSIENT_STATUSES, connection_errors=retry_unanswered)

    def get_json(self, path):
        """GET a read endpoint with the data token."""
        self.require_token("data", "read campaigns")
        response = self.request("GET", path, "data", retry=self.read_policy())
        if not isinstance(response.body, (dict, list)):
            what = "an empty body" if response.body is None else "a body that is not a JSON object"
            kind = content_type_of(response)
            raise UnexpectedAnswerError("GET", path, response.status, "{0} ({1}) where JSON was expected".format(what, kind))
        return response.body

    def request(self, method, path, token, body=None, retry=None, accept=(), on_retry=None, data=None):
        """Send one call, retrying per `retry`; return a Response or raise.

        `body` is JSON-encoded here; `data` is a body encoded as JSON already
        (bytes), sent by the bulk path. Statuses below 400, and those in
        `accept`, are returned; the rest raise a typed HttpError. No answer at
        all raises TransportError.
        """
        retry = retry or NO_RETRY
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(method, path, token, body) if data is None else self._send_encoded(method, path, token, data)
            delay = self._retry_delay(retry, outcome, attempt, self.clock() - started)
            if delay is None:
                return self._finish(method, path, outcome, accept)
            self._count("retries")
            if on_retry is not None:
                on_retry(outcome)
            self.sleep(delay)

    def _attempt(self, method, path, token, body):
        self._count("requests")
        data = body if body is None or isinstance(body, bytes) else json.dumps(body, separators=(",", ":"))
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            return self.session.request(
                method,
                self.base_url + path,
                data=data,
                headers=headers,
                auth=(self.tenant, self._tokens[token] or ""),
                timeout=self.timeout,
                verify=self.verify,
            )
        except requests.RequestException as exc:
            return exc

    def _send_encoded(self, method, path, token, data):
        """What _attempt does, without preparing the request and reading the
        environment again for each one of a bulk run's thousands of calls
        (~0.3 ms of CPU each). Cookies the server set go the usual way."""
        if self.session.cookies:
            return self._attempt(method, path, token, data)
        self._count("requests")
        template, settings = self._templates.get((method, path, token)) or self._template(method, path, token)
        prepared = template.copy()
        prepared.prepare_body(data, None)
        try:
            return self.session.send(prepared, **settings)
        except requests.RequestException as exc:
            return exc

    def _template(self, method, path, token):
        url = self.base_url + path
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        request = requests.Request(method, url, headers=headers, auth=(self.tenant, self._tokens[token] or ""))
        settings = self.session.merge_environment_settings(url, {}, None, self.verify, None)
        settings.update(timeout=self.timeout, allow_redirects=True)
        self._templates[(method, path, token)] = (self.session.prepare_request(request), settings)
        return self._templates[(method, path, token)]

    def _retry_delay(self, retry, outcome, attempt, elapsed):
        if isinstance(outcome, requests.RequestException):
            if certificate_failure(outcome):
                return None
            if not (retry.connection_errors or never_sent(outcome)) or retry is NO_RETRY:
                return None
            return retry.next_delay(attempt, elapsed)
        if outcome.status_code not in retry.statuses:
            return None
        return retry.next_delay(attempt, elapsed, parse_retry_after(outcome.headers.get("Retry-After")))

    def _finish(self, method, path, outcome, accept):
        if isinstance(outcome, requests.RequestException):
            reason = certificate_failure(outcome)
            if reason:
                raise CertificateError(method, path, server_of(self.base_url), reason)
            raise TransportError(method, path, "{0}: {1}".format(type(outcome).__name__, outcome), sent=not never_sent(outcome))
        body, problem = decode_body(outcome)
        status = outcome.status_code
        problem = status_problem(outcome, body) or (problem if status < 400 else None)
        if problem:
            raise UnexpectedAnswerError(method, path, status, problem, request_id_of(outcome, body))
        if status < 400 or status in accept:
            return Response(status, body, outcome.headers)
        error_class = ApiError
        if status in (401, 403):
            error_class = AuthenticationError
        elif status == 404:
            error_class = NotFoundError
        raise error_class(method, path, status, api_message(body, outcome), request_id_of(outcome, body))

    def _count(self, key):
        with self._lock:
            self.stats[key] += 1

    def stream_json_chunks(self, path, chunk_size=1 << 20):
        """GET a read endpoint and yield its raw body in chunks (bytes).

        For bodies too large to decode at once (5 M records are ~0.7 GB of
        JSON). Transient failures before the body starts are retried per
        read_policy(); error statuses raise the same typed errors as request().
        """
        self.require_token("data", "read campaigns")
        retry = self.read_policy()
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            outcome = self._stream_attempt(path)
            delay = self._retry_delay(retry, outcome, attempt, self.clock() - started)
            if delay is None:
                break
            if not isinstance(outcome, requests.RequestException):
                outcome.close()
            self._count("retries")
            self.sleep(delay)
        if isinstance(outcome, requests.RequestException) or outcome.status_code >= 400:
            self._finish("GET", path, outcome, ())
        kind = content_type_of(outcome)
        problem = status_problem(outcome, None) or ("a {0} answer where JSON was expected".format(kind) if "html" in kind or "xml" in kind else None)
        if problem:
            outcome.close()
            raise UnexpectedAnswerError("GET", path, outcome.status_code, problem)
        return self._iter_body(path, outcome, chunk_size)

    def _stream_attempt(self, path):
        self._count("requests")
        try:
            return self.session.get(
                self.base_url + path,
                headers={"Accept": "application/json"},
                auth=(self.tenant, self._tokens["data"] or ""),
                timeout=self.timeout,
                verify=self.verify,
                stream=True,
            )
        except requests.RequestException as exc:
            return exc

    def _iter_body(self, path, response, chunk_size):
        empty = True
        try:
            for chunk in response.iter_content(chunk_size):
                empty = empty and not chunk
                yield chunk
        except requests.RequestException as exc:
            raise TransportError("GET", path, "{0} while reading the body: {1}".format(type(exc).__name__, exc))
        finally:
            response.close()
        if empty:
            # A read always has a JSON document; nothing at all would pass for a campaign without records.
            raise UnexpectedAnswerError("GET", path, response.status_code, "an empty body ({0}) where JSON was expected".format(content_type_of(response)))

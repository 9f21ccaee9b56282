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
    UnexpectedAnswerError,
    ValidationError,
    short_text,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils import http_answers
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.http_answers import (
    STREAM_MIN_RATE,
    Deadline,
    Tries,
    answer_of,
    certificate_failure,
    content_type_of,
    never_sent,
    public_url,
    read_whole,
    status_problem,
    streamed_body,
    transport_error,
)

# The service layer and its tests take Response from here.
Response = http_answers.Response

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
V1_HOST = "https://api.8x8.com"
V1_MEDIA_TYPE = "application/vnd.campaigns.v1+json"
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
# The API's own paths, which the modules add to base_url: a base_url that carries one (such as the seed's
# server URLs, https://vcc-na12.8x8.com/api/tstats/campaigns) is refused, naming the root to set instead.
API_PATH = re.compile(r"/api/t?stats(?:/|$)|/cc/[^/]+/campaigns(?:/|$)|/campaigns/v1(?:/|$)", re.IGNORECASE)

TRANSIENT_STATUSES = frozenset((429, 502, 503, 504))
# Prepared requests kept for reuse; DELETE paths (one per customer) beyond this are prepared each time.
MAX_TEMPLATES = 64


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
            "base_url is plain http:// to {0}: the tokens or API key and the customer ids cross the network"
            " unencrypted. Use https://; only a loopback host (localhost, 127.0.0.1, ::1) is exempt.".format(host)
        )
    if scheme == "https" and params.get("validate_certs") is False and not params.get("ca_path"):
        warnings.append(
            "validate_certs is false: the TLS certificate of {0} is not verified, so anyone on the network path can"
            " pose as the API and read the tokens or API key. Set ca_path to the bundle of the CA that signed it instead;"
            " turn verification off for testing only.".format(host or "the API")
        )
    return warnings


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
    shown = re.sub(r"//[^/@]*@", "//***@", short_text(base_url.strip(), 80))
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host or " " in url or parts.query or parts.fragment:
        raise ValidationError(
            "base_url '{0}' is not an http:// or https:// URL with a host, such as https://vcc-na12.8x8.com (or leave it out and set platform).".format(shown)
        )
    api_path = API_PATH.search(parts.path)
    if api_path:
        root = re.sub(r"//[^/@]*@", "//***@", url[: len(url) - len(parts.path) + api_path.start()])
        raise ValidationError(
            "base_url '{0}' carries the API path {1}: set base_url to the server's root, {2}; the modules add the API's paths themselves.".format(
                shown, parts.path[api_path.start() :], root
            )
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


def retry_delay(retry, outcome, attempt, elapsed):
    """Seconds to wait before attempting again after `outcome`, or None when it is final."""
    if isinstance(outcome, requests.RequestException):
        if certificate_failure(outcome):
            return None
        if not (retry.connection_errors or never_sent(outcome)) or retry is NO_RETRY:
            return None
        return retry.next_delay(attempt, elapsed)
    if outcome.status_code not in retry.statuses:
        return None
    return retry.next_delay(attempt, elapsed, parse_retry_after(outcome.headers.get("Retry-After")))


def check_auth_text(option, value):
    """requests sends HTTP Basic auth in Latin-1: refuse other text before any call, naming the option, never the value."""
    if value is None:
        return
    try:
        value.encode("latin-1")
    except UnicodeEncodeError as exc:
        raise ValidationError(
            "{0} holds a character outside Latin-1 (character {1} of {2}), which HTTP Basic auth cannot send:"
            " check it for a typo, a pasted typographic quote or a non-breaking space.".format(option, exc.start + 1, len(value))
        )


def check_header_text(option, value):
    """A v1 credential goes in a header: refuse what no header can carry, naming the option, never the value."""
    if value is not None and (not value or any(not 32 < ord(char) < 127 for char in value)):
        raise ValidationError(
            "{0} must be printable ASCII without spaces (as an Admin Console key is): check it for a pasted space, line break or typographic quote.".format(
                option
            )
        )


class Credentials:
    """How a request says who sends it: HTTP Basic with a token (legacy), or the v1 headers
    X-API-Key and X-8x8-Tenant with the v1 media type (when api_key is set)."""

    def __init__(self, tenant, action_token=None, data_token=None, api_key=None):
        self.api = "campaigns_v1" if api_key else "legacy"
        if api_key:
            check_header_text("api_key", api_key)
            check_auth_text("tenant", tenant)
            if any(char in tenant for char in "\r\n"):
                raise ValidationError("tenant must be a single line.")
        else:
            for option, value in (("tenant", tenant), ("action_token", action_token), ("data_token", data_token)):
                check_auth_text(option, value)
        self._tenant = tenant
        self._tokens = {"action": action_token, "data": data_token}
        self._api_key = api_key

    def __repr__(self):
        return "Credentials(api={0})".format(self.api)

    def for_request(self, token, has_body):
        """(headers, auth) of one request."""
        if self._api_key:
            headers = {"Accept": ", ".join((V1_MEDIA_TYPE, "application/problem+json", "application/json"))}
            headers.update({"X-API-Key": self._api_key, "X-8x8-Tenant": self._tenant})
            if has_body:
                headers["Content-Type"] = V1_MEDIA_TYPE
            return headers, None
        headers = {"Accept": "application/json"}
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers, (self._tenant, self._tokens[token] or "")


def v1_root(site, base_url=None):
    """The Campaigns API v1 root of a site; base_url replaces https://api.8x8.com."""
    return "{0}/cc/{1}/campaigns/v1".format(checked_base_url(base_url) if base_url else V1_HOST, site.strip().upper())


def client_arguments(params):
    """Client keyword arguments from the connection options (api already resolved, or implied by api_key)."""
    if not params.get("tenant"):
        raise ValidationError("tenant is required (option tenant or env EIGHTBYEIGHT_TENANT).")
    v1 = (params.get("api") or ("campaigns_v1" if params.get("api_key") else "legacy")) == "campaigns_v1"
    if v1 and not (params.get("api_key") and params.get("site")):
        raise ValidationError("api campaigns_v1 needs api_key (env EIGHTBYEIGHT_API_KEY) and site (env EIGHTBYEIGHT_SITE: US1, US2 or UK3).")
    return dict(
        base_url=v1_root(params["site"], params.get("base_url")) if v1 else resolve_base_url(params.get("platform"), params.get("base_url")),
        tenant=params["tenant"],
        action_token=None if v1 else params.get("action_token"),
        data_token=None if v1 else params.get("data_token"),
        api_key=params.get("api_key") if v1 else None,
        validate_certs=params.get("validate_certs", True),
        ca_path=params.get("ca_path"),
        timeout=params.get("timeout") or 30.0,
        max_retries=params.get("max_retries") or 1,
        retry_max_time=params.get("retry_max_time") or 0.0,
    )


class Client:
    """One pooled requests.Session; safe to share between worker threads.

    Every attempt, plain or streamed, goes through one send path (_attempt) and one retry loop
    (_until_answered). Every attempt has a total deadline besides the per-read `timeout`:

    - a plain answer (status, headers and body) must be complete within `timeout` seconds;
    - a streamed body (stream_json_chunks, up to ~0.7 GB for 5 M records) must keep an average of
      STREAM_MIN_RATE bytes per second after `timeout` seconds of grace: its deadline is `timeout`
      plus the bytes received divided by that rate. A legitimate large read is never cut; a server
      that trickles is cut after about `timeout` seconds.

    Each read of the socket returns within `timeout`, so an attempt ends at most one read after its
    deadline. An overrun is a TransportError (sent: the outcome of a write is unknown).
    """

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
        api_key=None,
    ):
        self.credentials = Credentials(tenant, action_token, data_token, api_key)
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
        self._settings = None

    @classmethod
    def from_params(cls, params, pool_size=10):
        return cls(pool_size=pool_size, **client_arguments(params))

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
            raise UnexpectedAnswerError("GET", path, response.status, "{0} ({1}) where JSON was expected".format(what, kind), url=self.url_of(path))
        return response.body

    def url_of(self, path):
        """The whole URL of a call on `path`, as an error message shows it (no credentials)."""
        return public_url(self.base_url, path)

    def request(self, method, path, token, body=None, retry=None, accept=(), on_retry=None, data=None, success_body=True):
        """Send one call, retrying per `retry`; return a Response or raise.

        `body` is JSON-encoded here; `data` is a body encoded as JSON already
        (bytes), sent by the bulk path. Statuses below 400, and those in
        `accept`, are returned; the rest raise a typed HttpError. No answer at
        all, or an answer not complete within its deadline, raises TransportError.
        success_body=False: a 2xx JSON answer's body is not decoded (Response.body None).
        """
        if data is None and body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        outcome, tries = self._until_answered(method, path, token, data, retry, on_retry)
        return self._answer(method, path, outcome, accept, tries, success_body)

    def stream_json_chunks(self, path, chunk_size=1 << 20):
        """GET a read endpoint and yield its raw body in chunks (bytes, at most chunk_size each).

        For bodies too large to decode at once (5 M records are ~0.7 GB of
        JSON). Transient failures before the body starts are retried per
        read_policy(); error statuses raise the same typed errors as request().
        The body must keep the streamed deadline (see the class).
        """
        self.require_token("data", "read campaigns")
        outcome, tries = self._until_answered("GET", path, "data", None, self.read_policy(), stream=True)
        if isinstance(outcome, requests.RequestException) or outcome.status_code >= 400:
            self._answer("GET", path, read_whole(outcome, outcome.deadline) if hasattr(outcome, "deadline") else outcome, (), tries)
        kind = content_type_of(outcome)
        problem = status_problem(outcome, None) or ("a {0} answer where JSON was expected".format(kind) if "html" in kind or "xml" in kind else None)
        if problem:
            outcome.close()
            raise UnexpectedAnswerError("GET", path, outcome.status_code, problem, url=self.url_of(path))
        return streamed_body(path, outcome, chunk_size, self.url_of(path))

    def _until_answered(self, method, path, token, data, retry, on_retry=None, stream=False):
        """The one retry loop: attempts until one is final per `retry`; returns its outcome (an answer,
        or the requests exception of an attempt that got none) and the Tries that led to it."""
        retry = retry or NO_RETRY
        started = self.clock()
        tries = Tries(0, 0.0, 0, self.timeout)
        while True:
            tries.attempts += 1
            outcome = self._attempt(method, path, token, data, stream)
            tries.seconds = self.clock() - started
            tries.rate_limited += int(getattr(outcome, "status_code", None) == 429)
            delay = retry_delay(retry, outcome, tries.attempts, tries.seconds)
            if delay is None:
                return outcome, tries
            if stream and not isinstance(outcome, requests.RequestException):
                outcome.close()
            self._count("retries")
            if on_retry is not None:
                on_retry(outcome)
            self.sleep(delay)

    def _attempt(self, method, path, token, data, stream):
        """The one send path. A plain answer is read whole here, within its deadline; a streamed
        one keeps its deadline (response.deadline) for the body. Exceptions are returned."""
        self._count("requests")
        deadline = Deadline(time.monotonic, self.timeout, STREAM_MIN_RATE if stream else None)
        try:
            response = self.session.send(self._prepare(method, path, token, data), **self._send_settings())
        except requests.RequestException as exc:
            return exc
        if stream:
            response.deadline = deadline
            return response
        return read_whole(response, deadline)

    def _prepare(self, method, path, token, data):
        """The request, copied from a template kept per call: preparing one from scratch (URL,
        headers, auth) costs ~0.5 ms of CPU, thousands of times in a bulk run. Once the server
        set cookies, each request is prepared the usual way, with them."""
        key = (method, path, token, data is not None)
        template = None if self.session.cookies else self._templates.get(key)
        if template is None:
            headers, auth = self.credentials.for_request(token, data is not None)
            request = requests.Request(method, self.base_url + path, headers=headers, auth=auth)
            template = self.session.prepare_request(request)
            if not self.session.cookies and len(self._templates) < MAX_TEMPLATES:
                self._templates[key] = template
        prepared = template.copy()
        prepared.prepare_body(data, None)
        return prepared

    def _send_settings(self):
        """Proxies and CA bundle from the environment, read once (the host never changes)."""
        if self._settings is None:
            settings = self.session.merge_environment_settings(self.base_url, {}, True, self.verify, None)
            settings.update(timeout=self.timeout, allow_redirects=True)
            self._settings = settings
        return self._settings

    def _answer(self, method, path, outcome, accept, tries=None, success_body=True):
        if isinstance(outcome, requests.RequestException):
            raise transport_error(method, path, outcome, self.url_of(path), tries)
        return answer_of(method, path, outcome, accept, self.credentials.api, self.url_of(path), tries, success_body)

    def _count(self, key):
        with self._lock:
            self.stats[key] += 1

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an HTTP answer is, read within its deadline: pure helpers of the client.

Reading a body, telling the API's answers from a proxy's page, and mapping an
outcome (an answer or a requests exception) to a Response or a typed error.
Nothing here sends a request.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json
import re
import socket
import ssl
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    KeyAuthenticationError,
    CertificateError,
    NotFoundError,
    RateLimitedError,
    TransportError,
    UnexpectedAnswerError,
    attempts_text,
    problem_of,
    rate_limited_text,
    short_text,
)

try:
    import requests
    from urllib3 import exceptions as urllib3_errors

    class AnswerDeadline(requests.exceptions.Timeout):
        """The answer did not arrive within its deadline, although each read came within `timeout`."""

except ImportError:  # the client reports the missing library
    requests = None
    urllib3_errors = None
    AnswerDeadline = None

REQUEST_ID_HEADERS = ("X-Request-Id", "X-Correlation-Id", "X-Amzn-RequestId", "X-B3-TraceId")
# Every status the API or its documentation uses; any other answer comes from something else.
API_STATUSES = frozenset((200, 201, 202, 204, 206, 207, 400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 429, 500, 501, 502, 503, 504))
HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
SSL_TEXT = re.compile(r"(?:\[SSL: [A-Z0-9_]+\] )?([A-Za-z][^()\[\]'\"]*?)\s*\(_ssl")
CERTIFICATE_FAILURE = re.compile(r"certificate verify failed: ?([^()]*?)\s*(?:\(_ssl|'\)|$)", re.IGNORECASE)
# Query parameters whose values a message never shows.
SECRET_PARAMETER = re.compile(r"token|key|secret|password|passwd|auth|signature|credential", re.IGNORECASE)
# What a failed connection was, in words: the first of these found in the chain of causes.
CAUSE_WORDS = (
    (socket.gaierror, "the host name could not be resolved"),
    (ConnectionRefusedError, "connection refused"),
    (http.client.RemoteDisconnected, "the server closed the connection without answering"),
    (ConnectionResetError, "the connection was reset"),
    (ConnectionAbortedError, "the connection was aborted"),
    (BrokenPipeError, "the server closed the connection while the request was sent"),
    (TimeoutError, "timed out"),
    (OSError, None),
)
# Words for an error whose chain holds no socket error (a test's stand-in, an old library): by its text.
TEXT_WORDS = (
    (re.compile(r"refused", re.IGNORECASE), "connection refused"),
    (re.compile(r"name or service not known|nodename nor servname|getaddrinfo|name resolution", re.IGNORECASE), "the host name could not be resolved"),
    (re.compile(r"RemoteDisconnected|without response", re.IGNORECASE), "the server closed the connection without answering"),
    (re.compile(r"reset by peer|ConnectionReset", re.IGNORECASE), "the connection was reset"),
    (re.compile(r"timed out", re.IGNORECASE), "timed out"),
)
RATE_LIMIT_ADVICE = (
    "Send fewer requests at once to this tenant (fewer tasks or hosts in parallel, fewer workers on campaign_customer,"
    " or its max_requests_per_second cap), or wait longer with max_retries and retry_max_time."
)
# One read returns what one socket read brought (urllib3's read1), at most this much.
READ_SIZE = 1 << 16
# A streamed body must come at this average rate, after `timeout` seconds of grace.
STREAM_MIN_RATE = 32 * 1024


class Tries:
    """How a call went before its outcome: attempts, seconds from the first send to the outcome,
    the 429 answers among them, and the per-read timeout."""

    def __init__(self, attempts=1, seconds=0.0, rate_limited=0, timeout=None):
        self.attempts = attempts
        self.seconds = seconds
        self.rate_limited = rate_limited
        self.timeout = timeout


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


class Deadline:
    """When an answer must be complete: `timeout` seconds after the send, plus the time its
    bytes earn at `rate` bytes per second (None: no extension, the whole answer within `timeout`)."""

    def __init__(self, clock, timeout, rate=None):
        self.clock = clock
        self.started = clock()
        self.timeout = timeout
        self.rate = rate
        self.received = 0

    def check(self, received=0):
        """Count `received` bytes more; raise AnswerDeadline when the answer is late."""
        self.received += received
        allowed = self.timeout + (self.received / self.rate if self.rate else 0.0)
        if self.clock() - self.started > allowed:
            raise AnswerDeadline(
                "the answer took more than {0:g} seconds{1} ({2} bytes of the body received)".format(
                    allowed, " at the least rate of {0} bytes per second".format(self.rate) if self.rate else "", self.received
                )
            )


def body_chunks(response, deadline, size=READ_SIZE):
    """The body of a streamed answer, chunk by chunk, each read checked against `deadline`.

    urllib3 2.3+ has read1: one socket read per call, so a server that trickles its bytes is
    cut within about `timeout` of its deadline. Older urllib3 is read in READ_SIZE chunks.
    """
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if raw is None or read1 is None:
        chunks = response.iter_content(size) if raw is not None else [response.content]
        for chunk in chunks:
            deadline.check(len(chunk))
            yield chunk
        return
    while True:
        deadline.check()
        chunk = read1(size, decode_content=True)
        if not chunk:
            return
        deadline.check(len(chunk))
        yield chunk


def read_whole(response, deadline):
    """Read the answer's body within the deadline, so that response.content is it; the
    connection goes back to the pool. A requests exception is returned, not raised."""
    try:
        content = b"".join(body_chunks(response, deadline))
    except (requests.RequestException, urllib3_errors.HTTPError) as exc:
        response.close()
        return requests_error(exc)
    response._content = content
    response._content_consumed = True
    response.close()
    return response


def requests_error(exc):
    """The requests exception for an error of urllib3 met while reading a body (as iter_content maps it)."""
    if isinstance(exc, requests.RequestException):
        return exc
    if isinstance(exc, urllib3_errors.ReadTimeoutError):
        return requests.exceptions.ReadTimeout(exc)
    if isinstance(exc, urllib3_errors.SSLError):
        return requests.exceptions.SSLError(exc)
    if isinstance(exc, urllib3_errors.DecodeError):
        return requests.exceptions.ContentDecodingError(exc)
    return requests.exceptions.ChunkedEncodingError(exc)


def streamed_body(path, response, chunk_size, url=None):
    """The body of a streamed answer in chunks; a connection lost or a deadline overrun on the way is
    a TransportError, an empty body an UnexpectedAnswerError (a read always has a JSON document)."""
    empty = True
    try:
        for chunk in body_chunks(response, response.deadline, chunk_size):
            empty = empty and not chunk
            yield chunk
    except (requests.RequestException, urllib3_errors.HTTPError) as exc:
        exc = requests_error(exc)
        words = failure_words(exc)
        where = " from {0}".format(host_of(url)) if url else ""
        raise TransportError("GET", path, "the answer{0} was cut short while reading the body: {1}".format(where, words), url=url)
    finally:
        response.close()
    if empty:
        what = "an empty body ({0}) where JSON was expected".format(content_type_of(response))
        raise UnexpectedAnswerError("GET", path, response.status_code, what, url=url)


def never_sent(exc):
    """A connection that was never made cannot have applied anything."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return "NewConnectionError" in repr(exc)


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


def host_of(url):
    """host:port of a URL (the scheme's port when it names none), without any user info."""
    parts = urlsplit(url)
    try:
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        port = None
    host = parts.hostname or ""
    if ":" in host:
        host = "[{0}]".format(host)
    return "{0}:{1}".format(host, port) if port else host


def public_url(base_url, path):
    """The whole URL of a call as a message may show it: scheme, host, port, path and query, without
    user info, and with the value of any query parameter that looks like a credential masked."""
    parts = urlsplit(base_url + path)
    pairs = [pair.partition("=") for pair in parts.query.split("&")] if parts.query else []
    query = "&".join(name + sep + ("***" if sep and SECRET_PARAMETER.search(name) else value) for name, sep, value in pairs)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, query, ""))


def causes(exc):
    """exc and every exception it wraps (args, urllib3's reason, __cause__, __context__), outermost first."""
    found, todo = [], [exc]
    while todo and len(found) < 20:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or any(current is seen for seen in found):
            continue
        found.append(current)
        todo.extend(arg for arg in current.args if isinstance(arg, BaseException))
        todo.extend((getattr(current, "reason", None), current.__cause__, current.__context__))
    return found


def socket_words(chain):
    """Words for the socket error in a chain of causes, or None."""
    for kind, words in CAUSE_WORDS:
        for cause in chain:
            if isinstance(cause, kind) and not isinstance(cause, requests.RequestException):
                return words or (cause.strerror or "").lower() or None
    return None


def tls_words(chain):
    """What a TLS handshake failure was, from ssl's reason (WRONG_VERSION_NUMBER: wrong version number)."""
    for cause in chain:
        if isinstance(cause, ssl.SSLError) and getattr(cause, "reason", None):
            return "the TLS handshake failed: {0}".format(cause.reason.replace("_", " ").lower())
    match = SSL_TEXT.search(str(chain[0]))
    return "the TLS handshake failed: {0}".format(match.group(1)) if match else "the TLS handshake failed"


def failure_words(exc, timeout=None):
    """What a failed attempt was, in words: never the library's repr of pools and connections."""
    if AnswerDeadline is not None and isinstance(exc, AnswerDeadline):
        return str(exc)
    within = " within {0:g} s (the timeout option)".format(timeout) if timeout else " in time (the timeout option)"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "no connection" + within
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer" + within
    chain = causes(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return tls_words(chain)
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return "the answer's body could not be decoded"
    words = socket_words(chain)
    if words is None:
        words = next((text for pattern, text in TEXT_WORDS if pattern.search(str(exc))), None)
    if words is None:
        words = "the connection was lost ({0})".format(type(exc).__name__)
    if isinstance(exc, requests.exceptions.ProxyError):
        return "the proxy failed: " + words
    return words


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


def transport_error(method, path, exc, url, tries=None):
    """The typed error of an outcome that is no answer: a refused certificate, or no answer at all,
    in words: what failed with which host, after how many attempts over how long."""
    tries = tries or Tries()
    reason = certificate_failure(exc)
    if reason:
        return CertificateError(method, path, server_of(url), reason, url=url)
    sent = not never_sent(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        what = "could not set up TLS with {0}"
    else:
        what = "got no answer from {0}" if sent else "could not connect to {0}"
    text = " ".join((what.format(host_of(url)), attempts_text(tries.attempts, tries.seconds)))
    return TransportError(method, path, "{0}: {1}".format(text, failure_words(exc, tries.timeout)), sent=sent, url=url)


def rate_limit_error(method, path, answer, url, tries):
    """429 after the retries: the API's words, then by whom, how many 429s over how long, what to do.
    `answer` is (status, message, request id, problem)."""
    tries = tries or Tries(rate_limited=1)
    limit = rate_limited_text(host_of(url) if url else "the API", max(tries.rate_limited, 1), tries.seconds, RATE_LIMIT_ADVICE)
    return RateLimitedError(method, path, *answer, url=url, limit=limit)


def answer_of(method, path, response, accept=(), api="legacy", url=None, tries=None, success_body=True):
    """A Response for a status below 400 or in `accept`; else the typed error, raised. success_body=False: the
    body of a 2xx JSON answer is not decoded (a v1 add answers its records back; the caller needs the status)."""
    status = response.status_code
    if not success_body and 200 <= status < 300 and "json" in content_type_of(response):
        return Response(status, None, response.headers)
    body, problem = decode_body(response)
    problem = status_problem(response, body) or (problem if status < 400 else None)
    if problem:
        raise UnexpectedAnswerError(method, path, status, problem, request_id_of(response, body), url=url)
    if status < 400 or status in accept:
        return Response(status, body, response.headers)
    problem = problem_of(body)
    message = problem.pop("summary") if problem else api_message(body, response)
    if status == 429:
        raise rate_limit_error(method, path, (status, message, request_id_of(response, body), problem), url, tries)
    error_class = ApiError
    if status in (401, 403):
        error_class = KeyAuthenticationError if api == "campaigns_v1" else AuthenticationError
    elif status == 404:
        error_class = NotFoundError
    raise error_class(method, path, status, message, request_id_of(response, body), problem=problem, url=url)

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

import json
import re
from urllib.parse import urlsplit

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ApiError,
    AuthenticationError,
    KeyAuthenticationError,
    CertificateError,
    NotFoundError,
    TransportError,
    UnexpectedAnswerError,
    problem_of,
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
CERTIFICATE_FAILURE = re.compile(r"certificate verify failed: ?([^()]*?)\s*(?:\(_ssl|'\)|$)", re.IGNORECASE)
# One read returns what one socket read brought (urllib3's read1), at most this much.
READ_SIZE = 1 << 16
# A streamed body must come at this average rate, after `timeout` seconds of grace.
STREAM_MIN_RATE = 32 * 1024


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


def streamed_body(path, response, chunk_size):
    """The body of a streamed answer in chunks; a connection lost or a deadline overrun on the way is
    a TransportError, an empty body an UnexpectedAnswerError (a read always has a JSON document)."""
    empty = True
    try:
        for chunk in body_chunks(response, response.deadline, chunk_size):
            empty = empty and not chunk
            yield chunk
    except (requests.RequestException, urllib3_errors.HTTPError) as exc:
        exc = requests_error(exc)
        raise TransportError("GET", path, "{0} while reading the body: {1}".format(type(exc).__name__, exc))
    finally:
        response.close()
    if empty:
        raise UnexpectedAnswerError("GET", path, response.status_code, "an empty body ({0}) where JSON was expected".format(content_type_of(response)))


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


def transport_error(method, path, exc, server):
    """The typed error of an outcome that is no answer: a refused certificate, or no answer at all."""
    reason = certificate_failure(exc)
    if reason:
        return CertificateError(method, path, server, reason)
    return TransportError(method, path, "{0}: {1}".format(type(exc).__name__, exc), sent=not never_sent(exc))


def answer_of(method, path, response, accept=(), api="legacy"):
    """A Response for a status below 400 or in `accept`; else the typed error, raised."""
    body, problem = decode_body(response)
    status = response.status_code
    problem = status_problem(response, body) or (problem if status < 400 else None)
    if problem:
        raise UnexpectedAnswerError(method, path, status, problem, request_id_of(response, body))
    if status < 400 or status in accept:
        return Response(status, body, response.headers)
    error_class = ApiError
    if status in (401, 403):
        error_class = KeyAuthenticationError if api == "campaigns_v1" else AuthenticationError
    elif status == 404:
        error_class = NotFoundError
    problem = problem_of(body)
    message = problem.pop("summary") if problem else api_message(body, response)
    raise error_class(method, path, status, message, request_id_of(response, body), problem=problem)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors of the collection.

Every message names what a user needs to act on (method, the whole URL without
credentials, status, the API's short message, campaign, customer) and never a
header, token or body.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MAX_API_MESSAGE = 300


def short_text(text, limit=MAX_API_MESSAGE):
    """Trim an API message so an HTML error page cannot flood the output."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        return text[: limit - 3] + "..."
    return text


PROBLEM_FIELDS = ("title", "status", "detail", "instance", "time")
MAX_FIELD_ERRORS = 10


def problem_of(body):
    """The RFC 9457 problem document of an error answer (the Campaigns API v1), trimmed, or None.

    `summary` is what a user reads first: title, detail and the field errors; `instance` and `time`
    stay in the dict, as 8x8 support asks for them.
    """
    if not isinstance(body, dict) or not (body.get("title") or body.get("detail") or isinstance(body.get("errors"), list)):
        return None
    problem = dict((name, short_text(body[name], 120) if isinstance(body[name], str) else body[name]) for name in PROBLEM_FIELDS if body.get(name) is not None)
    errors = [item for item in body.get("errors") or [] if isinstance(item, dict)][:MAX_FIELD_ERRORS]
    problem["errors"] = [dict((key, short_text(item[key], 120)) for key in ("field", "code", "message") if item.get(key) is not None) for item in errors]
    words = [text for text in (problem.get("title"), problem.get("detail")) if text]
    words += ["{0}: {1}".format(item.get("field", "?"), item.get("message") or item.get("code", "")) for item in problem["errors"]]
    problem["summary"] = "; ".join(words) or "a problem document without title or detail"
    return problem


class DynamicCampaignsError(Exception):
    """Base of every error the collection raises; modules turn it into fail_json."""

    def __init__(self, message):
        super(DynamicCampaignsError, self).__init__(message)
        self.message = message

    def result_fields(self):
        """Extra, secret-free fields for the failed task result."""
        return {}


class ValidationError(DynamicCampaignsError):
    """Bad input caught locally, before any HTTP call."""


def request_fields(error):
    """The secret-free fields that say which call failed (http_url: the whole URL, without credentials)."""
    fields = {"http_method": error.method, "http_path": error.path}
    if error.url:
        fields["http_url"] = error.url
    return fields


def attempts_text(attempts, seconds):
    """'after 5 attempts over 12.3 s' (None when the attempts are not known)."""
    if not attempts:
        return None
    return "after {0} attempt{1} over {2:.1f} s".format(attempts, "" if attempts == 1 else "s", seconds or 0.0)


def rate_limited_text(host, answers, seconds, advice):
    """Why a run or a call stopped on 429s: by whom, how many and for how long, and what to do."""
    return "Rate limited by {0}: {1} answer{2} 429 (Too Many Requests) over {3:.1f} s. {4}".format(
        host, answers, "" if answers == 1 else "s", seconds or 0.0, advice
    )


class TransportError(DynamicCampaignsError):
    """No HTTP answer: connection refused or reset, timeout, TLS failure.

    `reason` is in words (http_answers.transport_error): what failed, with which host, after how
    many attempts over how long. `sent` is False when the connection was never made, so nothing
    can have been applied.
    """

    def __init__(self, method, path, reason, sent=True, url=None):
        self.method = method
        self.path = path
        self.url = url
        self.sent = sent
        self.reason = short_text(reason)
        super(TransportError, self).__init__("{0} {1}: {2}".format(method, url or path, self.reason))

    def result_fields(self):
        return request_fields(self)


class CertificateError(DynamicCampaignsError):
    """The server's TLS certificate failed verification: nothing was sent, and a retry cannot help."""

    def __init__(self, method, path, server, reason, url=None):
        self.method = method
        self.path = path
        self.url = url
        super(CertificateError, self).__init__(
            "{0} {1}: the TLS certificate of {2} could not be verified ({3}). If the API is behind a private CA or an"
            " intercepting proxy, set ca_path to that CA's bundle (PEM); validate_certs=false turns the check off,"
            " for testing only.".format(method, url or path, server, short_text(reason))
        )

    def result_fields(self):
        return request_fields(self)


class HttpError(DynamicCampaignsError):
    """The API answered with an error status."""

    def __init__(self, method, path, status, api_message=None, request_id=None, problem=None, url=None):
        self.method = method
        self.path = path
        self.url = url
        self.status = status
        self.api_message = short_text(api_message) if api_message else None
        self.request_id = request_id
        self.problem = problem
        super(HttpError, self).__init__(self.describe())

    def describe(self):
        text = "{0} {1} answered {2}".format(self.method, self.url or self.path, self.status)
        if self.api_message:
            text += ": {0}".format(self.api_message)
        if self.request_id:
            text += " (request id {0})".format(self.request_id)
        support = ["{0} {1}".format(name, self.problem[name]) for name in ("instance", "time") if (self.problem or {}).get(name)]
        if support:
            text += " (for 8x8 support: {0})".format(", ".join(support))
        return text

    def result_fields(self):
        fields = request_fields(self)
        fields.update(http_status=self.status, api_message=self.api_message, request_id=self.request_id)
        if self.problem is not None:
            fields["api_problem"] = self.problem
        return fields


class AuthenticationError(HttpError):
    """401/403: wrong tenant, wrong token for the call, or wrong cluster."""

    def describe(self):
        return (
            HttpError.describe(self) + ". Check the tenant, that the token fits the call (action token for"
            " changes, data token for reads) and the platform or base_url."
        )


class KeyAuthenticationError(HttpError):
    """401/403 of the Campaigns API v1: the key, its API product, the tenant or the site."""

    def describe(self):
        return (
            HttpError.describe(self) + ". Check api_key (an Admin Console key whose app carries the Contact Center"
            " Campaigns API product), tenant (the tenant name in Configuration Manager) and site."
        )


class NotFoundError(HttpError):
    """404 at the request level."""


class ApiError(HttpError):
    """Any other error status: a refusal (400), a server error (5xx)."""


class RateLimitedError(ApiError):
    """429 until the retries were spent: `limit` says by whom, how many, how long and what to do."""

    def __init__(self, method, path, status, api_message=None, request_id=None, problem=None, url=None, limit=None):
        self.limit = limit
        super(RateLimitedError, self).__init__(method, path, status, api_message, request_id, problem, url)

    def describe(self):
        return "{0}. {1}".format(HttpError.describe(self).rstrip("."), self.limit) if self.limit else HttpError.describe(self)


class UnexpectedAnswerError(ApiError):
    """An answer the API never gives (an HTML page, invalid JSON, an empty body where JSON is due,
    an undocumented status): likely a proxy or a maintenance page. Names status and content type;
    `api_message` says what was wrong, never the body itself."""

    def describe(self):
        return "{0} {1} answered {2}, which is not an answer of the 8x8 API: {3}".format(self.method, self.url or self.path, self.status, self.api_message)


class CampaignError(DynamicCampaignsError):
    """An operation on a campaign was refused; carries the API's own words."""

    def __init__(self, campaign_id, message, cause=None):
        self.campaign_id = campaign_id
        self.cause = cause
        text = "Campaign {0}: {1}".format(campaign_id, message)
        if isinstance(cause, HttpError):
            text += " [{0}]".format(cause.describe())
        elif cause is not None:
            text += " [{0}]".format(cause)
        super(CampaignError, self).__init__(text)

    def result_fields(self):
        fields = {"campaign_id": self.campaign_id}
        if isinstance(self.cause, DynamicCampaignsError):
            fields.update(self.cause.result_fields())
        return fields

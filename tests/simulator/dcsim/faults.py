# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection settings and decisions (deterministic with a seed)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import math
import random

from .state_v1 import Options

STATUS_METHODS = ('patch', 'post', 'both')
DELETE_VARIANTS = ('spec', 'support')
BAD_ANSWERS = ('off', 'html', 'invalid_json', 'empty', 'status')
BAD_ANSWER_METHODS = ('any', 'read', 'write')
# 8x8's documented records read has no schedule field; 'shown' adds schedule-date-time to every record.
RECORDS_SCHEDULE = ('hidden', 'shown')
RATE_LIMIT_HEADERS = ('off', 'x-ratelimit', 'ratelimit', 'both')
RATES = ('error_rate', 'reset_rate', 'lost_response_rate', 'timeout_rate', 'latency_spike_rate')
DEFAULTS = {
    'latency_ms': 0,
    'latency_spike_rate': 0.0,
    'latency_spike_ms': 1000,
    'error_rate': 0.0,
    'rate_limit': 0,
    'tenant_rate_limits': {},
    'rate_limit_headers': 'off',
    'reset_rate': 0.0,
    'lost_response_rate': 0.0,
    'timeout_rate': 0.0,
    'max_batch': 0,
    'status_method': 'both',
    'delete_variant': 'spec',
    'bad_answer': 'off',
    'bad_answer_status': 200,
    'bad_answer_method': 'any',
    'records_cut_after': None,
    'records_schedule': 'hidden',
    # null (off) or an HTTP status: the write after a lost answer (its retry, when one worker sends) gets it.
    'refuse_after_lost': None,
    'seed': None,
    # Campaigns API v1 (state_v1.py)
    'v1_transient_ms': 0,
    'v1_409_names_state': True,
    'v1_duplicate_status': 409,
    'v1_add_status': 201,
}
TIMEOUT_MESSAGE = 'The request was sent but the response timed out; check the result later.'


def _coerce(value):
    """Templated Ansible bodies may carry numbers as strings ("0.5")."""
    if isinstance(value, str):
        try:
            return int(value) if value.strip().lstrip('-').isdigit() else float(value)
        except ValueError:
            return value
    return value


def _number(name, value):
    value = _coerce(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError('%s must be a number >= 0' % name)
    if name in RATES and value > 1:
        raise ValueError('%s must be between 0 and 1' % name)
    return value


def _choice(choices):
    def check(name, value):
        if value not in choices:
            raise ValueError('%s must be one of %s' % (name, ', '.join(choices)))
        return value

    return check


def _seed(name, value):
    value = _coerce(value)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError('seed must be an integer or null')
    return value


def _http_status(name, value):
    value = _coerce(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= 599:
        raise ValueError('%s must be an HTTP status code (100-599)' % name)
    return value


def _optional_status(name, value):
    # null switches the setting off
    return None if value is None else _http_status(name, value)


def _optional_count(name, value):
    # null switches the setting off; 0 is a real value (cut before the first record)
    value = _coerce(value)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError('%s must be an integer >= 0 or null' % name)
    return value


def _bool(name, value):
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    if not isinstance(value, bool):
        raise ValueError('%s must be true or false' % name)
    return value


def _one_of_statuses(*statuses):
    def check(name, value):
        value = _coerce(value)
        if isinstance(value, bool) or value not in statuses:
            raise ValueError('%s must be one of %s' % (name, ', '.join(str(s) for s in statuses)))
        return value

    return check


def _tenant_limits(name, value):
    # {tenant: requests per second}; a tenant not named has rate_limit
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError('%s must be a mapping of tenant to requests per second' % name)
    return dict((str(tenant), _number(name, limit)) for tenant, limit in value.items())


def _limit(name, value):
    # null switches a limit off, like 0
    return 0 if value is None else _number(name, value)


VALIDATORS = dict((name, _limit) for name in DEFAULTS)
VALIDATORS.update(
    status_method=_choice(STATUS_METHODS),
    delete_variant=_choice(DELETE_VARIANTS),
    bad_answer=_choice(BAD_ANSWERS),
    bad_answer_method=_choice(BAD_ANSWER_METHODS),
    bad_answer_status=_http_status,
    records_cut_after=_optional_count,
    refuse_after_lost=_optional_status,
    records_schedule=_choice(RECORDS_SCHEDULE),
    seed=_seed,
    v1_409_names_state=_bool,
    v1_duplicate_status=_one_of_statuses(409, 400),
    v1_add_status=_one_of_statuses(201, 200),
    tenant_rate_limits=_tenant_limits,
    rate_limit_headers=_choice(RATE_LIMIT_HEADERS),
)


def _validate(name, value):
    if name not in VALIDATORS:
        raise ValueError('unknown fault setting %r' % name)
    return VALIDATORS[name](name, value)


class Faults(object):
    """Current fault settings; ``pre``/``post`` tell the hot path to skip work."""

    def __init__(self, **settings):
        self.settings = dict(DEFAULTS)
        self.rng = random.Random()
        self.windows = collections.defaultdict(collections.deque)
        # A lost answer (refuse_after_lost on) arms one refusal for the next write.
        self.refusal_armed = False
        self.update(settings)

    def update(self, changes):
        """Validate all changes first so a bad PATCH changes nothing."""
        clean = dict((name, _validate(name, value)) for name, value in changes.items())
        self.settings.update(clean)
        for name, value in self.settings.items():
            setattr(self, name, value)
        if 'seed' in clean:
            self.rng.seed(self.seed)
        self.limits_rate = bool(self.rate_limit or any(self.tenant_rate_limits.values()))
        self.pre = bool(
            self.latency_ms
            or self.latency_spike_rate
            or self.error_rate
            or self.limits_rate
            or self.reset_rate
            or self.bad_answer != 'off'
            or self.refuse_after_lost is not None
        )
        self.post = bool(self.lost_response_rate or self.timeout_rate)

    def clear(self):
        """Every setting back to its default (the seed included)."""
        self.update(DEFAULTS)
        self.windows.clear()
        self.refusal_armed = False

    def as_dict(self):
        return dict(self.settings)

    def v1_options(self):
        return Options(self.v1_transient_ms, self.v1_409_names_state, self.v1_duplicate_status, self.v1_add_status)

    def roll(self, rate):
        """True with probability rate; draws only when the fault is on."""
        return rate > 0 and self.rng.random() < rate

    def lost_an_answer(self):
        """A write was applied and its answer lost: with refuse_after_lost on, the next write is refused."""
        self.refusal_armed = self.refuse_after_lost is not None

    def refuses_after_lost(self):
        """True once after each lost answer while refuse_after_lost is on (the refusal is then spent)."""
        armed = self.refusal_armed and self.refuse_after_lost is not None
        self.refusal_armed = False
        return armed

    def answers_badly(self, method):
        """True when the bad_answer fault applies to a request of this method."""
        if self.bad_answer == 'off':
            return False
        is_read = method in ('GET', 'HEAD')
        return self.bad_answer_method == 'any' or (self.bad_answer_method == 'read') == is_read

    def error_status(self):
        return self.rng.choice((502, 503, 504))

    def limit_of(self, tenant):
        """Requests per second the tenant may send (0: no limit)."""
        return self.tenant_rate_limits.get(tenant, self.rate_limit)

    def window_of(self, tenant, now):
        window = self.windows[tenant]
        while window and window[0] <= now - 1.0:
            window.popleft()
        return window

    def rate_limited(self, tenant, now):
        """Sliding 1 s window per tenant; refused requests do not count."""
        limit = self.limit_of(tenant)
        if not limit:
            return False
        window = self.window_of(tenant, now)
        if len(window) >= limit:
            return True
        window.append(now)
        return False

    def rate_headers(self, tenant, now):
        """The rate-limit headers of an answer to the tenant: {} when off or the tenant has no limit."""
        limit = self.limit_of(tenant)
        if self.rate_limit_headers == 'off' or not limit:
            return {}
        window = self.window_of(tenant, now)
        remaining = max(0, int(limit) - len(window))
        reset = int(math.ceil(window[0] + 1.0 - now)) if window and not remaining else 0
        values = {'Limit': '%g' % limit, 'Remaining': str(remaining), 'Reset': str(reset)}
        headers = {}
        if self.rate_limit_headers in ('x-ratelimit', 'both'):
            headers.update(('X-RateLimit-' + name, value) for name, value in values.items())
        if self.rate_limit_headers in ('ratelimit', 'both'):
            headers.update(('RateLimit-' + name, value) for name, value in values.items())
            headers['RateLimit-Policy'] = '%g;w=1' % limit
        return headers

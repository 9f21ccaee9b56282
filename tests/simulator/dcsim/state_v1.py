# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure rules of the simulated 8x8 Contact Center Campaigns API v1 (beta); no HTTP here.

Every operation returns ``(http_status, body)``; error bodies are RFC 9457 problem documents
without ``instance``/``time`` (the HTTP layer adds those). Transient states (BUILDING, STARTING)
settle lazily: every access first calls ``Campaign.settle(now)``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import math
import time
import uuid

SITES = ('US1', 'US2', 'UK3')
STATES = ('CREATED', 'BUILDING', 'READY', 'PENDING', 'STARTING', 'RUNNING', 'PAUSED', 'COMPLETE', 'BUILD_ERROR', 'RUN_ERROR', 'DELETED')
RECORD_STATES = ('PENDING', 'REQUESTED', 'QUEUED', 'CANCEL_REQUESTED', 'AGENT_ACCEPTED', 'COMPLETE', 'REJECTED', 'DELETED', 'ERROR')
PRIORITIES = ('HIGH', 'MEDIUM', 'LOW')
MAX_BATCH = 100
# action -> states it is valid from (START from CREATED only with buildOnStart).
VALID_FROM = {
    'BUILD': ('CREATED', 'READY', 'BUILD_ERROR'),
    'RESET': ('READY', 'BUILD_ERROR'),
    'START': ('READY',),
    'PAUSE': ('RUNNING',),
    'RESUME': ('PAUSED',),
    'RETRY': ('RUN_ERROR',),
    'CANCEL': ('PENDING', 'RUNNING', 'PAUSED', 'RUN_ERROR', 'READY'),
    'PURGE': ('PAUSED', 'RUN_ERROR', 'COMPLETE'),
}
ACTIONS = tuple(VALID_FROM)
DISABLED_ACTIONS = ('BUILD', 'RESET')
NO_ADD_STATES = ('BUILDING', 'STARTING', 'COMPLETE', 'DELETED')
TYPE_BASE = 'https://developer.8x8.com/problems/'
DISPLAY = {
    'CREATED': 'NEW',
    'BUILDING': 'BUILDING',
    'BUILD_ERROR': 'BUILD_FAILED',
    'READY': 'READY_TO_RUN',
    'PENDING': 'SCHEDULED',
    'STARTING': 'RUNNING',
    'RUNNING': 'RUNNING',
    'PAUSED': 'PAUSED',
    'RUN_ERROR': 'ERROR',
    'COMPLETE': 'COMPLETED',
    'DELETED': 'STOPPED',
}


def problem(status, title, detail, errors=None, kind=None):
    """An RFC 9457 problem document (instance and time are added per request)."""
    body = {'type': TYPE_BASE + (kind or title.lower().replace(' ', '-')), 'title': title, 'status': status, 'detail': detail}
    if errors:
        body['errors'] = errors
    return status, body


def field_error(field, code, message):
    return {'field': field, 'code': code, 'message': message}


def invalid(errors, detail='Validation failed'):
    return problem(400, 'Validation failed', detail, errors, kind='validation')


def iso(epoch):
    """RFC 3339 UTC with milliseconds, or None."""
    if epoch is None:
        return None
    dt = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (dt.microsecond // 1000)


def to_epoch(value):
    """Fixture times (ISO string or YAML datetime; UTC when no zone) -> epoch seconds or None."""
    if value in (None, ''):
        return None
    dt = value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00'))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def parse_datetime(value):
    """An RFC 3339 date-time with a zone -> epoch, else None."""
    if not isinstance(value, str) or 'T' not in value.upper():
        return None
    try:
        dt = datetime.datetime.fromisoformat(value.replace('Z', '+00:00').replace('z', '+00:00'))
    except ValueError:
        return None
    return None if dt.tzinfo is None else dt.timestamp()


def campaign_uuid(raw):
    """A UUID string in canonical lower-case form, or None."""
    try:
        return str(uuid.UUID(str(raw))) if len(str(raw)) == 36 else None
    except ValueError:
        return None


class Campaign(object):
    """One v1 campaign: its state machine and its records (crmRecordId -> state)."""

    def __init__(self, cid, entry):
        self.id = cid
        state = str(entry.get('state') or 'CREATED').upper()
        if state not in STATES:
            raise ValueError('campaign %s: unknown state %r' % (cid, state))
        self.state = state
        self.dynamic = bool(entry.get('dynamic', True))
        self.enabled = bool(entry.get('enabled', True))
        self.start = to_epoch(entry.get('start'))
        self.end = to_epoch(entry.get('end'))
        self.build_fails = bool(entry.get('build_fails', False))
        self.purged = False
        # While transient: (epoch when it settles, the state it settles to).
        self.pending_move = None
        self.start_after_build = False
        self.transient_s = 0.0
        self.times = {}
        self.records = {}
        self.details = {}
        self.max_rank = dict((p, 0.0) for p in PRIORITIES)
        for rec in entry.get('records') or ():
            self._load_record(rec)

    def _load_record(self, rec):
        crm = str(rec['crm_record_id'])
        state = str(rec.get('state', 'PENDING')).upper()
        if state not in RECORD_STATES:
            raise ValueError('record %s: unknown state %r' % (crm, state))
        if crm in self.records:
            raise ValueError('record %s is listed twice' % crm)
        priority = str(rec.get('priority') or 'HIGH').upper()
        if priority not in PRIORITIES:
            raise ValueError('record %s: unknown priority %r' % (crm, priority))
        self.store(crm, state, priority, rec.get('rank'), iso(to_epoch(rec.get('schedule'))))

    def store(self, crm, state, priority, rank, schedule):
        """Add a record; rank None: the end of its priority group. Returns the rank."""
        rank = self.max_rank[priority] + 1 if rank is None else float(rank)
        self.max_rank[priority] = max(self.max_rank[priority], rank)
        self.records[crm] = state
        self.details[crm] = (priority, rank, schedule)
        return rank

    def settle(self, now):
        """Apply the automatic moves whose time has come."""
        while self.pending_move is not None and now >= self.pending_move[0]:
            when, state = self.pending_move
            self.pending_move = None
            self.enter(state, when)
        if self.state == 'PENDING' and self.start is not None and now >= self.start:
            self.enter('STARTING', max(self.start, now))
            self.settle(now)
        if self.state in ('RUNNING', 'PENDING') and self.end is not None and now >= self.end:
            self.enter('COMPLETE', now)

    def enter(self, state, now):
        """Move to state; a transient state settles after transient_s (0: at once)."""
        self.state = state
        if state in ('READY', 'BUILD_ERROR'):
            self.times['lastBuildTime'] = now
        if state == 'BUILD_ERROR':
            self.start_after_build = False
        if state == 'RUNNING':
            self.times.setdefault('startedTime', now)
        if state == 'COMPLETE':
            self.times['completedTime'] = now
        if state == 'READY' and self.start_after_build:
            self.start_after_build = False
            self.start_now(now)
        follow = {'BUILDING': 'BUILD_ERROR' if self.build_fails else 'READY', 'STARTING': 'RUNNING'}.get(state)
        if follow:
            self.pending_move = (now + self.transient_s, follow)
            if self.transient_s <= 0:
                self.settle(now)

    def start_now(self, now):
        """START from READY: PENDING until its start time, else STARTING then RUNNING."""
        if self.start is not None and self.start > now:
            self.state = 'PENDING'
        else:
            self.enter('STARTING', now)

    def counts(self):
        counts = dict((name, 0) for name in RECORD_STATES)
        for state in self.records.values():
            counts[state] += 1
        return counts

    def display_status(self):
        if not self.enabled:
            return 'DISABLED'
        if self.purged and self.state == 'PAUSED':
            return 'PURGED'
        if self.purged and self.state == 'RUN_ERROR':
            return 'ERROR_PURGED'
        return DISPLAY[self.state]

    def body(self, tenant):
        """The API's Campaign: absent fields are left out, never null."""
        out = {'id': self.id, 'tenantId': tenant, 'state': self.state, 'displayStatus': self.display_status()}
        for name, value in (('startTime', self.start), ('endTime', self.end)):
            if value is not None:
                out[name] = iso(value)
        out['recordCount'] = len(self.records)
        counts = self.counts()
        out['recordCounts'] = [{'type': 'DYNAMIC', 'state': name, 'count': n} for name, n in counts.items() if n]
        for name in ('lastBuildTime', 'lastPurgedTime', 'startedTime', 'completedTime'):
            if name in self.times:
                out[name] = iso(self.times[name])
        return out

    def summary(self):
        """The /_sim/v1/ view."""
        return {
            'id': self.id,
            'state': self.state,
            'enabled': self.enabled,
            'dynamic': self.dynamic,
            'records_total': len(self.records),
            'records': self.counts(),
        }


class Options(object):
    """The v1 fault settings the rules read (see faults.py)."""

    def __init__(self, transient_ms=0, names_state=True, duplicate_status=409, add_status=201):
        self.transient_s = transient_ms / 1000.0
        self.names_state = names_state
        self.duplicate_status = duplicate_status
        self.add_status = add_status


def conflict(options, what, state):
    """A 409; its detail names the current state unless v1_409_names_state is off."""
    where = ('in state %s' % state) if options.names_state else 'in the current state'
    return problem(409, 'Conflict', '%s is not allowed %s' % (what, where), kind='conflict')


class Tenant(object):
    """One tenant of the v1 API: its key and campaigns."""

    def __init__(self, entry):
        self.name = str(entry.get('tenant', 'acme'))
        self.api_key = None if entry.get('api_key') in (None, '') else str(entry.get('api_key'))
        self.keys_without_product = [str(key) for key in entry.get('api_keys_without_product') or ()]
        self.campaigns = {}
        for camp in entry.get('campaigns_v1') or ():
            self.put_campaign(camp.get('id'), camp)

    def put_campaign(self, raw_id, entry):
        cid = campaign_uuid(raw_id)
        if cid is None:
            raise ValueError('campaign id %r is not a UUID' % (raw_id,))
        self.campaigns[cid] = Campaign(cid, entry)
        return self.campaigns[cid]

    def modify(self, camp, body, options, now=None):
        """PATCH /{campaignId}: (status, body)."""
        now = time.time() if now is None else now
        camp.settle(now)
        errors = modify_errors(body)
        if errors:
            return invalid(errors)
        action = body['action']
        enabled = body.get('enabled', camp.enabled)
        error = action_error(camp, action, enabled, bool(body.get('buildOnStart')), options)
        if error:
            return error
        camp.enabled = enabled
        apply_action(camp, action, bool(body.get('buildOnStart')), options.transient_s, now)
        return 200, camp.body(self.name)

    def add_records(self, camp, body, options, now=None):
        """POST /{campaignId}/records: all or nothing."""
        now = time.time() if now is None else now
        camp.settle(now)
        error = records_error(body) or add_state_error(camp, options)
        if error:
            return error
        items = body['records']
        present = next((item['crmRecordId'] for item in items if item['crmRecordId'] in camp.records), None)
        if present is not None:
            detail = 'Campaign already contains record for Id: %s' % present
            return problem(options.duplicate_status, 'Duplicate record', detail, kind='duplicate-record')
        return options.add_status, {'records': [add_one(camp, item, now) for item in items]}


def modify_errors(body):
    """Field errors of a PATCH body (a list, empty when fine)."""
    if not isinstance(body, dict):
        return [field_error('body', 'NotNull', 'a JSON object is required')]
    errors = []
    action = body.get('action')
    if action is None:
        errors.append(field_error('action', 'NotNull', 'must not be null'))
    elif action not in ACTIONS:
        errors.append(field_error('action', 'Enum', 'must be one of %s' % ', '.join(ACTIONS)))
    for name in ('enabled', 'buildOnStart'):
        if name in body and not isinstance(body[name], bool):
            errors.append(field_error(name, 'Type', 'must be a boolean'))
    return errors


def action_error(camp, action, enabled, build_on_start, options):
    """The 409 of an action not valid now, or None."""
    if not enabled and action not in DISABLED_ACTIONS:
        return problem(409, 'Conflict', '%s is not allowed while the campaign is disabled' % action, kind='conflict')
    valid = VALID_FROM[action]
    if action == 'START' and build_on_start:
        valid = ('CREATED', 'READY', 'BUILD_ERROR')
    if camp.state not in valid:
        return conflict(options, action, camp.state)
    return None


def apply_action(camp, action, build_on_start, transient_s, now):
    camp.transient_s = transient_s
    if action in ('BUILD', 'RESET'):
        camp.purged = False
    if action == 'START' and build_on_start:
        camp.start_after_build = True
        camp.enter('BUILDING', now)
    elif action == 'START':
        camp.start_now(now)
    elif action == 'BUILD':
        camp.enter('BUILDING', now)
    elif action == 'RESET':
        camp.state = 'CREATED'
    elif action == 'PURGE':
        purge(camp, now)
    else:
        camp.enter({'PAUSE': 'PAUSED', 'CANCEL': 'COMPLETE'}.get(action, 'RUNNING'), now)


def purge(camp, now):
    camp.purged = True
    camp.times['lastPurgedTime'] = now
    records = camp.records
    for crm, state in records.items():
        if state in ('REQUESTED', 'QUEUED'):
            records[crm] = 'PENDING'


def records_error(body):
    """400 of an add body that breaks the description, or None."""
    items = body.get('records') if isinstance(body, dict) else None
    if not isinstance(items, list):
        return invalid([field_error('records', 'NotNull', 'must not be null')])
    if not 1 <= len(items) <= MAX_BATCH:
        return invalid([field_error('records', 'Size', 'size must be between 1 and %d' % MAX_BATCH)])
    errors = []
    for pos, item in enumerate(items):
        errors.extend(item_errors('records[%d].' % pos, item))
    if errors:
        return invalid(errors)
    seen = set()
    for item in items:
        if item['crmRecordId'] in seen:
            return invalid(
                [field_error('records', 'Unique', 'duplicate crmRecordId %s' % item['crmRecordId'])],
                'Duplicate crmRecordId in request: %s' % item['crmRecordId'],
            )
        seen.add(item['crmRecordId'])
    return None


def item_errors(prefix, item):
    if not isinstance(item, dict):
        return [field_error(prefix.rstrip('.'), 'Type', 'must be an object')]
    errors = []
    crm = item.get('crmRecordId')
    if not isinstance(crm, str) or not crm.strip():
        errors.append(field_error(prefix + 'crmRecordId', 'NotBlank', 'must not be blank'))
    elif len(crm) > 32:
        errors.append(field_error(prefix + 'crmRecordId', 'Size', 'size must be between 1 and 32'))
    if 'scheduleAt' in item and parse_datetime(item['scheduleAt']) is None:
        errors.append(field_error(prefix + 'scheduleAt', 'Format', 'must be an ISO 8601 date-time with a zone'))
    if 'priority' in item and item['priority'] not in PRIORITIES:
        errors.append(field_error(prefix + 'priority', 'Enum', 'must be one of HIGH, MEDIUM, LOW'))
    rank = item.get('rank')
    if 'rank' in item and (isinstance(rank, bool) or not isinstance(rank, (int, float)) or not math.isfinite(rank)):
        errors.append(field_error(prefix + 'rank', 'Type', 'must be a number'))
    return errors


def add_state_error(camp, options):
    if not camp.dynamic:
        return problem(400, 'Bad request', 'Records can only be added to a dynamic campaign', kind='not-dynamic')
    if camp.state in NO_ADD_STATES:
        return conflict(options, 'Adding records', camp.state)
    return None


def add_one(camp, item, now):
    crm = item['crmRecordId']
    priority = item.get('priority', 'HIGH')
    when = parse_datetime(item['scheduleAt']) if 'scheduleAt' in item else None
    rank = camp.store(crm, 'PENDING', priority, item.get('rank'), iso(when))
    return {
        'id': str(uuid.uuid4()),
        'type': 'DYNAMIC',
        'crmRecordId': crm,
        'priority': priority,
        'rank': rank,
        'nextAttemptAfter': iso(max(now, when or now)),
        'retryCount': 0,
        'state': 'PENDING',
    }


def tenants_of(fixture):
    """A fixture -> {tenant name: Tenant}: the top level, or each entry of a ``tenants:`` list."""
    fixture = fixture or {}
    entries = fixture.get('tenants') if isinstance(fixture.get('tenants'), list) else [fixture]
    tenants = {}
    for entry in entries:
        tenant = Tenant(entry if isinstance(entry, dict) else {})
        tenants[tenant.name] = tenant
    return tenants

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure rules of the simulated 8x8 Dynamic Campaigns API (no HTTP here).

Every operation returns ``(http_status, body)`` where body is a JSON-able
value or None, so the HTTP layer only serialises.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bisect
import datetime
import json
import time

MAX_RECORDS = 5000000
SEVEN_DAYS = 7 * 24 * 3600

# Record statuses are small ints equal to the stats API codes, so the
# per-campaign dict stays compact and reads need no translation.
NEW, QUEUED, ACCEPTED, COMPLETED, SCHEDULED = 0, 1, 2, 3, 4
DELETED = -1
RECORD_STATUSES = {'NEW': NEW, 'QUEUED': QUEUED, 'ACCEPTED': ACCEPTED, 'COMPLETED': COMPLETED, 'SCHEDULED': SCHEDULED}
RECORD_NAMES = dict((v, k) for k, v in RECORD_STATUSES.items())

CAMPAIGN_STATUSES = ('NEW', 'RUNNING', 'PAUSED', 'PURGED', 'STOPPED')
SETTABLE = ('RUNNING', 'PAUSED', 'PURGED', 'STOPPED')
TRANSITIONS = {
    'NEW': ('RUNNING',),
    'RUNNING': ('PAUSED', 'STOPPED'),
    'PAUSED': ('RUNNING', 'PURGED', 'STOPPED'),
    'PURGED': ('RUNNING', 'STOPPED'),
    'STOPPED': (),
}
# Codes set by a manual (API) status change.
MANUAL_CODE = {'NEW': 0, 'RUNNING': 3, 'PAUSED': 8, 'PURGED': 10, 'STOPPED': 5}
CODE_STATUS = {
    0: 'NEW',
    1: 'RUNNING',
    2: 'RUNNING',
    3: 'RUNNING',
    4: 'RUNNING',
    5: 'STOPPED',
    6: 'STOPPED',
    7: 'STOPPED',
    8: 'PAUSED',
    9: 'PAUSED',
    10: 'PURGED',
    11: 'PURGED',
}

MSG = {
    'unauthorized': 'Unauthorized',
    'no_campaign': 'The campaign cannot be found.',
    'invalid_status': 'Invalid status',
    'status_not_dynamic': 'Not a dynamic campaign',
    'not_enabled': 'The campaign is not enabled.',
    'transition': 'Invalid state transition',
    'changed': 'The campaign status has changed.',
    'not_dynamic': 'This is not a dynamic campaign.',
    'not_started': 'The operation is invalid for a campaign that has not started.',
    'stopped_add': 'The campaign has stopped. No additional customers can be added.',
    'bad_list': 'The provided customer list is invalid.',
    'bad_id': 'Invalid customer-id',
    'not_in_crm': 'The customer-id has not been found.',
    'bad_format': 'Invalid schedule-date-time format - please use ISO 8601 format',
    'past': 'The subject schedule-date-time is in the past.',
    'too_far': 'The subject schedule-date-time must be within 7 days ahead of a future period.',
    'window': 'The subject schedule-date-time is outside the campaign schedule from %s to %s.',
    'duplicate': 'Duplicate customer',
    'cap': 'The campaign has reached the maximum of %d records.' % MAX_RECORDS,
    'del_not_enabled': 'This campaign is not enabled.',
    'stopped_del': 'The campaign has stopped. No customers can be deleted.',
    'not_located': 'The customer has not been located.',
    'not_deletable': 'The customer is not available for deletion.',
    'support_not_deletable': 'The customer is not available for deletion: %s.',
    'deleted': 'Customer deleted.',
}
SUPPORT_REASONS = {ACCEPTED: 'agent connected', COMPLETED: 'marked completed'}


def msg(key):
    return {'message': MSG[key]}


def to_epoch(value):
    """Fixture/window times: ISO string or a YAML datetime -> epoch seconds or None."""
    if value in (None, ''):
        return None
    if isinstance(value, datetime.datetime):
        dt = value
    else:
        dt = datetime.datetime.fromisoformat(str(value))
    if dt.tzinfo is None:
        # YAML timestamps lose their zone; the fixture format documents UTC.
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.timestamp()


def iso_ms(epoch):
    """8x8 renders times as ISO 8601 with milliseconds and a Z suffix."""
    if epoch is None:
        return ''
    dt = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return dt.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (dt.microsecond // 1000)


def parse_schedule(value):
    """A schedule must be an ISO 8601 date-time with a zone; else None."""
    if not isinstance(value, str) or 'T' not in value:
        return None
    try:
        dt = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is None:
        return None
    return dt.timestamp()


def parse_customer_id(raw):
    """Digits string or int -> positive int, else None. Cheap on purpose (hot path)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        if not (raw.isascii() and raw.isdigit()):
            return None
        cid = int(raw)
    elif isinstance(raw, int):
        cid = raw
    else:
        return None
    return cid if cid > 0 else None


class IdRanges(object):
    """Sorted, non-overlapping [start, end) ranges with O(log n) membership."""

    def __init__(self):
        self.starts = []
        self.ends = []

    def add(self, start, count):
        if count <= 0:
            return
        pos = bisect.bisect_right(self.starts, start)
        end = start + count
        if (pos and self.ends[pos - 1] > start) or (pos < len(self.starts) and self.starts[pos] < end):
            raise ValueError('overlapping range from %d' % start)
        self.starts.insert(pos, start)
        self.ends.insert(pos, end)

    def index(self, cid):
        """Index of the range holding cid, or -1."""
        pos = bisect.bisect_right(self.starts, cid) - 1
        if pos >= 0 and cid < self.ends[pos]:
            return pos
        return -1


class Crm(object):
    """The tenant's CRM: ranges are kept as ranges, never expanded."""

    def __init__(self, entries=None):
        self.ranges = IdRanges()
        self.ids = set()
        for entry in entries or ():
            if isinstance(entry, dict):
                self.ranges.add(int(entry['from']), int(entry['count']))
            else:
                self.ids.add(int(entry))

    def __contains__(self, cid):
        return cid in self.ids or self.ranges.index(cid) >= 0

    def has(self, cid):
        return cid in self.ids or self.ranges.index(cid) >= 0


class Records(object):
    """A campaign's records: ranges of one status plus a dict for the rest.

    Fixture ranges (benchmarks preload millions) stay ranges; a record of a
    range whose status changes gets an entry in ``override`` (DELETED when
    removed). Records added one by one live in ``extra`` (id -> small int).
    """

    def __init__(self):
        self.ranges = IdRanges()
        self.range_status = []
        self.override = {}
        self.extra = {}
        self.schedules = {}
        # Ids removed by a DELETE since the campaign was loaded ('already deleted').
        self.deleted = set()
        self.total = 0

    def add_range(self, start, count, status):
        self.ranges.add(start, count)
        pos = self.ranges.index(start)
        self.range_status.insert(pos, status)
        self.total += count

    def get(self, cid):
        status = self.extra.get(cid)
        if status is not None or not self.range_status:
            return status
        pos = self.ranges.index(cid)
        if pos < 0:
            return None
        status = self.override.get(cid, self.range_status[pos])
        return None if status == DELETED else status

    def put(self, cid, status):
        """Create or update a record."""
        if self.get(cid) is None:
            self.total += 1
        if self.range_status and self.ranges.index(cid) >= 0:
            self.override[cid] = status
        else:
            self.extra[cid] = status
        if status != SCHEDULED:
            self.schedules.pop(cid, None)

    def add_new(self, cid, status):
        """Hot path of an add: the caller has checked that cid is absent."""
        if self.range_status and self.ranges.index(cid) >= 0:
            self.override[cid] = status
        else:
            self.extra[cid] = status
        self.total += 1

    def remove(self, cid):
        if self.get(cid) is None:
            return
        self.deleted.add(cid)
        self.total -= 1
        self.schedules.pop(cid, None)
        if cid in self.extra:
            del self.extra[cid]
        else:
            self.override[cid] = DELETED

    def requeue(self):
        """Purge: the dialer queue is flushed, QUEUED records become NEW."""
        self.range_status = [NEW if s == QUEUED else s for s in self.range_status]
        for table in (self.extra, self.override):
            for cid, status in table.items():
                if status == QUEUED:
                    table[cid] = NEW

    def counts(self):
        counts = dict((name, 0) for name in RECORD_STATUSES)
        for pos, status in enumerate(self.range_status):
            counts[RECORD_NAMES[status]] += self.ranges.ends[pos] - self.ranges.starts[pos]
        for cid, status in self.override.items():
            counts[RECORD_NAMES[self.range_status[self.ranges.index(cid)]]] -= 1
            if status != DELETED:
                counts[RECORD_NAMES[status]] += 1
        for status in self.extra.values():
            counts[RECORD_NAMES[status]] += 1
        return counts

    def iter_chunks(self, size=4096):
        """Yield lists of (cid, status); safe against changes between chunks."""
        for pos, rstatus in enumerate(list(self.range_status)):
            start, end = self.ranges.starts[pos], self.ranges.ends[pos]
            for low in range(start, end, size):
                override = self.override
                chunk = [(cid, override.get(cid, rstatus)) for cid in range(low, min(end, low + size))]
                yield [item for item in chunk if item[1] != DELETED] if override else chunk
        # A key snapshot (not items) keeps memory low; statuses are read late.
        keys = list(self.extra)
        for low in range(0, len(keys), size):
            extra = self.extra
            chunk = [(cid, extra.get(cid)) for cid in keys[low : low + size]]
            yield [item for item in chunk if item[1] is not None]


class Campaign(object):
    def __init__(self, cid, entry):
        self.id = cid
        self.name = entry.get('name') or 'Campaign %d' % cid
        code = entry.get('status_code')
        code = None if code in (None, '') else int(code)
        # Upper-cased: fixtures written by playbooks often say "running".
        status = str(entry.get('status') or CODE_STATUS.get(code, 'NEW')).upper()
        if status not in CAMPAIGN_STATUSES:
            raise ValueError('campaign %d: unknown status %r' % (cid, status))
        self.status = status
        self.status_code = code if code is not None else MANUAL_CODE[status]
        self.dynamic = bool(entry.get('dynamic', True))
        self.enabled = bool(entry.get('enabled', True))
        self.start = to_epoch(entry.get('start'))
        self.end = to_epoch(entry.get('end'))
        self.description = entry.get('description') or ''
        # The zone the stats read reports ('' for none).
        self.timezone = entry.get('timezone', 'UTC') or ''
        self.records = Records()
        for rec in entry.get('records') or ():
            self._load_record(rec)

    def _load_record(self, rec):
        status = RECORD_STATUSES[str(rec.get('status', 'NEW')).upper()]
        if 'from' in rec:
            self.records.add_range(int(rec['from']), int(rec['count']), status)
            return
        cid = int(rec['customer_id'])
        self.records.put(cid, status)
        if status == SCHEDULED and rec.get('schedule'):
            self.records.schedules[cid] = iso_ms(to_epoch(rec['schedule']))

    def summary(self):
        """The /_sim/ view of a campaign."""
        return {
            'id': self.id,
            'name': self.name,
            'status': self.status,
            'status_code': self.status_code,
            'dynamic': self.dynamic,
            'enabled': self.enabled,
            'start': iso_ms(self.start),
            'end': iso_ms(self.end),
            'records': self.records.counts(),
            'records_total': self.records.total,
        }

    def stats(self):
        """The stats API view: loosely typed, empty values as ''."""
        return {
            'campaign': {
                'campaign-id': self.id,
                'campaign-name': self.name,
                'enabled': 'Y' if self.enabled else 'N',
                'dynamic-campaign': 'Y' if self.dynamic else 'N',
                'status': self.status_code,
                'no-of-records': self.records.total,
                'start-time': iso_ms(self.start),
                'end-time': iso_ms(self.end),
                'timezone': self.timezone,
                'description': self.description,
                'campaign-type': 'Dynamic' if self.dynamic else 'Outbound',
            }
        }


class Sim(object):
    """The whole simulated tenant: credentials, CRM and campaigns."""

    def __init__(self, fixture):
        fixture = fixture or {}
        self.tenant = str(fixture.get('tenant', 'acme'))
        self.action_token = str(fixture.get('action_token', ''))
        self.data_token = str(fixture.get('data_token', ''))
        self.crm = Crm(fixture.get('crm_customers'))
        self.campaigns = {}
        for entry in fixture.get('campaigns') or ():
            self.put_campaign(int(entry['id']), entry)

    def put_campaign(self, cid, entry):
        self.campaigns[cid] = Campaign(cid, entry)
        return self.campaigns[cid]

    def change_status(self, camp, body, now=None):
        wanted = body.get('status') if isinstance(body, dict) else None
        if wanted not in SETTABLE:
            return 400, msg('invalid_status')
        if not camp.dynamic:
            return 400, msg('status_not_dynamic')
        if not camp.enabled:
            return 400, msg('not_enabled')
        if wanted not in TRANSITIONS[camp.status]:
            return 400, msg('transition')
        camp.status = wanted
        camp.status_code = MANUAL_CODE[wanted]
        if wanted == 'PURGED':
            camp.records.requeue()
        return 200, msg('changed')

    def add_check(self, camp, items):
        """Request-level checks of an add, in 8x8's order; None when fine."""
        if not camp.dynamic:
            return 400, msg('not_dynamic')
        if not camp.enabled:
            return 400, msg('not_enabled')
        if camp.status == 'NEW':
            return 400, msg('not_started')
        if camp.status == 'STOPPED':
            return 400, msg('stopped_add')
        if not isinstance(items, list) or not items:
            return 400, msg('bad_list')
        return None

    def add_customers(self, camp, items, now=None):
        error = self.add_check(camp, items)
        if error:
            return error
        now = time.time() if now is None else now
        if camp.records.range_status:
            add_one = self.add_one
            return 207, [add_one(camp, item, now) for item in items]
        return 207, self._add_batch(camp, items, now)

    def _add_batch(self, camp, items, now):
        """Hot path for bulk adds: inlines the common success case.

        Only an item that will certainly succeed (a lone digits customer-id,
        in the CRM, not yet a record, cap not reached) is handled here; any
        other item goes through add_one, the authoritative rules.
        """
        records, add_one = camp.records, self.add_one
        extra, crm_ids, crm_index = records.extra, self.crm.ids, self.crm.ranges.index
        results = []
        for item in items:
            raw = item.get('customer-id') if isinstance(item, dict) and len(item) == 1 else None
            cid = int(raw) if isinstance(raw, str) and raw.isdigit() and raw.isascii() else 0
            if cid > 0 and cid not in extra and records.total < MAX_RECORDS and (cid in crm_ids or crm_index(cid) >= 0):
                extra[cid] = NEW
                records.total += 1
                results.append({'customer-id': cid, 'http-status': 200})
            else:
                results.append(add_one(camp, item, now))
        return results

    def add_one(self, camp, item, now):
        if not isinstance(item, dict):
            return {'customer-id': None, 'http-status': 400, 'message': MSG['bad_id']}
        cid = parse_customer_id(item.get('customer-id'))
        out = {'customer-id': cid}
        sched = item.get('schedule-date-time')
        if isinstance(sched, str):
            # Echoed as 8x8 does, but only as the string the schema allows.
            out['schedule-date-time'] = sched
        error = self._item_error(camp, cid, sched, now)
        if error:
            out['http-status'], out['message'] = error
            return out
        if sched is None:
            camp.records.add_new(cid, NEW)
        else:
            camp.records.add_new(cid, SCHEDULED)
            camp.records.schedules[cid] = iso_ms(parse_schedule(sched))
        out['http-status'] = 200
        return out

    def _item_error(self, camp, cid, sched, now):
        if cid is None:
            return 400, MSG['bad_id']
        if not self.crm.has(cid):
            return 404, MSG['not_in_crm']
        if sched is not None:
            error = schedule_error(camp, sched, now)
            if error:
                return 400, error
        if camp.records.get(cid) is not None:
            return 400, MSG['duplicate']
        if camp.records.total >= MAX_RECORDS:
            return 400, MSG['cap']
        return None

    def delete_customer(self, camp, raw_cid, variant='spec'):
        if not camp.dynamic:
            return 400, msg('not_dynamic')
        if not camp.enabled:
            return 400, msg('del_not_enabled')
        if camp.status == 'STOPPED':
            return 400, msg('stopped_del')
        cid = parse_customer_id(raw_cid)
        status = None if cid is None else camp.records.get(cid)
        if status is None:
            if variant == 'support' and cid in camp.records.deleted:
                return 404, {'message': MSG['support_not_deletable'] % 'already deleted'}
            return 404, msg('not_located')
        if status in (ACCEPTED, COMPLETED):
            if variant == 'support':
                return 404, {'message': MSG['support_not_deletable'] % SUPPORT_REASONS[status]}
            return 400, msg('not_deletable')
        camp.records.remove(cid)
        if variant == 'support':
            return 200, msg('deleted')
        return 204, None


TENANT_KEYS = ('tenant', 'action_token', 'data_token', 'crm_customers', 'campaigns')


def tenants_of(fixture):
    """A fixture -> {tenant name: Sim}, in the fixture's order.

    Either the single-tenant form (tenant, tokens, crm_customers, campaigns at the top) or a
    ``tenants:`` list of entries of that form, one per tenant.
    """
    fixture = fixture or {}
    if not isinstance(fixture, dict):
        raise ValueError('a fixture is a mapping')
    entries = fixture.get('tenants')
    if entries is None:
        entries = [fixture]
    elif not isinstance(entries, list) or not entries or not all(isinstance(entry, dict) for entry in entries):
        raise ValueError('tenants must be a non-empty list of tenant entries')
    elif any(key in fixture for key in TENANT_KEYS):
        raise ValueError('a fixture with tenants: keeps %s inside each tenant entry' % ', '.join(TENANT_KEYS))
    tenants = {}
    for entry in entries:
        sim = Sim(entry)
        if sim.tenant in tenants:
            raise ValueError('tenant %s is listed twice' % sim.tenant)
        tenants[sim.tenant] = sim
    return tenants


def schedule_error(camp, sched, now):
    """Message of the first schedule rule broken, or None."""
    when = parse_schedule(sched)
    if when is None:
        return MSG['bad_format']
    if when < now:
        return MSG['past']
    if when > now + SEVEN_DAYS:
        return MSG['too_far']
    if (camp.start is not None and when < camp.start) or (camp.end is not None and when > camp.end):
        return MSG['window'] % (iso_ms(camp.start), iso_ms(camp.end))
    return None


def record_encoder(camp, with_schedule=False):
    """A function (customer id, status) -> one stats record as JSON text, loosely typed (numeric
    strings) as 8x8 sends it, with exactly the fields 8x8 documents; with_schedule adds the record's
    schedule-date-time ("" when none), which 8x8's read does not carry."""
    head = ('{"campaign-name": %s, "campaign-id": "%d", ' % (json.dumps(camp.name), camp.id)).replace('%', '%%')
    template = head + '"record-id": "%d", "phone-list": "", "status": "%d", "status-code": "0", "ext-trans-data": "", "disposition-code": "%s"'
    schedules = camp.records.schedules
    if not with_schedule:
        template += '}'
        return lambda cid, status: template % (cid, status, '1002' if status == SCHEDULED else '1000')
    template += ', "schedule-date-time": "%s"}'
    return lambda cid, status: template % (cid, status, '1002' if status == SCHEDULED else '1000', schedules.get(cid, ''))

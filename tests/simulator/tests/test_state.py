# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the simulator's pure rules (dcsim.state)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import itertools
import json

import pytest

from dcsim import state

NOW = 1800000000.0  # 2027-01-15T08:00:00Z; fixed so schedule rules are deterministic
HOUR = 3600
LEGAL = {
    ('NEW', 'RUNNING'),
    ('RUNNING', 'PAUSED'),
    ('RUNNING', 'STOPPED'),
    ('PAUSED', 'RUNNING'),
    ('PAUSED', 'PURGED'),
    ('PAUSED', 'STOPPED'),
    ('PURGED', 'RUNNING'),
    ('PURGED', 'STOPPED'),
}
CODES = {'RUNNING': 3, 'PAUSED': 8, 'PURGED': 10, 'STOPPED': 5}


def make_sim(**campaign):
    entry = {'id': 1, 'status': 'RUNNING'}
    entry.update(campaign)
    sim = state.Sim({'crm_customers': [{'from': 1000000, 'count': 6000000}, 42], 'campaigns': [entry]})
    return sim, sim.campaigns[1]


def iso(epoch):
    return state.iso_ms(epoch)


@pytest.mark.parametrize('old,new', list(itertools.product(state.CAMPAIGN_STATUSES, state.SETTABLE)))
def test_transition_table(old, new):
    sim, camp = make_sim(status=old)
    code, body = sim.change_status(camp, {'status': new})
    if (old, new) in LEGAL:
        assert (code, body) == (200, {'message': 'The campaign status has changed.'})
        assert (camp.status, camp.status_code) == (new, CODES[new])
    else:
        assert (code, body) == (400, {'message': 'Invalid state transition'})
        assert camp.status == old


@pytest.mark.parametrize('body', [None, {}, [], {'status': 'NEW'}, {'status': 'running'}, {'status': 3}, 'RUNNING'])
def test_invalid_status_body_comes_first(body):
    sim, camp = make_sim(dynamic=False, enabled=False)
    assert sim.change_status(camp, body) == (400, {'message': 'Invalid status'})


@pytest.mark.parametrize(
    'entry,message',
    [
        ({'dynamic': False, 'enabled': False}, 'Not a dynamic campaign'),
        ({'enabled': False}, 'The campaign is not enabled.'),
    ],
)
def test_status_change_needs_dynamic_enabled(entry, message):
    sim, camp = make_sim(**entry)
    assert sim.change_status(camp, {'status': 'PAUSED'}) == (400, {'message': message})


def test_purge_requeues_and_keeps_records():
    records = [{'customer_id': 1000001 + n, 'status': s} for n, s in enumerate(state.RECORD_STATUSES)]
    records.append({'from': 3000000, 'count': 10, 'status': 'QUEUED'})
    sim, camp = make_sim(status='PAUSED', records=records)
    camp.records.put(3000005, state.ACCEPTED)
    assert sim.change_status(camp, {'status': 'PURGED'})[0] == 200
    counts = camp.records.counts()
    assert counts == {'NEW': 11, 'QUEUED': 0, 'ACCEPTED': 2, 'COMPLETED': 1, 'SCHEDULED': 1}
    assert camp.records.total == 15
    assert camp.records.get(3000001) == state.NEW


@pytest.mark.parametrize(
    'entry,message',
    [
        ({'dynamic': False, 'enabled': False, 'status': 'NEW'}, 'This is not a dynamic campaign.'),
        ({'enabled': False, 'status': 'NEW'}, 'The campaign is not enabled.'),
        ({'status': 'NEW'}, 'The operation is invalid for a campaign that has not started.'),
        ({'status': 'STOPPED'}, 'The campaign has stopped. No additional customers can be added.'),
    ],
)
def test_add_request_level_errors_in_order(entry, message):
    sim, camp = make_sim(**entry)
    assert sim.add_customers(camp, 'not a list', NOW) == (400, {'message': message})


@pytest.mark.parametrize('items', [[], {}, 'x', None, 5])
def test_add_rejects_bad_lists(items):
    sim, camp = make_sim()
    assert sim.add_customers(camp, items, NOW) == (400, {'message': 'The provided customer list is invalid.'})


@pytest.mark.parametrize('status', ['RUNNING', 'PAUSED', 'PURGED'])
def test_add_allowed_while_started(status):
    sim, camp = make_sim(status=status)
    assert sim.add_customers(camp, [{'customer-id': '1000001'}], NOW) == (207, [{'customer-id': 1000001, 'http-status': 200}])
    assert camp.records.get(1000001) == state.NEW


def add_one(item, **campaign):
    sim, camp = make_sim(**campaign)
    camp.records.put(1000500, state.COMPLETED)
    code, results = sim.add_customers(camp, [item], NOW)
    assert code == 207 and len(results) == 1
    return results[0], camp


PAST = iso(NOW - HOUR)
SOON = iso(NOW + HOUR)
FAR = iso(NOW + 8 * 24 * HOUR)


@pytest.mark.parametrize(
    'item,cid,status,message',
    [
        ({'customer-id': '1000001'}, 1000001, 200, None),
        ({'customer-id': 1000001}, 1000001, 200, None),
        ({'customer-id': 42}, 42, 200, None),
        ({}, None, 400, 'Invalid customer-id'),
        ({'customer-id': None}, None, 400, 'Invalid customer-id'),
        ({'customer-id': 'abc'}, None, 400, 'Invalid customer-id'),
        ({'customer-id': '-5'}, None, 400, 'Invalid customer-id'),
        ({'customer-id': '0'}, None, 400, 'Invalid customer-id'),
        ({'customer-id': 0}, None, 400, 'Invalid customer-id'),
        ({'customer-id': -3}, None, 400, 'Invalid customer-id'),
        ({'customer-id': True}, None, 400, 'Invalid customer-id'),
        ({'customer-id': 1.5}, None, 400, 'Invalid customer-id'),
        ({'customer-id': '\uff11\uff12'}, None, 400, 'Invalid customer-id'),
        ('1000001', None, 400, 'Invalid customer-id'),
        ({'customer-id': '9'}, 9, 404, 'The customer-id has not been found.'),
        ({'customer-id': '1000500'}, 1000500, 400, 'Duplicate customer'),
    ],
)
def test_item_results_ids(item, cid, status, message):
    result, camp = add_one(item)
    expected = {'customer-id': cid, 'http-status': status}
    if message:
        expected['message'] = message
    assert result == expected
    assert camp.records.total == (2 if status == 200 else 1)


@pytest.mark.parametrize(
    'sched,status,message',
    [
        (SOON, 200, None),
        ('2027-01-15T09:00:00+00:00', 200, None),
        ('2027-01-15T09:00:00', 400, state.MSG['bad_format']),
        ('2027-01-15 09:00:00Z', 400, state.MSG['bad_format']),
        ('2016-08-29T 09:00:00.000Z', 400, state.MSG['bad_format']),
        ('tomorrow', 400, state.MSG['bad_format']),
        (12345, 400, state.MSG['bad_format']),
        (PAST, 400, state.MSG['past']),
        (FAR, 400, state.MSG['too_far']),
    ],
)
def test_item_results_schedule(sched, status, message):
    result, camp = add_one({'customer-id': '1000001', 'schedule-date-time': sched})
    assert result['http-status'] == status and result.get('message') == message
    # Echoed back only as the string the response schema allows.
    assert result.get('schedule-date-time') == (sched if isinstance(sched, str) else None) and result['customer-id'] == 1000001
    if status == 200:
        assert camp.records.get(1000001) == state.SCHEDULED
        assert camp.records.schedules[1000001].endswith('.000Z')


def test_item_outside_window():
    start, end = NOW + 2 * HOUR, NOW + 3 * HOUR
    result, camp = add_one({'customer-id': '1000001', 'schedule-date-time': SOON}, start=iso(start), end=iso(end))
    assert result['message'] == ('The subject schedule-date-time is outside the campaign schedule from %s to %s.' % (iso(start), iso(end)))
    inside = add_one({'customer-id': '1000001', 'schedule-date-time': iso(start + 60)}, start=iso(start), end=iso(end))[0]
    assert inside['http-status'] == 200


def test_item_rule_order_crm_before_schedule_before_duplicate():
    assert add_one({'customer-id': '9', 'schedule-date-time': 'bad'})[0]['http-status'] == 404
    result = add_one({'customer-id': '1000500', 'schedule-date-time': PAST})[0]
    assert result['message'] == state.MSG['past']


def test_cap_counts_ranges():
    sim, camp = make_sim(records=[{'from': 2000000, 'count': 4999999, 'status': 'NEW'}])
    items = [{'customer-id': '1000001'}, {'customer-id': '1000002'}, {'customer-id': '2000005'}]
    code, results = sim.add_customers(camp, items, NOW)
    assert [r['http-status'] for r in results] == [200, 400, 400]
    assert results[1]['message'] == 'The campaign has reached the maximum of 5000000 records.'
    assert results[2]['message'] == 'Duplicate customer'
    assert sim.delete_customer(camp, '2000005') == (204, None)
    assert sim.add_customers(camp, [{'customer-id': '1000002'}], NOW)[1][0]['http-status'] == 200
    assert camp.records.total == state.MAX_RECORDS


@pytest.mark.parametrize('name,code', sorted(state.RECORD_STATUSES.items()))
@pytest.mark.parametrize('variant', ['spec', 'support'])
def test_deletability_by_record_status(name, code, variant):
    sim, camp = make_sim(records=[{'customer_id': 1000001, 'status': name}])
    result = sim.delete_customer(camp, '1000001', variant)
    if code in (state.ACCEPTED, state.COMPLETED):
        if variant == 'spec':
            assert result == (400, {'message': 'The customer is not available for deletion.'})
        else:
            assert result[0] == 404
            assert result[1]['message'].startswith('The customer is not available for deletion: ')
        assert camp.records.total == 1
    else:
        assert result == ((204, None) if variant == 'spec' else (200, {'message': 'Customer deleted.'}))
        assert camp.records.total == 0 and camp.records.get(1000001) is None


@pytest.mark.parametrize(
    'entry,cid,expected',
    [
        ({'dynamic': False}, '1000001', (400, 'This is not a dynamic campaign.')),
        ({'enabled': False}, '1000001', (400, 'This campaign is not enabled.')),
        ({'status': 'STOPPED'}, '1000001', (400, 'The campaign has stopped. No customers can be deleted.')),
        ({}, '1000999', (404, 'The customer has not been located.')),
        ({}, 'abc', (404, 'The customer has not been located.')),
    ],
)
def test_delete_errors(entry, cid, expected):
    entry['records'] = [{'customer_id': 1000001, 'status': 'NEW'}]
    sim, camp = make_sim(**entry)
    code, body = sim.delete_customer(camp, cid)
    assert (code, body['message']) == expected


@pytest.mark.parametrize('records', [[{'customer_id': 1000001, 'status': 'NEW'}], [{'from': 1000000, 'count': 10, 'status': 'QUEUED'}]])
def test_support_variant_remembers_deleted_records(records):
    sim, camp = make_sim(records=records)
    assert sim.delete_customer(camp, '1000001', 'support') == (200, {'message': 'Customer deleted.'})
    already = (404, {'message': 'The customer is not available for deletion: already deleted.'})
    assert sim.delete_customer(camp, '1000001', 'support') == already
    assert sim.delete_customer(camp, '1000001', 'spec') == (404, {'message': 'The customer has not been located.'})
    assert sim.delete_customer(camp, '1000020', 'support') == (404, {'message': 'The customer has not been located.'})
    # Added again, it is deletable again; a campaign loaded anew has no memory of earlier deletes.
    assert sim.add_customers(camp, [{'customer-id': '1000001'}], NOW)[1][0]['http-status'] == 200
    assert sim.delete_customer(camp, '1000001', 'support')[0] == 200
    fresh = sim.put_campaign(1, {'status': 'RUNNING'})
    assert sim.delete_customer(fresh, '1000001', 'support') == (404, {'message': 'The customer has not been located.'})


def test_requeued_record_becomes_deletable_again():
    sim, camp = make_sim(records=[{'customer_id': 1000001, 'status': 'ACCEPTED'}])
    assert sim.delete_customer(camp, '1000001')[0] == 400
    camp.records.put(1000001, state.QUEUED)
    assert sim.delete_customer(camp, '1000001')[0] == 204


def test_range_records_iterate_with_overrides():
    sim, camp = make_sim(records=[{'from': 5000, 'count': 5, 'status': 'QUEUED'}, {'customer_id': 10, 'status': 'NEW'}])
    camp.records.put(5001, state.ACCEPTED)
    camp.records.remove(5002)
    camp.records.remove(10)
    camp.records.put(10, state.COMPLETED)
    listed = [item for chunk in camp.records.iter_chunks(size=2) for item in chunk]
    assert listed == [(5000, 1), (5001, 2), (5003, 1), (5004, 1), (10, 3)]
    assert camp.records.total == 5


def test_overlapping_ranges_are_rejected():
    with pytest.raises(ValueError):
        state.Crm([{'from': 10, 'count': 10}, {'from': 15, 'count': 10}])
    assert 19 in state.Crm([{'from': 10, 'count': 10}])
    assert 20 not in state.Crm([{'from': 10, 'count': 10}])


def test_stats_views():
    sim, camp = make_sim(name='X', status_code=4, start='2026-01-01T00:00:00Z', records=[{'from': 5000, 'count': 3}])
    stats = camp.stats()['campaign']
    assert (stats['status'], stats['no-of-records'], stats['start-time'], stats['end-time']) == (4, 3, '2026-01-01T00:00:00.000Z', '')
    assert make_sim(status='NEW')[1].stats()['campaign']['status'] == 0
    record = json.loads(state.record_encoder(camp)(5000, state.QUEUED))
    documented = ['campaign-name', 'campaign-id', 'record-id', 'phone-list', 'status', 'status-code', 'ext-trans-data', 'disposition-code']
    assert list(record) == documented and (record['record-id'], record['status'], record['campaign-name']) == ('5000', '1', 'X')
    camp.records.put(5001, state.SCHEDULED)
    camp.records.schedules[5001] = '2030-01-01T00:00:00.000Z'
    with_schedule = json.loads(state.record_encoder(camp, with_schedule=True)(5001, state.SCHEDULED))
    assert list(with_schedule) == documented + ['schedule-date-time'] and with_schedule['schedule-date-time'] == '2030-01-01T00:00:00.000Z'


MIXED = [
    {'customer-id': '1000001'},
    {'customer-id': '1000001'},
    {'customer-id': 1000002},
    {'customer-id': '9'},
    {'customer-id': 'x'},
    {'customer-id': '0'},
    'junk',
    {'customer-id': '1000003', 'schedule-date-time': SOON},
    {'customer-id': '42'},
    {'customer-id': '1000004', 'extra': 1},
    {'other': '1000005'},
]


def test_fast_path_matches_rules():
    """Bulk adds take an inlined path when a campaign has no record ranges; same answers."""
    fast_sim, fast = make_sim()
    slow_sim, slow = make_sim(records=[{'from': 6000000, 'count': 1, 'status': 'NEW'}])
    fast_results = fast_sim.add_customers(fast, MIXED, NOW)
    slow_results = slow_sim.add_customers(slow, MIXED, NOW)
    assert fast_results == slow_results
    assert [r['http-status'] for r in fast_results[1]] == [200, 400, 200, 404, 400, 400, 400, 200, 200, 200, 400]
    assert fast.records.total == slow.records.total - 1 == 5


def test_fast_path_respects_cap(monkeypatch):
    monkeypatch.setattr(state, 'MAX_RECORDS', 2)
    sim, camp = make_sim()
    results = sim.add_customers(camp, [{'customer-id': str(1000001 + n)} for n in range(3)], NOW)[1]
    assert [r['http-status'] for r in results] == [200, 200, 400]
    assert camp.records.total == 2


def test_single_tenant_fixture_is_one_tenant():
    tenants = state.tenants_of({'tenant': 'acme', 'action_token': 'a', 'campaigns': [{'id': 1}]})
    assert list(tenants) == ['acme'] and list(tenants['acme'].campaigns) == [1]
    assert list(state.tenants_of(None)) == ['acme']


def test_tenants_list_keeps_tenants_apart():
    fixture = {
        'tenants': [
            {'tenant': 'acme', 'crm_customers': [1000001], 'campaigns': [{'id': 1, 'status': 'RUNNING'}]},
            {'tenant': 'globex', 'crm_customers': [2000001], 'campaigns': [{'id': 1, 'status': 'PAUSED'}, {'id': 2}]},
        ]
    }
    tenants = state.tenants_of(fixture)
    assert list(tenants) == ['acme', 'globex']
    acme, globex = tenants['acme'], tenants['globex']
    assert (acme.campaigns[1].status, globex.campaigns[1].status, sorted(globex.campaigns)) == ('RUNNING', 'PAUSED', [1, 2])
    # Each tenant has its own CRM: globex's customer is not acme's.
    results = acme.add_customers(acme.campaigns[1], [{'customer-id': '1000001'}, {'customer-id': '2000001'}], NOW)[1]
    assert [r['http-status'] for r in results] == [200, 404]


@pytest.mark.parametrize(
    'fixture,message',
    [
        ({'tenants': []}, 'tenants must be a non-empty list'),
        ({'tenants': ['acme']}, 'tenants must be a non-empty list'),
        ({'tenants': [{'tenant': 'acme'}], 'campaigns': [{'id': 1}]}, 'keeps tenant, action_token'),
        ({'tenants': [{'tenant': 'acme'}, {'tenant': 'acme'}]}, 'tenant acme is listed twice'),
        (['acme'], 'a fixture is a mapping'),
    ],
)
def test_bad_tenant_lists_are_refused(fixture, message):
    with pytest.raises(ValueError, match=message):
        state.tenants_of(fixture)

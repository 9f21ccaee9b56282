# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure rules of the Campaigns API v1 (dcsim/state_v1.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from dcsim import state_v1
from dcsim.faults import Faults

CID = '00000000-0000-4000-8000-000000000001'
NOW = 2000000000.0


def tenant(**entry):
    entry.setdefault('id', CID)
    return state_v1.Tenant({'tenant': 'acme', 'api_key': 'k', 'campaigns_v1': [entry]})


def patch(camp_state, body, options=None, now=NOW, **entry):
    t = tenant(state=camp_state, **entry)
    camp = t.campaigns[CID]
    return t.modify(camp, body, options or state_v1.Options(), now=now), camp


# (action, states it is valid from, state after it with v1_transient_ms 0)
TABLE = [
    ('BUILD', ('CREATED', 'READY', 'BUILD_ERROR'), 'READY'),
    ('RESET', ('READY', 'BUILD_ERROR'), 'CREATED'),
    ('START', ('READY',), 'RUNNING'),
    ('PAUSE', ('RUNNING',), 'PAUSED'),
    ('RESUME', ('PAUSED',), 'RUNNING'),
    ('RETRY', ('RUN_ERROR',), 'RUNNING'),
    ('CANCEL', ('PENDING', 'RUNNING', 'PAUSED', 'RUN_ERROR', 'READY'), 'COMPLETE'),
]


@pytest.mark.parametrize('action,valid,after', TABLE)
@pytest.mark.parametrize('from_state', state_v1.STATES)
def test_action_table(action, valid, after, from_state):
    (status, body), camp = patch(from_state, {'action': action})
    if from_state in valid:
        assert (status, body['state'], camp.state) == (200, after, after)
    else:
        assert status == 409
        assert body['detail'] == '%s is not allowed in state %s' % (action, from_state)
        assert camp.state == from_state


@pytest.mark.parametrize('from_state', state_v1.STATES)
def test_purge_keeps_the_state(from_state):
    (status, body), camp = patch(from_state, {'action': 'PURGE'}, records=[{'crm_record_id': 'A', 'state': 'QUEUED'}])
    if from_state in ('PAUSED', 'RUN_ERROR', 'COMPLETE'):
        assert (status, body['state']) == (200, from_state)
        assert camp.records == {'A': 'PENDING'}
        assert 'lastPurgedTime' in body
    else:
        assert status == 409 and camp.records == {'A': 'QUEUED'}


def test_purged_display_status():
    (status, body), _camp = patch('PAUSED', {'action': 'PURGE'})
    assert body['displayStatus'] == 'PURGED'
    (status, body), _camp = patch('RUN_ERROR', {'action': 'PURGE'})
    assert body['displayStatus'] == 'ERROR_PURGED'


def test_409_without_state_name():
    (status, body), _camp = patch('RUNNING', {'action': 'START'}, state_v1.Options(names_state=False))
    assert status == 409 and 'RUNNING' not in body['detail']
    assert body['detail'] == 'START is not allowed in the current state'


def test_start_with_build_on_start():
    (status, body), _camp = patch('CREATED', {'action': 'START', 'buildOnStart': True})
    assert (status, body['state']) == (200, 'RUNNING')
    assert 'lastBuildTime' in body and 'startedTime' in body
    assert patch('CREATED', {'action': 'START'})[0][0] == 409


def test_build_error():
    (status, body), _camp = patch('CREATED', {'action': 'BUILD'}, build_fails=True)
    assert (status, body['state'], body['displayStatus']) == (200, 'BUILD_ERROR', 'BUILD_FAILED')
    (status, body), _camp = patch('CREATED', {'action': 'START', 'buildOnStart': True}, build_fails=True)
    assert body['state'] == 'BUILD_ERROR'


def test_transient_states_last_v1_transient_ms():
    options = state_v1.Options(transient_ms=500)
    (status, body), camp = patch('CREATED', {'action': 'BUILD'}, options)
    assert body['state'] == 'BUILDING'
    camp.settle(NOW + 0.4)
    assert camp.state == 'BUILDING'
    camp.settle(NOW + 0.5)
    assert camp.state == 'READY'
    (status, body), camp = patch('READY', {'action': 'START'}, options)
    assert body['state'] == 'STARTING'
    camp.settle(NOW + 1)
    assert camp.state == 'RUNNING'


def test_build_on_start_transient_chain():
    options = state_v1.Options(transient_ms=1000)
    (status, body), camp = patch('CREATED', {'action': 'START', 'buildOnStart': True}, options)
    assert body['state'] == 'BUILDING'
    camp.settle(NOW + 1)
    assert camp.state == 'STARTING'
    camp.settle(NOW + 2)
    assert camp.state == 'RUNNING'


def test_transient_states_refuse_actions_and_adds():
    options = state_v1.Options(transient_ms=1000)
    (status, body), camp = patch('CREATED', {'action': 'BUILD'}, options)
    t = tenant()
    t.campaigns[CID] = camp
    assert t.modify(camp, {'action': 'BUILD'}, options, now=NOW)[0] == 409
    status, body = t.add_records(camp, {'records': [{'crmRecordId': 'A'}]}, options, now=NOW)
    assert status == 409 and body['detail'] == 'Adding records is not allowed in state BUILDING'


def test_start_waits_for_its_start_time():
    (status, body), camp = patch('READY', {'action': 'START'}, start='2040-01-01T00:00:00Z', end='2041-01-01T00:00:00Z')
    assert (body['state'], body['displayStatus']) == ('PENDING', 'SCHEDULED')
    camp.settle(state_v1.to_epoch('2040-01-01T00:00:01Z'))
    assert camp.state == 'RUNNING'
    camp.settle(state_v1.to_epoch('2041-01-01T00:00:00Z'))
    assert camp.state == 'COMPLETE' and 'completedTime' in camp.body('acme')


def test_disabled_accepts_only_build_and_reset():
    for action in ('START', 'CANCEL'):
        (status, body), camp = patch('READY', {'action': action}, enabled=False)
        assert status == 409 and 'disabled' in body['detail'] and camp.state == 'READY'
    for action, after in (('BUILD', 'READY'), ('RESET', 'CREATED')):
        (status, body), camp = patch('READY', {'action': action}, enabled=False)
        assert (status, body['state'], body['displayStatus']) == (200, after, 'DISABLED')


def test_enabled_is_applied_with_the_action():
    (status, body), camp = patch('READY', {'action': 'START', 'enabled': True}, enabled=False)
    assert (status, body['state'], camp.enabled) == (200, 'RUNNING', True)
    (status, body), camp = patch('READY', {'action': 'BUILD', 'enabled': False})
    assert (status, camp.enabled, body['displayStatus']) == (200, False, 'DISABLED')
    # A refused action changes nothing, enabled included.
    (status, body), camp = patch('RUNNING', {'action': 'START', 'enabled': False})
    assert (status, camp.enabled) == (409, True)


@pytest.mark.parametrize(
    'body,field',
    [
        ({}, 'action'),
        ({'action': 'FLY'}, 'action'),
        ({'action': 'BUILD', 'enabled': 'yes'}, 'enabled'),
        ({'action': 'START', 'buildOnStart': 1}, 'buildOnStart'),
        ([], 'body'),
    ],
)
def test_modify_field_errors(body, field):
    (status, answer), camp = patch('READY', body)
    assert status == 400 and answer['errors'][0]['field'] == field and camp.state == 'READY'


def add(body, options=None, **entry):
    entry.setdefault('state', 'RUNNING')
    t = tenant(**entry)
    camp = t.campaigns[CID]
    return t.add_records(camp, body, options or state_v1.Options(), now=NOW), camp


def test_add_records_answer():
    (status, body), camp = add({'records': [{'crmRecordId': 'A'}, {'crmRecordId': 'B', 'priority': 'LOW', 'rank': 7, 'scheduleAt': '2040-01-01T00:00:00Z'}]})
    assert status == 201
    first, second = body['records']
    assert (first['crmRecordId'], first['priority'], first['rank'], first['state'], first['type']) == ('A', 'HIGH', 1.0, 'PENDING', 'DYNAMIC')
    assert (second['priority'], second['rank'], second['nextAttemptAfter']) == ('LOW', 7.0, '2040-01-01T00:00:00.000Z')
    assert camp.records == {'A': 'PENDING', 'B': 'PENDING'}


def test_add_status_200():
    assert add({'records': [{'crmRecordId': 'A'}]}, state_v1.Options(add_status=200))[0][0] == 200


def test_default_rank_is_the_end_of_its_priority_group():
    (status, body), camp = add({'records': [{'crmRecordId': 'C'}, {'crmRecordId': 'D', 'priority': 'LOW'}]}, records=[{'crm_record_id': 'A', 'rank': 5}])
    assert [r['rank'] for r in body['records']] == [6.0, 1.0]


@pytest.mark.parametrize(
    'records,field',
    [
        ([{'crmRecordId': ''}], 'records[0].crmRecordId'),
        ([{'crmRecordId': 'x' * 33}], 'records[0].crmRecordId'),
        ([{}], 'records[0].crmRecordId'),
        ([{'crmRecordId': 'A'}, {'crmRecordId': 'B', 'priority': 'URGENT'}], 'records[1].priority'),
        ([{'crmRecordId': 'A', 'rank': 'first'}], 'records[0].rank'),
        ([{'crmRecordId': 'A', 'rank': True}], 'records[0].rank'),
        ([{'crmRecordId': 'A', 'scheduleAt': '2040-01-01 10:00'}], 'records[0].scheduleAt'),
        ([{'crmRecordId': 'A', 'scheduleAt': '2040-01-01T10:00:00'}], 'records[0].scheduleAt'),
        (['A'], 'records[0]'),
        ([], 'records'),
        ([{'crmRecordId': 'R%d' % n} for n in range(101)], 'records'),
        (None, 'records'),
    ],
)
def test_add_field_errors_store_nothing(records, field):
    (status, body), camp = add({'records': records})
    assert status == 400 and field in [e['field'] for e in body['errors']]
    assert camp.records == {}


def test_add_100_is_fine():
    (status, body), camp = add({'records': [{'crmRecordId': 'R%d' % n} for n in range(100)]})
    assert status == 201 and len(camp.records) == 100


def test_duplicates_inside_a_request():
    (status, body), camp = add({'records': [{'crmRecordId': 'A'}, {'crmRecordId': 'A'}]})
    assert status == 400 and 'A' in body['detail'] and camp.records == {}


@pytest.mark.parametrize('dup_status', [409, 400])
def test_record_already_present_rejects_the_batch(dup_status):
    body = {'records': [{'crmRecordId': 'B'}, {'crmRecordId': 'A'}, {'crmRecordId': 'C'}]}
    (status, answer), camp = add(body, state_v1.Options(duplicate_status=dup_status), records=[{'crm_record_id': 'A'}, {'crm_record_id': 'C'}])
    assert status == dup_status
    assert answer['detail'] == 'Campaign already contains record for Id: A'
    assert sorted(camp.records) == ['A', 'C']


def test_add_refused_when_not_dynamic():
    (status, body), camp = add({'records': [{'crmRecordId': 'A'}]}, dynamic=False)
    assert status == 400 and camp.records == {}


@pytest.mark.parametrize('camp_state', state_v1.STATES)
def test_add_by_state(camp_state):
    (status, body), camp = add({'records': [{'crmRecordId': 'A'}]}, state=camp_state)
    if camp_state in ('BUILDING', 'STARTING', 'COMPLETE', 'DELETED'):
        assert status == 409 and camp_state in body['detail'] and camp.records == {}
    else:
        assert status == 201 and camp.records == {'A': 'PENDING'}


def test_absent_fields_are_left_out():
    body = tenant(state='CREATED').campaigns[CID].body('acme')
    assert None not in body.values()
    assert set(body) == {'id', 'tenantId', 'state', 'displayStatus', 'recordCount', 'recordCounts'}


def test_summary_counts_by_state():
    camp = tenant(records=[{'crm_record_id': 'A'}, {'crm_record_id': 'B', 'state': 'COMPLETE'}]).campaigns[CID]
    summary = camp.summary()
    assert summary['records_total'] == 2 and summary['records']['PENDING'] == 1 and summary['records']['COMPLETE'] == 1
    assert set(summary['records']) == set(state_v1.RECORD_STATES)


@pytest.mark.parametrize(
    'entry',
    [
        {'id': 'not-a-uuid'},
        {'id': CID, 'state': 'FLYING'},
        {'id': CID, 'records': [{'crm_record_id': 'A'}, {'crm_record_id': 'A'}]},
        {'id': CID, 'records': [{'crm_record_id': 'A', 'priority': 'URGENT'}]},
        {'id': CID, 'records': [{'crm_record_id': 'A', 'state': 'LOST'}]},
    ],
)
def test_bad_fixture_entries(entry):
    with pytest.raises((ValueError, KeyError)):
        state_v1.Tenant({'campaigns_v1': [entry]})


def test_tenants_of_both_fixture_forms():
    assert list(state_v1.tenants_of({'api_key': 'k'})) == ['acme']
    both = state_v1.tenants_of({'tenants': [{'tenant': 'a', 'api_key': 'k1'}, {'tenant': 'b', 'api_key': 'k2', 'campaigns_v1': [{'id': CID}]}]})
    assert list(both) == ['a', 'b'] and CID in both['b'].campaigns
    assert state_v1.tenants_of({})['acme'].api_key is None


def test_fault_settings():
    faults = Faults()
    options = faults.v1_options()
    assert (options.transient_s, options.names_state, options.duplicate_status, options.add_status) == (0, True, 409, 201)
    faults.update({'v1_transient_ms': 250, 'v1_409_names_state': 'false', 'v1_duplicate_status': 400, 'v1_add_status': '200'})
    options = faults.v1_options()
    assert (options.transient_s, options.names_state, options.duplicate_status, options.add_status) == (0.25, False, 400, 200)
    for bad in ({'v1_409_names_state': 'maybe'}, {'v1_duplicate_status': 404}, {'v1_add_status': 204}, {'v1_transient_ms': -1}):
        with pytest.raises(ValueError):
            faults.update(bad)
    faults.clear()
    assert faults.v1_options().names_state is True

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP tests against run.py started as a real subprocess."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import http.client
import json
import os
import signal
import time

import pytest
import requests

from conftest import ACTION, DATA, SIM_DIR, SimProcess

TIMEOUT_MSG = 'The request was sent but the response timed out; check the result later.'


def tstats(api, path=''):
    return api.url + '/api/tstats/campaigns/' + path


def stats(api, path):
    return api.url + '/api/stats/campaigns/' + path


def faults(api, **changes):
    resp = requests.patch(api.url + '/_sim/faults', json=changes)
    assert resp.status_code == 200, resp.text
    return resp.json()


def sim_campaign(api, cid):
    return requests.get('%s/_sim/campaigns/%d' % (api.url, cid)).json()


def add(api, cid, items, auth=ACTION):
    return requests.post(tstats(api, '%d/customers' % cid), json=items, auth=auth, timeout=10)


def log(api):
    return requests.get(api.url + '/_sim/requests').json()['requests']


def test_listening_line_flushed_to_file(sim):
    with open(sim.out_path) as handle:
        assert 'listening on %s' % sim.url in handle.read()
    assert requests.get(sim.url + '/_sim/health').json() == {'ok': True}


@pytest.mark.parametrize(
    'method,path,auth',
    [
        ('PATCH', '/api/tstats/campaigns/2', ('acme', 'wrong')),
        ('PATCH', '/api/tstats/campaigns/2', DATA),
        ('POST', '/api/tstats/campaigns/2/customers', DATA),
        ('DELETE', '/api/tstats/campaigns/2/customers/1000001', DATA),
        ('GET', '/api/stats/campaigns/2.json', ACTION),
        ('GET', '/api/stats/campaigns/2/records.json', ('other', 'data-456')),
        ('GET', '/api/stats/campaigns/2.json', None),
    ],
)
def test_auth_failures(api, method, path, auth):
    resp = requests.request(method, api.url + path, auth=auth, json={'status': 'PAUSED'})
    assert (resp.status_code, resp.json()) == (401, {'message': 'Unauthorized'})
    assert sim_campaign(api, 2)['status'] == 'RUNNING'


@pytest.mark.parametrize('method', ['PATCH', 'POST'])
@pytest.mark.parametrize('suffix', ['', '/'])
def test_status_change(api, method, suffix):
    resp = requests.request(method, tstats(api, '2' + suffix), json={'status': 'PAUSED'}, auth=ACTION)
    assert (resp.status_code, resp.json()) == (200, {'message': 'The campaign status has changed.'})
    campaign = requests.get(stats(api, '2.json'), auth=DATA).json()['campaign']
    assert (campaign['status'], campaign['campaign-id']) == (8, 2)
    again = requests.request(method, tstats(api, '2'), json={'status': 'PAUSED'}, auth=ACTION)
    assert (again.status_code, again.json()) == (400, {'message': 'Invalid state transition'})


@pytest.mark.parametrize(
    'body,code,message',
    [
        (b'not json', 400, 'Invalid status'),
        (b'{"status": "NEW"}', 400, 'Invalid status'),
    ],
)
def test_status_change_bad_bodies(api, body, code, message):
    resp = requests.patch(tstats(api, '2'), data=body, auth=ACTION)
    assert (resp.status_code, resp.json()) == (code, {'message': message})


def test_unknown_campaign(api):
    for resp in (
        requests.patch(tstats(api, '999'), json={'status': 'PAUSED'}, auth=ACTION),
        requests.get(stats(api, '999.json'), auth=DATA),
        requests.delete(tstats(api, '999/customers/1000001'), auth=ACTION),
    ):
        assert (resp.status_code, resp.json()) == (404, {'message': 'The campaign cannot be found.'})
    # The seed documents no 404 for an add: 400 with a message (api-notes.md).
    for cid in ('999', '-1', 'x'):
        resp = requests.post(tstats(api, cid + '/customers'), json=[{'customer-id': '1000001'}], auth=ACTION)
        assert (resp.status_code, resp.json()) == (400, {'message': 'The campaign cannot be found.'})


def test_status_method_post_only_at_runtime(api):
    faults(api, status_method='post')
    resp = requests.patch(tstats(api, '2'), json={'status': 'PAUSED'}, auth=ACTION)
    assert (resp.status_code, resp.json(), resp.headers.get('Allow')) == (405, {'message': 'Method Not Allowed'}, 'POST')
    assert requests.post(tstats(api, '2'), json={'status': 'PAUSED'}, auth=ACTION).status_code == 200
    faults(api, status_method='patch')
    resp = requests.post(tstats(api, '2'), json={'status': 'RUNNING'}, auth=ACTION)
    assert (resp.status_code, resp.headers.get('Allow')) == (405, 'PATCH')


@pytest.mark.parametrize(
    'method,path,allow',
    [
        ('GET', '/api/tstats/campaigns/2', {'PATCH', 'POST'}),
        ('PUT', '/api/tstats/campaigns/2/customers', {'POST'}),
        ('POST', '/api/tstats/campaigns/2/customers/1000001', {'DELETE'}),
        ('DELETE', '/api/stats/campaigns/2.json', {'GET'}),
    ],
)
def test_method_not_allowed_names_the_allowed_ones(api, method, path, allow):
    resp = requests.request(method, api.url + path, auth=ACTION)
    assert (resp.status_code, resp.json()) == (405, {'message': 'Method Not Allowed'})
    assert set(resp.headers['Allow'].replace(' ', '').split(',')) == allow


def test_add_customers_207(api):
    items = [
        {'customer-id': '1000100'},
        {'customer-id': 1000101},
        {'customer-id': 'x'},
        {'customer-id': '9'},
        {'customer-id': '1000001'},
        {'customer-id': '1000102', 'schedule-date-time': '2020-01-01T00:00:00Z'},
    ]
    resp = add(api, 2, items)
    assert resp.status_code == 207
    assert resp.json() == [
        {'customer-id': 1000100, 'http-status': 200},
        {'customer-id': 1000101, 'http-status': 200},
        {'customer-id': None, 'http-status': 400, 'message': 'Invalid customer-id'},
        {'customer-id': 9, 'http-status': 404, 'message': 'The customer-id has not been found.'},
        {'customer-id': 1000001, 'http-status': 400, 'message': 'Duplicate customer'},
        {'customer-id': 1000102, 'schedule-date-time': '2020-01-01T00:00:00Z', 'http-status': 400, 'message': 'The subject schedule-date-time is in the past.'},
    ]
    assert sim_campaign(api, 2)['records_total'] == 7
    assert log(api)[-1]['items'] == 6


@pytest.mark.parametrize(
    'cid,body,message',
    [
        (1, [{'customer-id': '1000001'}], 'The operation is invalid for a campaign that has not started.'),
        (5, [{'customer-id': '1000001'}], 'The campaign has stopped. No additional customers can be added.'),
        (6, [{'customer-id': '1000001'}], 'This is not a dynamic campaign.'),
        (7, [{'customer-id': '1000001'}], 'The campaign is not enabled.'),
        (2, [], 'The provided customer list is invalid.'),
        (2, {'customer-id': '1000001'}, 'The provided customer list is invalid.'),
    ],
)
def test_add_request_level_errors(api, cid, body, message):
    resp = add(api, cid, body)
    assert (resp.status_code, resp.json()) == (400, {'message': message})


def test_delete_spec_variant(api):
    ok = requests.delete(tstats(api, '2/customers/1000001'), auth=ACTION)
    assert (ok.status_code, ok.content) == (204, b'')
    gone = requests.delete(tstats(api, '2/customers/1000001/'), auth=ACTION)
    assert (gone.status_code, gone.json()) == (404, {'message': 'The customer has not been located.'})
    busy = requests.delete(tstats(api, '2/customers/1000003'), auth=ACTION)
    assert (busy.status_code, busy.json()) == (400, {'message': 'The customer is not available for deletion.'})
    stopped = requests.delete(tstats(api, '5/customers/1000020'), auth=ACTION)
    assert stopped.json() == {'message': 'The campaign has stopped. No customers can be deleted.'}


def test_delete_support_variant(api):
    faults(api, delete_variant='support')
    ok = requests.delete(tstats(api, '2/customers/1000001'), auth=ACTION)
    assert (ok.status_code, ok.json()) == (200, {'message': 'Customer deleted.'})
    done = requests.delete(tstats(api, '2/customers/1000004'), auth=ACTION)
    assert (done.status_code, done.json()) == (404, {'message': 'The customer is not available for deletion: marked completed.'})


def test_read_records_shapes(api):
    one = requests.get(stats(api, '3/records.json'), auth=DATA).json()
    # Exactly the fields 8x8 documents for a record.
    assert one == {
        'records': {
            'record': {
                'campaign-name': 'Paused campaign',
                'campaign-id': '3',
                'record-id': '1000010',
                'phone-list': '',
                'status': '1',
                'status-code': '0',
                'ext-trans-data': '',
                'disposition-code': '1000',
            }
        }
    }
    # 8x8 documents no schedule field; records_schedule=shown adds it.
    faults(api, records_schedule='shown')
    shown = requests.get(stats(api, '3/records.json'), auth=DATA).json()['records']['record']
    assert shown['schedule-date-time'] == ''
    faults(api, records_schedule='hidden')
    assert requests.get(stats(api, '4/records.json'), auth=DATA).json() == {'records': ''}
    many = requests.get(stats(api, '2/records.json'), auth=DATA).json()['records']['record']
    assert [r['status'] for r in many] == ['0', '1', '2', '3', '4']


def test_records_schedule_shown_adds_the_field(api):
    fixture = {'tenant': 'acme', 'data_token': 'd'}
    records = [{'customer_id': 7, 'status': 'SCHEDULED', 'schedule': '2030-01-02T03:04:05Z'}, {'customer_id': 8}]
    fixture['campaigns'] = [{'id': 1, 'name': 'Say "hi" 100%', 'records': records}]
    assert requests.post(api.url + '/_sim/reset', json=fixture).status_code == 200
    hidden = requests.get(stats(api, '1/records.json'), auth=('acme', 'd')).json()['records']['record']
    assert [('schedule-date-time' in r, r['campaign-name']) for r in hidden] == [(False, 'Say "hi" 100%')] * 2
    faults(api, records_schedule='shown')
    records = requests.get(stats(api, '1/records.json'), auth=('acme', 'd')).json()['records']['record']
    assert [(r['campaign-name'], r['record-id'], r['disposition-code'], r['schedule-date-time']) for r in records] == [
        ('Say "hi" 100%', '7', '1002', '2030-01-02T03:04:05.000Z'),
        ('Say "hi" 100%', '8', '1000', ''),
    ]


def test_add_echoes_a_schedule_only_as_a_string(api):
    results = add(api, 2, [{'customer-id': '1000700', 'schedule-date-time': 5}, {'customer-id': '1000701', 'schedule-date-time': 'soon'}]).json()
    assert results == [
        {'customer-id': 1000700, 'http-status': 400, 'message': 'Invalid schedule-date-time format - please use ISO 8601 format'},
        {'customer-id': 1000701, 'schedule-date-time': 'soon', 'http-status': 400, 'message': 'Invalid schedule-date-time format - please use ISO 8601 format'},
    ]


def test_read_records_streams_ranges(api):
    entry = {'status': 'RUNNING', 'records': [{'from': 3000000, 'count': 20000, 'status': 'QUEUED'}]}
    assert requests.put(api.url + '/_sim/campaigns/50', json=entry).status_code == 200
    resp = requests.get(stats(api, '50/records.json'), auth=DATA)
    assert resp.headers.get('Transfer-Encoding') == 'chunked'
    records = resp.json()['records']['record']
    assert len(records) == 20000 and records[-1]['record-id'] == '3019999'
    assert requests.get(stats(api, '50.json'), auth=DATA).json()['campaign']['no-of-records'] == 20000


def test_latency(api):
    faults(api, latency_ms=300)
    start = time.time()
    assert requests.get(stats(api, '2.json'), auth=DATA).status_code == 200
    assert time.time() - start >= 0.3


def test_error_rate_not_applied(api):
    faults(api, error_rate=1.0)
    resp = requests.patch(tstats(api, '2'), json={'status': 'PAUSED'}, auth=ACTION)
    assert resp.status_code in (502, 503, 504)
    assert requests.get(stats(api, '2.json'), auth=DATA).status_code in (502, 503, 504)
    assert sim_campaign(api, 2)['status'] == 'RUNNING'
    assert log(api)[0]['fault'] == 'error'


def test_error_rate_is_deterministic_with_seed(api):
    runs = []
    for _round in range(2):
        faults(api, error_rate=0.5, seed=7)
        runs.append([requests.get(stats(api, '2.json'), auth=DATA).status_code for _i in range(20)])
    assert runs[0] == runs[1] and 200 in runs[0] and set(runs[0]) - {200}


def test_rate_limit(api):
    faults(api, rate_limit=3)
    codes = [add(api, 2, [{'customer-id': str(1000200 + n)}]) for n in range(6)]
    limited = [r for r in codes if r.status_code == 429]
    assert len(limited) >= 3 and limited[0].headers['Retry-After'] == '1'
    assert sim_campaign(api, 2)['records_total'] == 5 + 6 - len(limited)
    assert 'rate_limited' in [e['fault'] for e in log(api)]


def test_rate_limit_headers_count_down_per_tenant(api):
    faults(api, rate_limit=3, rate_limit_headers='both')
    answers = [add(api, 2, [{'customer-id': str(1000200 + n)}]) for n in range(4)]
    assert [r.status_code for r in answers[:3]] == [207, 207, 207]
    assert [r.headers['X-RateLimit-Remaining'] for r in answers[:3]] == ['2', '1', '0']
    assert answers[0].headers['RateLimit-Limit'] == '3' and answers[0].headers['RateLimit-Policy'] == '3;w=1'
    assert answers[2].headers['RateLimit-Reset'] == '1' and answers[0].headers['X-RateLimit-Reset'] == '0'
    assert answers[3].status_code == 429 and answers[3].headers['Retry-After'] == '1'
    assert answers[3].headers['RateLimit-Remaining'] == '0'


def test_rate_limit_headers_off_by_default_and_one_family_at_a_time(api):
    faults(api, rate_limit=3)
    assert 'X-RateLimit-Limit' not in add(api, 2, [{'customer-id': '1000200'}]).headers
    faults(api, rate_limit_headers='x-ratelimit')
    headers = add(api, 2, [{'customer-id': '1000201'}]).headers
    assert 'X-RateLimit-Limit' in headers and 'RateLimit-Limit' not in headers


def test_a_tenant_limit_overrides_the_common_one_and_windows_are_per_tenant(api):
    faults(api, rate_limit=100, tenant_rate_limits={'acme': 2, 'globex': 0})
    codes = [add(api, 2, [{'customer-id': str(1000200 + n)}]).status_code for n in range(3)]
    assert codes == [207, 207, 429]
    # Another tenant's window is its own (its credentials are refused, but not rate limited).
    other = requests.get(stats(api, '2.json'), auth=('globex', 'nope'))
    assert other.status_code == 401
    assert requests.get(api.url + '/_sim/faults').json()['tenant_rate_limits'] == {'acme': 2, 'globex': 0}


@pytest.mark.parametrize('value', [5, [1], {'acme': -1}, {'acme': 'x'}])
def test_tenant_rate_limits_must_be_a_mapping_of_numbers(api, value):
    assert requests.patch(api.url + '/_sim/faults', json={'tenant_rate_limits': value}).status_code == 400


def test_reset_not_applied(api):
    faults(api, reset_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        add(api, 2, [{'customer-id': '1000300'}])
    with pytest.raises(requests.ConnectionError):
        requests.get(stats(api, '2.json'), auth=DATA, timeout=5)
    faults(api, reset_rate=0)
    assert requests.get(api.url + '/_sim/campaigns/2/records/1000300').status_code == 404
    assert [e['fault'] for e in log(api)][:2] == ['reset', 'reset']


def test_lost_response_applied(api):
    faults(api, lost_response_rate=1.0)
    with pytest.raises(requests.ConnectionError):
        add(api, 2, [{'customer-id': '1000301'}])
    assert requests.get(stats(api, '2.json'), auth=DATA).status_code == 200  # reads unaffected
    record = requests.get(api.url + '/_sim/campaigns/2/records/1000301').json()
    assert record == {'customer_id': 1000301, 'status': 'NEW'}
    assert log(api)[0]['fault'] == 'lost'


def test_refuse_after_lost_refuses_the_next_write_once(api):
    faults(api, lost_response_rate=1.0, refuse_after_lost=422)
    with pytest.raises(requests.ConnectionError):
        add(api, 2, [{'customer-id': '1000301'}])
    faults(api, lost_response_rate=0)
    # Reads do not spend the refusal; the next write gets it, applying nothing; the one after is answered.
    assert requests.get(stats(api, '2.json'), auth=DATA).status_code == 200
    resp = requests.delete(tstats(api, '2/customers/1000301'), auth=ACTION, timeout=10)
    assert resp.status_code == 422 and 'refuse_after_lost' in resp.json()['message']
    assert requests.get(api.url + '/_sim/campaigns/2/records/1000301').status_code == 200
    assert add(api, 2, [{'customer-id': '1000302'}]).status_code == 207
    assert [e['fault'] for e in log(api)] == ['lost', None, 'refused_after_lost', None]
    assert [e['status'] for e in log(api)][1:] == [200, 422, 207]


def test_refuse_after_lost_is_off_by_default_and_cleared(api):
    assert requests.get(api.url + '/_sim/faults').json()['refuse_after_lost'] is None
    faults(api, lost_response_rate=1.0, refuse_after_lost=403)
    with pytest.raises(requests.ConnectionError):
        add(api, 2, [{'customer-id': '1000301'}])
    # DELETE /_sim/faults switches it off and disarms a refusal pending.
    assert requests.delete(api.url + '/_sim/faults').json()['refuse_after_lost'] is None
    assert requests.delete(tstats(api, '2/customers/1000301'), auth=ACTION, timeout=10).status_code == 204
    assert requests.patch(api.url + '/_sim/faults', json={'refuse_after_lost': 700}).status_code == 400


def test_timeout_applied(api):
    faults(api, timeout_rate=1.0)
    resp = requests.patch(tstats(api, '2'), json={'status': 'PAUSED'}, auth=ACTION)
    assert (resp.status_code, resp.json()) == (206, {'message': TIMEOUT_MSG})
    assert sim_campaign(api, 2)['status'] == 'PAUSED'
    assert log(api)[0]['fault'] == 'timeout'


def test_max_batch(api):
    faults(api, max_batch=2)
    resp = add(api, 2, [{'customer-id': str(1000400 + n)} for n in range(3)])
    assert (resp.status_code, resp.json()) == (413, {'message': 'Request entity too large'})
    assert add(api, 2, [{'customer-id': '1000400'}, {'customer-id': '1000401'}]).status_code == 207
    assert sim_campaign(api, 2)['records_total'] == 7


def test_request_log_has_no_secrets(api):
    add(api, 2, [{'customer-id': '1000500'}])
    entry = log(api)[-1]
    assert set(entry) == {'method', 'path', 'status', 'items', 'fault'}
    assert 'act-123' not in str(entry) and '1000500' not in str(entry)
    assert requests.delete(api.url + '/_sim/requests').status_code == 200
    assert requests.get(api.url + '/_sim/requests').json() == {'requests': [], 'count': 0}


def test_sim_admin_api(api):
    entry = {'name': 'Made', 'status': 'RUNNING', 'records': [{'customer_id': 1000001, 'status': 'QUEUED'}]}
    assert requests.put(api.url + '/_sim/campaigns/60', json=entry).json()['records_total'] == 1
    moved = requests.post(api.url + '/_sim/campaigns/60/records/1000001', json={'status': 'ACCEPTED'})
    assert moved.json() == {'customer_id': 1000001, 'status': 'ACCEPTED'}
    assert requests.post(api.url + '/_sim/campaigns/60/records/7', json={'status': 'NEW'}).status_code == 404
    summary = sim_campaign(api, 60)
    assert summary['records']['ACCEPTED'] == 1 and summary['status_code'] == 3
    fixture = {'tenant': 't2', 'action_token': 'a', 'data_token': 'd', 'campaigns': [{'id': 1}]}
    assert requests.post(api.url + '/_sim/reset', json=fixture).status_code == 200
    assert requests.get(stats(api, '1.json'), auth=('t2', 'd')).status_code == 200
    assert requests.patch(api.url + '/_sim/faults', json={'error_rate': 2}).status_code == 400
    assert requests.get(api.url + '/_sim/faults').json()['error_rate'] == 0


def test_cli_flags(tmp_path):
    proc = SimProcess(tmp_path, args=['--status-method', 'post', '--delete-variant', 'support', '--max-batch', '1', '--seed', '3'])
    try:
        assert requests.patch(tstats(proc, '2'), json={'status': 'PAUSED'}, auth=ACTION).status_code == 405
        assert requests.delete(tstats(proc, '2/customers/1000001'), auth=ACTION).status_code == 200
        assert add(proc, 2, [{'customer-id': '1000600'}] * 2).status_code == 413
        assert requests.get(proc.url + '/_sim/faults').json()['seed'] == 3
    finally:
        assert proc.stop() == 0


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_signals_exit_zero(tmp_path, sig):
    proc = SimProcess(tmp_path)
    assert proc.stop(sig) == 0


def _parses(body):
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def test_latency_spikes(api):
    faults(api, latency_spike_rate=1.0, latency_spike_ms=250)
    start = time.time()
    assert requests.get(stats(api, '2.json'), auth=DATA).status_code == 200
    assert time.time() - start >= 0.25
    assert log(api)[0]['fault'] == 'latency_spike'
    faults(api, latency_spike_rate=0.5, seed=3)
    for _i in range(20):
        requests.get(stats(api, '2.json'), auth=DATA)
    spikes = [e['fault'] for e in log(api)[1:]].count('latency_spike')
    assert 0 < spikes < 20


@pytest.mark.parametrize(
    'kind, content_type, check',
    [
        ('html', 'text/html', lambda body: body.startswith(b'<!DOCTYPE html>')),
        ('invalid_json', 'application/json', lambda body: body and not _parses(body)),
        ('empty', 'application/json', lambda body: body == b''),
        ('status', 'application/json', _parses),
    ],
)
def test_bad_answers_apply_nothing(api, kind, content_type, check):
    faults(api, bad_answer=kind, bad_answer_status=418 if kind == 'status' else 200)
    resp = requests.patch(tstats(api, '2'), json={'status': 'PAUSED'}, auth=ACTION)
    assert resp.status_code == (418 if kind == 'status' else 200)
    assert resp.headers['Content-Type'].startswith(content_type) and check(resp.content)
    assert log(api)[0]['fault'] == 'bad_answer'
    faults(api, bad_answer='off')
    assert sim_campaign(api, 2)['status'] == 'RUNNING'


def test_bad_answers_come_after_authentication(api):
    faults(api, bad_answer='html')
    assert requests.get(stats(api, '2.json'), auth=('acme', 'wrong')).status_code == 401
    assert requests.get(stats(api, '2.json'), auth=DATA).headers['Content-Type'].startswith('text/html')


def test_bad_answers_by_method(api):
    faults(api, bad_answer='invalid_json', bad_answer_method='write')
    assert requests.get(stats(api, '2.json'), auth=DATA).json()['campaign']
    assert not _parses(add(api, 2, [{'customer-id': '1000300'}]).content)
    faults(api, bad_answer_method='read')
    assert add(api, 2, [{'customer-id': '1000300'}]).status_code == 207
    assert not _parses(requests.get(stats(api, '2.json'), auth=DATA).content)


def test_clear_faults_restores_defaults(api):
    faults(api, bad_answer='empty', latency_spike_rate=0.2, error_rate=0.5, max_batch=3)
    resp = requests.delete(api.url + '/_sim/faults')
    assert resp.status_code == 200 and resp.json()['bad_answer'] == 'off'
    assert resp.json()['error_rate'] == 0 and resp.json()['max_batch'] == 0 and resp.json()['latency_spike_rate'] == 0


@pytest.mark.parametrize(
    'change',
    [{'bad_answer': 'xml'}, {'bad_answer_status': 700}, {'bad_answer_status': 'x'}, {'bad_answer_method': 'post'}, {'latency_spike_rate': 1.5}],
)
def test_bad_new_fault_values_are_refused(api, change):
    assert requests.patch(api.url + '/_sim/faults', json=change).status_code == 400
    assert requests.get(api.url + '/_sim/faults').json()['bad_answer'] == 'off'


def test_https_listener_shares_state_and_needs_its_ca(tmp_path):
    proc = SimProcess(tmp_path, args=('--tls-port', '0', '--tls-dir', str(tmp_path / 'tls')))
    try:
        with open(proc.out_path) as handle:
            line = [text for text in handle if 'listening on https://' in text][0]
        https_url = line.split('listening on ')[1].split()[0]
        ca_path = str(tmp_path / 'tls' / 'ca.pem')
        assert ca_path in line
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(https_url + '/_sim/health', timeout=5)
        changed = requests.patch(https_url + '/api/tstats/campaigns/2', json={'status': 'PAUSED'}, auth=ACTION, verify=ca_path, timeout=5)
        assert changed.status_code in (200, 204), changed.text
        assert requests.get(proc.url + '/_sim/campaigns/2').json()['status'] == 'PAUSED'
    finally:
        assert proc.stop() == 0


def cut_records_read(api, cid):
    """GET records.json over a plain connection: (bytes received, True when the body ended early)."""
    conn = http.client.HTTPConnection('127.0.0.1', api.port, timeout=10)
    token = base64.b64encode(('%s:%s' % DATA).encode()).decode()
    conn.request('GET', '/api/stats/campaigns/%d/records.json' % cid, headers={'Authorization': 'Basic ' + token})
    resp = conn.getresponse()
    assert resp.status == 200
    try:
        return resp.read(), False
    except http.client.IncompleteRead as exc:
        return exc.partial, True
    finally:
        conn.close()


@pytest.mark.parametrize('cut_after, expected', [(0, 0), (2, 2), (3, 3), (50, 5)])
def test_records_cut_after(api, cut_after, expected):
    faults(api, records_cut_after=cut_after)
    body, cut = cut_records_read(api, 2)
    text = body.decode()
    assert cut and text.startswith('{"records": {"record": [') and not text.endswith(']}}')
    records = json.loads(text[len('{"records": {"record": ') :] + ']')
    assert [r['record-id'] for r in records] == [str(1000001 + n) for n in range(expected)]
    assert log(api)[-1]['fault'] == 'records_cut'
    # Other reads are whole; null switches the fault off, as does DELETE /_sim/faults.
    assert requests.get(stats(api, '2.json'), auth=DATA).json()['campaign']['no-of-records'] == 5
    faults(api, records_cut_after=None)
    assert cut_records_read(api, 2)[1] is False
    faults(api, records_cut_after=1)
    assert requests.delete(api.url + '/_sim/faults').json()['records_cut_after'] is None
    assert len(requests.get(stats(api, '2/records.json'), auth=DATA).json()['records']['record']) == 5


def test_records_cut_after_single_record_is_cut_too(api):
    faults(api, records_cut_after=1)
    body, cut = cut_records_read(api, 3)
    assert cut and body.decode().startswith('{"records": {"record": [{"campaign-name": "Paused campaign", "campaign-id": "3", "record-id": "1000010"')


@pytest.mark.parametrize('value', [-1, 1.5, 'x', True])
def test_records_cut_after_bad_values(api, value):
    assert requests.patch(api.url + '/_sim/faults', json={'records_cut_after': value}).status_code == 400
    assert requests.get(api.url + '/_sim/faults').json()['records_cut_after'] is None


def test_delete_support_variant_already_deleted(api):
    faults(api, delete_variant='support')
    assert requests.delete(tstats(api, '2/customers/1000001'), auth=ACTION).status_code == 200
    again = requests.delete(tstats(api, '2/customers/1000001'), auth=ACTION)
    assert (again.status_code, again.json()) == (404, {'message': 'The customer is not available for deletion: already deleted.'})
    never = requests.delete(tstats(api, '2/customers/1000999'), auth=ACTION)
    assert (never.status_code, never.json()) == (404, {'message': 'The customer has not been located.'})
    faults(api, delete_variant='spec')
    spec = requests.delete(tstats(api, '2/customers/1000001'), auth=ACTION)
    assert (spec.status_code, spec.json()) == (404, {'message': 'The customer has not been located.'})


GITOPS_FIXTURE = os.path.join(SIM_DIR, 'fixtures', 'gitops.yml')
GLOBEX_ACTION, GLOBEX_DATA = ('globex', 'act-789'), ('globex', 'data-012')


@pytest.fixture(scope='module')
def tenants(tmp_path_factory):
    """A simulator with the two tenants of fixtures/gitops.yml."""
    proc = SimProcess(tmp_path_factory.mktemp('tenants'), fixture=GITOPS_FIXTURE)
    yield proc
    assert proc.stop() == 0


def test_each_tenant_with_its_own_tokens(tenants):
    requests.post(tenants.url + '/_sim/reset').raise_for_status()
    assert requests.get(stats(tenants, '4510.json'), auth=GLOBEX_DATA).json()['campaign']['campaign-name'] == 'Renewals'
    assert requests.get(stats(tenants, '4501.json'), auth=DATA).json()['campaign']['campaign-name'] == 'Spring outreach'
    # A tenant sees only its campaigns; another tenant's token is refused.
    assert requests.get(stats(tenants, '4501.json'), auth=GLOBEX_DATA).status_code == 404
    assert requests.get(stats(tenants, '4510.json'), auth=('globex', 'data-456')).status_code == 401
    assert requests.get(stats(tenants, '4510.json'), auth=('initech', 'data-012')).status_code == 401
    resp = requests.patch(tstats(tenants, '4510'), json={'status': 'RUNNING'}, auth=GLOBEX_ACTION)
    assert resp.status_code == 200
    results = add(tenants, 4510, [{'customer-id': '1004800'}, {'customer-id': '1004600'}], auth=GLOBEX_ACTION).json()
    assert [r['http-status'] for r in results] == [200, 404]  # 1004600 is in acme's CRM, not globex's


def test_admin_api_addresses_a_tenant(tenants):
    requests.post(tenants.url + '/_sim/reset').raise_for_status()
    requests.patch(tstats(tenants, '4510'), json={'status': 'RUNNING'}, auth=GLOBEX_ACTION).raise_for_status()
    assert requests.get(tenants.url + '/_sim/campaigns/4510?tenant=globex').json()['status'] == 'RUNNING'
    assert requests.get(tenants.url + '/_sim/campaigns/4510').status_code == 404  # the first tenant is acme
    assert requests.get(tenants.url + '/_sim/campaigns/4501').json()['status'] == 'NEW'
    put = requests.put(tenants.url + '/_sim/campaigns/7?tenant=globex', json={'status': 'RUNNING'})
    assert put.status_code == 200 and requests.get(stats(tenants, '7.json'), auth=GLOBEX_DATA).status_code == 200
    unknown = requests.get(tenants.url + '/_sim/campaigns/4510?tenant=initech')
    assert (unknown.status_code, unknown.json()) == (404, {'message': 'No tenant initech in the fixture'})
    bad = requests.post(tenants.url + '/_sim/reset', json={'tenants': [{'tenant': 'a'}, {'tenant': 'a'}]})
    assert bad.status_code == 400 and 'listed twice' in bad.json()['message']

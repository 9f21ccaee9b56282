# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Campaigns API v1 over HTTP: auth, sites, problem documents, admin, faults and the request log."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest
import requests

MEDIA = 'application/vnd.campaigns.v1+json'
HEADERS = {'X-API-Key': 'eght_test-key', 'X-8x8-Tenant': 'acme', 'Content-Type': MEDIA}
CREATED = '00000000-0000-4000-8000-000000000001'
READY = '00000000-0000-4000-8000-000000000002'
RUNNING = '00000000-0000-4000-8000-000000000003'


def url(sim, cid, site='US1', tail=''):
    return '%s/cc/%s/campaigns/v1/%s%s' % (sim.url, site, cid, tail)


def patch(sim, cid, body, headers=None, **kwargs):
    return requests.patch(url(sim, cid, **kwargs), json=body, headers=HEADERS if headers is None else headers)


def add(sim, cid, records, headers=None, **kwargs):
    return requests.post(url(sim, cid, tail='/records', **kwargs), json={'records': records}, headers=HEADERS if headers is None else headers)


def faults(sim, **settings):
    requests.patch(sim.url + '/_sim/faults', json=settings).raise_for_status()


def admin(sim, cid):
    return requests.get(sim.url + '/_sim/v1/campaigns/' + cid).json()


def assert_problem(resp, status):
    assert resp.status_code == status
    assert resp.headers['Content-Type'].startswith(MEDIA)
    body = resp.json()
    assert body['status'] == status and body['title'] and body['detail'] and body['type']
    assert body['instance'] == resp.request.path_url and body['time'].endswith('Z')
    return body


def test_patch_answers_the_campaign(api):
    resp = patch(api, READY, {'action': 'START'})
    assert resp.status_code == 200 and resp.headers['Content-Type'].startswith(MEDIA)
    body = resp.json()
    assert (body['id'], body['tenantId'], body['state']) == (READY, 'acme', 'RUNNING')
    assert admin(api, READY)['state'] == 'RUNNING'


def test_409_names_the_state_unless_told_not_to(api):
    assert assert_problem(patch(api, RUNNING, {'action': 'START'}), 409)['detail'] == 'START is not allowed in state RUNNING'
    faults(api, v1_409_names_state=False)
    assert 'RUNNING' not in assert_problem(patch(api, RUNNING, {'action': 'START'}), 409)['detail']
    requests.delete(api.url + '/_sim/faults').raise_for_status()
    assert requests.get(api.url + '/_sim/faults').json()['v1_409_names_state'] is True


@pytest.mark.parametrize('site', ['US1', 'us2', 'Uk3'])
def test_sites_are_case_insensitive(api, site):
    assert patch(api, READY, {'action': 'BUILD'}, site=site).status_code == 200


def test_unknown_site_is_404(api):
    assert_problem(patch(api, READY, {'action': 'BUILD'}, site='EU9'), 404)


@pytest.mark.parametrize(
    'headers,status',
    [
        ({'X-8x8-Tenant': 'acme'}, 401),
        ({'X-API-Key': 'eght_wrong', 'X-8x8-Tenant': 'acme'}, 401),
        ({'X-API-Key': 'eght_no-product', 'X-8x8-Tenant': 'acme'}, 403),
        ({'X-API-Key': 'eght_test-key'}, 404),
        ({'X-API-Key': 'eght_test-key', 'X-8x8-Tenant': 'globex'}, 404),
    ],
)
def test_auth_and_tenant(api, headers, status):
    headers = dict(headers, **{'Content-Type': MEDIA})
    assert_problem(patch(api, READY, {'action': 'BUILD'}, headers=headers), status)
    assert_problem(add(api, RUNNING, [{'crmRecordId': 'Z'}], headers=headers), status)
    assert admin(api, READY)['state'] == 'READY' and admin(api, RUNNING)['records_total'] == 2


def test_campaign_ids(api):
    body = assert_problem(patch(api, 'not-a-uuid', {'action': 'BUILD'}), 400)
    assert body['errors'][0]['field'] == 'campaignId'
    assert_problem(patch(api, '00000000-0000-4000-8000-0000000000ff', {'action': 'BUILD'}), 404)
    assert patch(api, READY.upper(), {'action': 'BUILD'}).status_code == 200


def test_media_type_and_json(api):
    resp = requests.patch(url(api, READY), data='{"action": "BUILD"}', headers=dict(HEADERS, **{'Content-Type': 'text/plain'}))
    assert_problem(resp, 400)
    assert requests.patch(url(api, READY), json={'action': 'BUILD'}, headers=dict(HEADERS, **{'Content-Type': 'application/json'})).status_code == 200
    assert_problem(requests.patch(url(api, READY), data='{"action": ', headers=HEADERS), 400)


def test_trailing_slash_and_unknown_paths(api):
    assert requests.patch(url(api, READY) + '/', json={'action': 'BUILD'}, headers=HEADERS).status_code == 200
    assert_problem(requests.get(url(api, READY, tail='/nothing'), headers=HEADERS), 404)
    resp = requests.get(url(api, READY), headers=HEADERS)
    assert_problem(resp, 405)
    assert 'PATCH' in resp.headers['Allow']


def test_add_records_is_atomic(api):
    resp = add(api, RUNNING, [{'crmRecordId': 'N1'}, {'crmRecordId': 'CRM-1'}])
    assert assert_problem(resp, 409)['detail'] == 'Campaign already contains record for Id: CRM-1'
    assert admin(api, RUNNING)['records_total'] == 2
    faults(api, v1_duplicate_status=400)
    assert_problem(add(api, RUNNING, [{'crmRecordId': 'N1'}, {'crmRecordId': 'CRM-1'}]), 400)
    resp = add(api, RUNNING, [{'crmRecordId': 'N1'}, {'crmRecordId': 'N2', 'priority': 'LOW', 'rank': 3}])
    assert resp.status_code == 201 and [r['crmRecordId'] for r in resp.json()['records']] == ['N1', 'N2']
    faults(api, v1_add_status=200)
    assert add(api, RUNNING, [{'crmRecordId': 'N3'}]).status_code == 200
    assert admin(api, RUNNING)['records_total'] == 5


def test_transient_states_over_http(api):
    faults(api, v1_transient_ms=300)
    assert patch(api, CREATED, {'action': 'BUILD'}).json()['state'] == 'BUILDING'
    assert admin(api, CREATED)['state'] == 'BUILDING'
    assert_problem(patch(api, CREATED, {'action': 'START'}), 409)
    time.sleep(0.35)
    assert admin(api, CREATED)['state'] == 'READY'
    assert patch(api, CREATED, {'action': 'START'}).json()['state'] == 'STARTING'
    time.sleep(0.35)
    assert patch(api, CREATED, {'action': 'PAUSE'}).json()['state'] == 'PAUSED'


def test_admin_put_get_patch(api):
    cid = '11111111-2222-4333-8444-555555555555'
    entry = {'state': 'RUNNING', 'dynamic': True, 'enabled': False, 'records': [{'crm_record_id': 'A', 'state': 'COMPLETE'}, {'crm_record_id': 'B'}]}
    resp = requests.put(api.url + '/_sim/v1/campaigns/' + cid, json=entry)
    assert resp.status_code == 200
    summary = resp.json()
    assert (summary['id'], summary['state'], summary['enabled'], summary['dynamic'], summary['records_total']) == (cid, 'RUNNING', False, True, 2)
    assert summary['records']['COMPLETE'] == 1 and summary['records']['PENDING'] == 1
    assert admin(api, cid) == summary
    assert requests.get(api.url + '/_sim/v1/campaigns/' + cid, params={'ids': '1'}).json() == dict(summary, record_ids=['A', 'B'])
    assert requests.put(api.url + '/_sim/v1/campaigns/' + cid, json={'state': 'NOPE'}).status_code == 400
    assert requests.put(api.url + '/_sim/v1/campaigns/bad', json={}).status_code == 400
    resp = requests.patch(api.url + '/_sim/v1/campaigns/' + cid, json={'state': 'RUN_ERROR', 'enabled': True})
    assert resp.json()['state'] == 'RUN_ERROR' and resp.json()['enabled'] is True
    assert patch(api, cid, {'action': 'RETRY'}).json()['state'] == 'RUNNING'
    resp = requests.post(api.url + '/_sim/v1/campaigns/%s/records/B' % cid, json={'state': 'QUEUED'})
    assert resp.json() == {'crm_record_id': 'B', 'state': 'QUEUED'}
    assert requests.post(api.url + '/_sim/v1/campaigns/%s/records/Z' % cid, json={'state': 'QUEUED'}).status_code == 404
    assert requests.get(api.url + '/_sim/v1/campaigns/00000000-0000-4000-8000-0000000000ff').status_code == 404
    requests.post(api.url + '/_sim/reset').raise_for_status()
    assert requests.get(api.url + '/_sim/v1/campaigns/' + cid).status_code == 404


def test_request_log_lists_v1_requests(api):
    add(api, RUNNING, [{'crmRecordId': 'L1'}, {'crmRecordId': 'L2'}])
    patch(api, RUNNING, {'action': 'START'})
    log = requests.get(api.url + '/_sim/requests').json()['requests']
    assert [(e['method'], e['status'], e['items']) for e in log] == [('POST', 201, 2), ('PATCH', 409, None)]
    assert log[0]['path'] == '/cc/US1/campaigns/v1/%s/records' % RUNNING
    assert 'eght_test-key' not in str(log)


def test_error_fault_applies_nothing(api):
    faults(api, error_rate=1)
    resp = add(api, RUNNING, [{'crmRecordId': 'E1'}])
    assert assert_problem(resp, resp.status_code)['status'] in (502, 503, 504)
    assert admin(api, RUNNING)['records_total'] == 2
    assert requests.get(api.url + '/_sim/requests').json()['requests'][-1]['fault'] == 'error'


def test_reset_fault_drops_the_connection(api):
    faults(api, reset_rate=1)
    with pytest.raises(requests.ConnectionError):
        add(api, RUNNING, [{'crmRecordId': 'E1'}])
    assert admin(api, RUNNING)['records_total'] == 2


def test_lost_answer_is_applied(api):
    faults(api, lost_response_rate=1)
    with pytest.raises(requests.ConnectionError):
        add(api, RUNNING, [{'crmRecordId': 'E1'}])
    assert admin(api, RUNNING)['records_total'] == 3
    entry = requests.get(api.url + '/_sim/requests').json()['requests'][-1]
    assert (entry['fault'], entry['status'], entry['applied_status']) == ('lost', None, 201)


def test_timeout_fault_is_applied_then_504(api):
    faults(api, timeout_rate=1)
    assert_problem(patch(api, READY, {'action': 'START'}), 504)
    assert admin(api, READY)['state'] == 'RUNNING'


def test_latency_rate_limit_and_bad_answers(api):
    faults(api, latency_ms=200)
    start = time.monotonic()
    patch(api, READY, {'action': 'BUILD'})
    assert time.monotonic() - start >= 0.2
    faults(api, latency_ms=0, rate_limit=1)
    assert patch(api, READY, {'action': 'BUILD'}).status_code == 200
    resp = patch(api, READY, {'action': 'BUILD'})
    assert_problem(resp, 429)
    assert resp.headers['Retry-After'] == '1'
    faults(api, rate_limit=0, bad_answer='html', bad_answer_status=503)
    resp = patch(api, READY, {'action': 'RESET'})
    assert resp.status_code == 503 and resp.headers['Content-Type'].startswith('text/html')
    assert admin(api, READY)['state'] == 'READY'
    # An unauthenticated request gets its 401, not the bad answer.
    assert patch(api, READY, {'action': 'RESET'}, headers={'Content-Type': MEDIA}).status_code == 401


def test_legacy_api_unchanged_beside_v1(api):
    resp = requests.get(api.url + '/api/stats/campaigns/2.json', auth=('acme', 'data-456'))
    assert resp.status_code == 200 and resp.json()['campaign']['campaign-id'] == 2

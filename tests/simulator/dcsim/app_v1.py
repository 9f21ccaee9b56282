# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""aiohttp routes of the Campaigns API v1 (beta) under /cc/{site}/campaigns/v1/, admin under /_sim/v1/.

The rules live in state_v1.py; this module authenticates, parses, logs and injects faults (the
same settings as the legacy API's, with problem documents instead of legacy bodies).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import datetime
import json
import time

from aiohttp import web

from . import state_v1

V1_SERVER = web.AppKey('dcsim_v1_server', object)
MEDIA = 'application/vnd.campaigns.v1+json'
ACCEPTED_MEDIA = (MEDIA, 'application/json')
BAD_JSON = object()
PREFIX = '/cc/'


class Dropped(Exception):
    """The connection was closed without an answer."""


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def answer(request, status, body):
    """A v1 answer; problem documents get the occurrence's instance and time."""
    if status >= 400:
        body = dict(body, instance=request.path, time=now_iso())
    return web.Response(status=status, body=json.dumps(body).encode(), content_type=MEDIA)


def fail(request, status, title, detail, errors=None, kind=None):
    return answer(request, *state_v1.problem(status, title, detail, errors, kind))


def tenant_of(request):
    """(tenant, None) for a request whose site, key and tenant are right, else (None, response)."""
    srv = request.app[V1_SERVER]
    if request.match_info.get('site', '').upper() not in state_v1.SITES:
        return None, fail(request, 404, 'Not found', 'Unknown site %s' % request.match_info.get('site'), kind='not-found')
    key = request.headers.get('X-API-Key')
    keys = dict((t.api_key, t) for t in srv.v1.values() if t.api_key)
    if any(key in t.keys_without_product for t in srv.v1.values()):
        return None, fail(request, 403, 'Forbidden', 'The API key has no Contact Center Campaigns product', kind='forbidden')
    if not key or key not in keys:
        return None, fail(request, 401, 'Unauthorized', 'A valid X-API-Key is required', kind='unauthorized')
    name = request.headers.get('X-8x8-Tenant')
    tenant = srv.v1.get(name)
    if tenant is None:
        return None, fail(request, 404, 'Not found', 'Tenant not found', kind='not-found')
    if tenant.api_key != key:
        return None, fail(request, 401, 'Unauthorized', 'The API key is not valid for this tenant', kind='unauthorized')
    return tenant, None


def campaign_of(request):
    """(tenant, campaign, None) or (None, None, response)."""
    tenant, error = tenant_of(request)
    if error:
        return None, None, error
    raw = request.match_info['cid']
    cid = state_v1.campaign_uuid(raw)
    if cid is None:
        errors = [state_v1.field_error('campaignId', 'Format', 'must be a UUID')]
        return None, None, answer(request, *state_v1.invalid(errors, 'campaignId %s is not a UUID' % raw))
    camp = tenant.campaigns.get(cid)
    if camp is None:
        return None, None, fail(request, 404, 'Not found', 'Campaign not found: %s' % cid, kind='not-found')
    return tenant, camp, None


async def read_body(request):
    """The JSON body, or a 400 response for another media type or bad JSON."""
    media = request.headers.get('Content-Type', '').split(';')[0].strip().lower()
    if media not in ACCEPTED_MEDIA:
        return None, fail(request, 400, 'Bad request', 'Content-Type must be %s' % MEDIA, kind='media-type')
    try:
        return json.loads(await request.read()), None
    except ValueError:
        return None, fail(request, 400, 'Bad request', 'The body is not valid JSON', kind='bad-json')


async def modify_campaign(request):
    tenant, camp, error = campaign_of(request)
    if error:
        return error
    body, error = await read_body(request)
    if error:
        return error
    options = request.app[V1_SERVER].faults.v1_options()
    return answer(request, *tenant.modify(camp, body, options))


async def add_records(request):
    tenant, camp, error = campaign_of(request)
    if error:
        return error
    body, error = await read_body(request)
    if error:
        return error
    if isinstance(body, dict) and isinstance(body.get('records'), list):
        request['log_entry']['items'] = len(body['records'])
    options = request.app[V1_SERVER].faults.v1_options()
    return answer(request, *tenant.add_records(camp, body, options))


def drop(request):
    if request.transport is not None:
        request.transport.abort()
    raise Dropped()


def authenticated(request):
    """True when the request's key and tenant are right (faults that need it)."""
    return tenant_of(request)[0] is not None


async def delay(faults, entry):
    seconds = faults.latency_ms / 1000.0
    if faults.roll(faults.latency_spike_rate):
        entry['fault'] = 'latency_spike'
        seconds += faults.latency_spike_ms / 1000.0
    if seconds:
        await asyncio.sleep(seconds)


BAD_BODIES = {
    'html': ('text/html', b'<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>\n'),
    'invalid_json': (MEDIA, b'{"id": "6f1c", "state": "RUN'),
    'empty': (MEDIA, b''),
    'status': (MEDIA, b'{"title": "Undocumented", "detail": "An answer with a status code the API does not document."}'),
}


def bad_answer(request, faults, entry):
    if not faults.answers_badly(request.method) or not authenticated(request):
        return None
    entry['fault'] = 'bad_answer'
    content_type, body = BAD_BODIES[faults.bad_answer]
    return web.Response(status=faults.bad_answer_status, body=body, headers={'Content-Type': content_type})


async def pre_faults(request, faults, entry):
    """Faults before the request reaches the API: nothing applied."""
    await delay(faults, entry)
    resp = bad_answer(request, faults, entry)
    if resp is not None:
        return resp
    if faults.rate_limit and faults.rate_limited('v1:%s' % request.headers.get('X-8x8-Tenant', ''), time.monotonic()):
        entry['fault'] = 'rate_limited'
        resp = fail(request, 429, 'Too many requests', 'Rate limit exceeded', kind='rate-limited')
        resp.headers['Retry-After'] = '1'
        return resp
    if faults.roll(faults.error_rate):
        entry['fault'] = 'error'
        status = faults.error_status()
        return fail(request, status, {502: 'Bad gateway', 503: 'Service unavailable', 504: 'Gateway timeout'}[status], 'Try again later', kind='upstream')
    if faults.roll(faults.reset_rate):
        entry['fault'] = 'reset'
        drop(request)
    return None


def post_faults(request, faults, entry, resp):
    """After the write was applied: the answer is lost, or a gateway timeout hides it."""
    if faults.roll(faults.lost_response_rate):
        entry.update(fault='lost', applied_status=resp.status)
        drop(request)
    if faults.roll(faults.timeout_rate):
        entry.update(fault='timeout', applied_status=resp.status)
        return fail(request, 504, 'Gateway timeout', 'The request was sent but the response timed out; check the result later.', kind='timeout')
    return resp


async def run_api(request, handler, faults, entry):
    if faults.pre:
        resp = await pre_faults(request, faults, entry)
        if resp is not None:
            return resp
    try:
        resp = await handler(request)
    except web.HTTPException as exc:
        resp = fail(request, exc.status, exc.reason, 'No such resource or method: %s %s' % (request.method, request.path), kind='not-found')
        if 'Allow' in exc.headers:
            resp.headers['Allow'] = exc.headers['Allow']
        return resp
    if faults.post and request.method in ('PATCH', 'POST'):
        return post_faults(request, faults, entry, resp)
    return resp


@web.middleware
async def middleware(request, handler):
    if not request.path.lower().startswith(PREFIX):
        return await handler(request)
    srv = request.app[V1_SERVER]
    entry = {'method': request.method, 'path': request.path, 'status': None, 'items': None, 'fault': None}
    srv.log.append(entry)
    request['log_entry'] = entry
    try:
        resp = await run_api(request, handler, srv.faults, entry)
    except Dropped:
        return web.Response(status=499)
    entry['status'] = resp.status
    return resp


def sim_tenant(request):
    """The tenant named by ?tenant= (default: the fixture's first)."""
    tenants = request.app[V1_SERVER].v1
    name = request.query.get('tenant')
    tenant = tenants.get(name) if name else next(iter(tenants.values()))
    if tenant is None:
        raise web.HTTPNotFound(text=json.dumps({'message': 'No tenant %s' % name}), content_type='application/json')
    return tenant


def sim_campaign(request):
    tenant = sim_tenant(request)
    camp = tenant.campaigns.get(state_v1.campaign_uuid(request.match_info['cid']))
    if camp is None:
        raise web.HTTPNotFound(text=json.dumps({'message': 'The campaign cannot be found.'}), content_type='application/json')
    camp.settle(time.time())
    return camp


def jresp(status, body):
    return web.Response(status=status, body=json.dumps(body).encode(), content_type='application/json')


async def sim_put_campaign(request):
    tenant = sim_tenant(request)
    try:
        entry = json.loads(await request.read())
        camp = tenant.put_campaign(request.match_info['cid'], dict(entry))
    except (ValueError, KeyError, TypeError) as exc:
        return jresp(400, {'message': 'Invalid campaign: %s' % exc})
    return jresp(200, camp.summary())


async def sim_get_campaign(request):
    """The summary; with ?ids=1 also `record_ids`, every crmRecordId the campaign holds, sorted (tests compare them)."""
    camp = sim_campaign(request)
    body = camp.summary()
    if request.query.get('ids') in ('1', 'true'):
        body['record_ids'] = sorted(camp.records)
    return jresp(200, body)


async def sim_patch_campaign(request):
    """Move a campaign as 8x8 would on its own (RUN_ERROR, COMPLETE...), or flip enabled/dynamic."""
    camp = sim_campaign(request)
    try:
        body = dict(json.loads(await request.read()))
    except (ValueError, TypeError):
        return jresp(400, {'message': 'A JSON object is required'})
    state = str(body.get('state', camp.state)).upper()
    if state not in state_v1.STATES or any(not isinstance(body.get(k, True), bool) for k in ('enabled', 'dynamic')):
        return jresp(400, {'message': 'state must be one of %s; enabled and dynamic booleans' % ', '.join(state_v1.STATES)})
    camp.pending_move = None
    camp.state = state
    camp.enabled = body.get('enabled', camp.enabled)
    camp.dynamic = body.get('dynamic', camp.dynamic)
    return jresp(200, camp.summary())


async def sim_move_record(request):
    camp = sim_campaign(request)
    crm = request.match_info['crm']
    try:
        state = dict(json.loads(await request.read())).get('state')
    except (ValueError, TypeError):
        state = None
    if state not in state_v1.RECORD_STATES:
        return jresp(400, {'message': 'state must be one of %s' % ', '.join(state_v1.RECORD_STATES)})
    if crm not in camp.records:
        return jresp(404, {'message': 'No record %s' % crm})
    camp.records[crm] = state
    return jresp(200, {'crm_record_id': crm, 'state': state})


def routes():
    base = '/cc/{site}/campaigns/v1/{cid}'
    slash = '{_slash:/?}'
    admin = '/_sim/v1/campaigns/{cid}'
    return [
        web.patch(base + slash, modify_campaign),
        web.post(base + '/records' + slash, add_records),
        web.put(admin, sim_put_campaign),
        web.get(admin, sim_get_campaign),
        web.patch(admin, sim_patch_campaign),
        web.post(admin + '/records/{crm}', sim_move_record),
    ]

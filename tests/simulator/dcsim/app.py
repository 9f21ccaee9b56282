# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""aiohttp routes of the simulator: the 8x8 API under /api/, admin under /_sim/."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import base64
import binascii
import collections
import json
import time

from aiohttp import web

from . import app_v1, state, state_v1
from .faults import Faults, TIMEOUT_MESSAGE

LOG_CAP = 100000
BAD_JSON = object()
SERVER = web.AppKey('dcsim_server', object)
JSON = 'application/json'


class DropConnection(Exception):
    """Raised to leave a request unanswered after its connection was closed."""


class Server(object):
    """Mutable simulator state shared by all handlers."""

    def __init__(self, fixture, fixture_path=None, faults=None):
        self.fixture_path = fixture_path
        self.tenants = state.tenants_of(fixture)
        self.v1 = state_v1.tenants_of(fixture)
        self.faults = faults or Faults()
        self.log = collections.deque(maxlen=LOG_CAP)

    @property
    def sim(self):
        """The first tenant of the fixture: the one /_sim/ requests without ?tenant= address."""
        return next(iter(self.tenants.values()))

    def reset(self, fixture):
        # Both APIs' state is built before either replaces the old one: a bad fixture changes nothing.
        tenants, v1 = state.tenants_of(fixture), state_v1.tenants_of(fixture)
        self.tenants, self.v1 = tenants, v1
        self.log.clear()
        self.faults.windows.clear()

    def authenticated(self, request, token_names):
        """The tenant (a state.Sim) whose name and one of the tokens named match the Basic auth, or None."""
        user, password = basic_user(request)
        sim = self.tenants.get(user)
        if sim is None or password not in [getattr(sim, name) for name in token_names]:
            return None
        return sim


def load_fixture(path):
    import yaml

    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def jresp(status, body):
    if body is None:
        return web.Response(status=status)
    return web.Response(status=status, body=json.dumps(body).encode(), content_type=JSON)


OK_ITEM = '{"customer-id": %d, "http-status": 200}'


def encode_results(results):
    """207 bodies are hot: format plain successes directly (2x faster than json.dumps)."""
    enc = json.dumps
    return ('[' + ', '.join([OK_ITEM % r['customer-id'] if len(r) == 2 and r['http-status'] == 200 else enc(r) for r in results]) + ']').encode()


def basic_user(request):
    """(user, password) of a Basic Authorization header, or (None, None)."""
    header = request.headers.get('Authorization', '')
    if not header.startswith('Basic '):
        return None, None
    try:
        raw = base64.b64decode(header[6:], validate=True).decode('utf-8')
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = raw.partition(':')
    return (user, password) if sep else (None, None)


def campaign_or_error(request, token_name, missing=404):
    """Auth then campaign lookup, as 8x8 checks them: (tenant, campaign, None) or (.., .., response).

    An unknown campaign answers `missing`: 404, but 400 for an add, whose answers the seed lists
    as 207, 400 and 500 only."""
    sim = request.app[SERVER].authenticated(request, (token_name,))
    if sim is None:
        return None, None, jresp(401, state.msg('unauthorized'))
    raw = request.match_info['cid']
    camp = sim.campaigns.get(int(raw)) if raw.isascii() and raw.isdigit() else None
    if camp is None:
        return sim, None, jresp(missing, state.msg('no_campaign'))
    return sim, camp, None


async def read_json(request):
    data = await request.read()
    try:
        return json.loads(data)
    except ValueError:
        return BAD_JSON


async def change_status(request):
    srv = request.app[SERVER]
    allowed = srv.faults.status_method
    if allowed != 'both' and request.method.lower() != allowed:
        resp = jresp(405, {'message': 'Method Not Allowed'})
        resp.headers['Allow'] = allowed.upper()
        return resp
    sim, camp, error = campaign_or_error(request, 'action_token')
    if error:
        return error
    return jresp(*sim.change_status(camp, await read_json(request)))


async def add_customers(request):
    srv = request.app[SERVER]
    sim, camp, error = campaign_or_error(request, 'action_token', missing=400)
    if error:
        return error
    items = await read_json(request)
    if isinstance(items, list):
        request['log_entry']['items'] = len(items)
        if srv.faults.max_batch and len(items) > srv.faults.max_batch:
            return jresp(413, {'message': 'Request entity too large'})
    status, body = sim.add_customers(camp, items)
    if status != 207:
        return jresp(status, body)
    return web.Response(status=207, body=encode_results(body), content_type=JSON)


async def delete_customer(request):
    sim, camp, error = campaign_or_error(request, 'action_token')
    if error:
        return error
    raw = request.match_info['customer']
    return jresp(*sim.delete_customer(camp, raw, request.app[SERVER].faults.delete_variant))


async def read_campaign(request):
    _sim, camp, error = campaign_or_error(request, 'data_token')
    return error or jresp(200, camp.stats())


def _single_record(camp, encode):
    for chunk in camp.records.iter_chunks():
        for cid, status in chunk:
            return jresp(200, {'records': {'record': json.loads(encode(cid, status))}})
    return jresp(200, {'records': ''})


async def read_records(request):
    """Streams the list in chunks so 5 M records never become one string."""
    _sim, camp, error = campaign_or_error(request, 'data_token')
    if error:
        return error
    cut_after = request.app[SERVER].faults.records_cut_after
    # 8x8's records read has no schedule field; the records_schedule setting can add it.
    encode = state.record_encoder(camp, request.app[SERVER].faults.records_schedule == 'shown')
    if camp.records.total < 2 and cut_after is None:
        return _single_record(camp, encode)
    resp = web.StreamResponse(status=200, headers={'Content-Type': JSON})
    await resp.prepare(request)
    await resp.write(b'{"records": {"record": [')
    sep = ''
    for parts in record_parts(camp, encode, cut_after):
        await resp.write((sep + ','.join(parts)).encode())
        sep = ','
    if cut_after is not None:
        request['log_entry'].update(fault='records_cut', status=200)
        close(request)
    await resp.write(b']}}')
    await resp.write_eof()
    return resp


def record_parts(camp, encode, limit=None):
    """Non-empty lists of encoded records; at most limit records in all (None: no limit)."""
    for chunk in camp.records.iter_chunks():
        if limit is not None:
            if limit <= 0:
                return
            chunk = chunk[:limit]
            limit -= len(chunk)
        parts = [encode(cid, st) for cid, st in chunk]
        if parts:
            yield parts


def drop(request):
    """Close the socket without an answer; the client sees a connection error."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise DropConnection()


def close(request):
    """Close the socket after what was written so far has been sent: a body cut short."""
    transport = request.transport
    if transport is not None:
        transport.close()
    raise DropConnection()


BAD_ANSWER_BODIES = {
    'html': (
        'text/html',
        b'<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>'
        b'<body><h1>Service Unavailable</h1><p>The server is down for maintenance.</p></body></html>\n',
    ),
    'invalid_json': (JSON, b'{"status": "RUNNING", "records": [{"customer-id": 1'),
    'empty': (JSON, b''),
    'status': (JSON, b'{"message": "An answer with a status code the API does not document."}'),
}


def bad_answer(request, faults, entry):
    """A nonsense answer (after authentication, nothing applied), or None."""
    if not faults.answers_badly(request.method):
        return None
    if request.app[SERVER].authenticated(request, ('action_token', 'data_token')) is None:
        return None
    entry['fault'] = 'bad_answer'
    content_type, body = BAD_ANSWER_BODIES[faults.bad_answer]
    return web.Response(status=faults.bad_answer_status, body=body, headers={'Content-Type': content_type})


async def delay(faults, entry):
    seconds = faults.latency_ms / 1000.0
    if faults.roll(faults.latency_spike_rate):
        entry['fault'] = 'latency_spike'
        seconds += faults.latency_spike_ms / 1000.0
    if seconds:
        await asyncio.sleep(seconds)


def refused_after_lost(request, faults, entry):
    """The write after a lost answer refused with refuse_after_lost's status (nothing applied), or None."""
    if not request.path.startswith('/api/tstats/') or not faults.refuses_after_lost():
        return None
    entry['fault'] = 'refused_after_lost'
    return jresp(faults.refuse_after_lost, {'message': 'Refused after a lost answer (simulator fault refuse_after_lost).'})


async def pre_faults(request, faults, entry):
    """Faults that happen before the request reaches the API (nothing applied)."""
    await delay(faults, entry)
    resp = refused_after_lost(request, faults, entry) or bad_answer(request, faults, entry)
    if resp is not None:
        return resp
    if faults.limits_rate and faults.rate_limited(basic_user(request)[0] or '', time.monotonic()):
        entry['fault'] = 'rate_limited'
        resp = jresp(429, {'message': 'Too Many Requests'})
        resp.headers['Retry-After'] = '1'
        return resp
    if faults.roll(faults.error_rate):
        entry['fault'] = 'error'
        status = faults.error_status()
        return jresp(status, {'message': 'Bad Gateway' if status == 502 else 'Service Unavailable' if status == 503 else 'Gateway Timeout'})
    if faults.roll(faults.reset_rate):
        entry['fault'] = 'reset'
        drop(request)
    return None


def post_faults(request, faults, entry, resp):
    """Faults after a write was applied: the outcome is unknown to the client."""
    if faults.roll(faults.lost_response_rate):
        entry['fault'] = 'lost'
        entry['applied_status'] = resp.status
        faults.lost_an_answer()
        drop(request)
    if faults.roll(faults.timeout_rate):
        entry['fault'] = 'timeout'
        entry['applied_status'] = resp.status
        return jresp(206, {'message': TIMEOUT_MESSAGE})
    return resp


async def run_api(request, handler, srv, entry):
    faults = srv.faults
    if faults.pre:
        resp = await pre_faults(request, faults, entry)
        if resp is not None:
            return resp
    try:
        resp = await handler(request)
    except web.HTTPException as exc:
        # Router 404/405 answer JSON like the rest of the API; a 405 keeps its Allow header.
        resp = jresp(exc.status, {'message': exc.reason})
        if 'Allow' in exc.headers:
            resp.headers['Allow'] = exc.headers['Allow']
        return resp
    if faults.post and request.path.startswith('/api/tstats/'):
        return post_faults(request, faults, entry, resp)
    return resp


@web.middleware
async def api_middleware(request, handler):
    if not request.path.startswith('/api/'):
        return await handler(request)
    srv = request.app[SERVER]
    entry = {'method': request.method, 'path': request.path, 'status': None, 'items': None, 'fault': None}
    srv.log.append(entry)
    request['log_entry'] = entry
    try:
        resp = await run_api(request, handler, srv, entry)
    except DropConnection:
        # The transport is gone; an empty response is never written.
        return web.Response(status=499)
    entry['status'] = resp.status
    if srv.faults.rate_limit_headers != 'off' and not resp.prepared:
        resp.headers.update(srv.faults.rate_headers(basic_user(request)[0] or '', time.monotonic()))
    return resp


def _int_param(request, name):
    raw = request.match_info[name]
    if not (raw.isascii() and raw.isdigit()):
        raise web.HTTPNotFound(text=json.dumps({'message': 'Not Found'}), content_type=JSON)
    return int(raw)


def _sim_tenant(request):
    """The tenant named by ?tenant= (default: the fixture's first)."""
    srv = request.app[SERVER]
    name = request.query.get('tenant')
    if name is None:
        return srv.sim
    if name not in srv.tenants:
        raise web.HTTPNotFound(text=json.dumps({'message': 'No tenant %s in the fixture' % name}), content_type=JSON)
    return srv.tenants[name]


def _sim_campaign(request):
    camp = _sim_tenant(request).campaigns.get(_int_param(request, 'cid'))
    if camp is None:
        raise web.HTTPNotFound(text=json.dumps(state.msg('no_campaign')), content_type=JSON)
    return camp


async def sim_health(request):
    return jresp(200, {'ok': True})


async def sim_reset(request):
    srv = request.app[SERVER]
    body = await request.read()
    try:
        fixture = json.loads(body) if body.strip() else load_fixture(srv.fixture_path)
        srv.reset(fixture)
    except (ValueError, KeyError, TypeError) as exc:
        return jresp(400, {'message': 'Invalid fixture: %s' % exc})
    return jresp(200, {'ok': True})


async def sim_put_campaign(request):
    entry = await read_json(request)
    if not isinstance(entry, dict):
        return jresp(400, {'message': 'A JSON object is required'})
    try:
        camp = _sim_tenant(request).put_campaign(_int_param(request, 'cid'), entry)
    except (ValueError, KeyError, TypeError) as exc:
        return jresp(400, {'message': 'Invalid campaign: %s' % exc})
    return jresp(200, camp.summary())


async def sim_get_campaign(request):
    return jresp(200, _sim_campaign(request).summary())


async def sim_move_record(request):
    camp = _sim_campaign(request)
    cid = _int_param(request, 'customer')
    body = await read_json(request)
    name = body.get('status') if isinstance(body, dict) else None
    if name not in state.RECORD_STATUSES:
        return jresp(400, {'message': 'status must be one of %s' % ', '.join(state.RECORD_STATUSES)})
    if camp.records.get(cid) is None:
        return jresp(404, {'message': 'The customer has not been located.'})
    camp.records.put(cid, state.RECORD_STATUSES[name])
    return jresp(200, {'customer_id': cid, 'status': name})


async def sim_get_record(request):
    camp = _sim_campaign(request)
    cid = _int_param(request, 'customer')
    status = camp.records.get(cid)
    if status is None:
        return jresp(404, {'message': 'The customer has not been located.'})
    return jresp(200, {'customer_id': cid, 'status': state.RECORD_NAMES[status]})


async def sim_get_requests(request):
    log = list(request.app[SERVER].log)
    return jresp(200, {'requests': log, 'count': len(log)})


async def sim_clear_requests(request):
    request.app[SERVER].log.clear()
    return jresp(200, {'ok': True})


async def sim_get_faults(request):
    return jresp(200, request.app[SERVER].faults.as_dict())


async def sim_clear_faults(request):
    faults = request.app[SERVER].faults
    faults.clear()
    return jresp(200, faults.as_dict())


async def sim_patch_faults(request):
    faults = request.app[SERVER].faults
    body = await read_json(request)
    if not isinstance(body, dict):
        return jresp(400, {'message': 'A JSON object is required'})
    try:
        faults.update(body)
    except ValueError as exc:
        return jresp(400, {'message': str(exc)})
    return jresp(200, faults.as_dict())


def api_routes():
    slash = '{_slash:/?}'
    camp = '/api/tstats/campaigns/{cid:[^/]+}'
    stats = '/api/stats/campaigns/{cid:[^/.]+}'
    return [
        web.patch(camp + slash, change_status),
        web.post(camp + slash, change_status),
        web.post(camp + '/customers' + slash, add_customers),
        web.delete(camp + '/customers/{customer:[^/]+}' + slash, delete_customer),
        web.get(stats + '.json' + slash, read_campaign, allow_head=False),
        web.get(stats + '/records.json' + slash, read_records, allow_head=False),
    ]


def sim_routes():
    camp = '/_sim/campaigns/{cid}'
    return [
        web.get('/_sim/health', sim_health),
        web.post('/_sim/reset', sim_reset),
        web.put(camp, sim_put_campaign),
        web.get(camp, sim_get_campaign),
        web.post(camp + '/records/{customer}', sim_move_record),
        web.get(camp + '/records/{customer}', sim_get_record),
        web.get('/_sim/requests', sim_get_requests),
        web.delete('/_sim/requests', sim_clear_requests),
        web.get('/_sim/faults', sim_get_faults),
        web.patch('/_sim/faults', sim_patch_faults),
        web.delete('/_sim/faults', sim_clear_faults),
    ]


def make_app(server):
    # Bodies of 5 M-record fixtures sent to /_sim/reset can be large.
    app = web.Application(middlewares=[api_middleware, app_v1.middleware], client_max_size=256 * 1024 * 1024)
    app[SERVER] = server
    app[app_v1.V1_SERVER] = server
    app.add_routes(api_routes() + sim_routes() + app_v1.routes())
    return app

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schemathesis, every check: the simulator conforms to 8x8's campaigns-v1-openapi.json.

The statuses 8x8's prose documents beyond the description (401 key, 403 product, 409 state, and 200
on an add, where the description says 201) are added to the description before the run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from conftest import SIM_DIR

SEED = os.path.join(SIM_DIR, 'fixtures', 'campaigns-v1-openapi.json')
KEY = 'eght_test-key'
TENANT = 'acme'
CAMPAIGNS = ['00000000-0000-4000-8000-%012x' % n for n in range(1, 13)]
PROSE_STATUSES = {
    '401': 'Missing or invalid X-API-Key (8x8 prose)',
    '403': 'The key lacks the Contact Center Campaigns product (8x8 prose)',
    '409': 'Action not valid from the current state, or record already present (8x8 prose)',
}


def with_prose_statuses(raw):
    """The description plus the statuses the prose documents."""
    raw = copy.deepcopy(raw)
    error = {'application/vnd.campaigns.v1+json': {'schema': {'$ref': '#/components/schemas/ErrorMessage'}}}
    for item in raw['paths'].values():
        for operation in item.values():
            for status, text in PROSE_STATUSES.items():
                operation['responses'].setdefault(status, {'description': text, 'content': error})
    add = raw['paths']['/{campaignId}/records']['post']['responses']
    add['200'] = dict(add['201'], description='Records added (8x8 prose)')
    return raw


with open(SEED) as handle:
    SCHEMA_RAW = with_prose_statuses(json.load(handle))
# Schema-valid bodies the API still refuses with a documented 400: the description's own 400 covers
# "duplicate CRM IDs" and "illegal state transition", the prose requires `action` and refuses adds to
# campaigns that are not dynamic; none of these rules can be written in the description's schemas.
ACCEPTED = ['2xx', '3xx', '400', '401', '403', '404', '409', '429', '5xx']
CONFIG = schemathesis.Config.from_dict({'checks': {'positive_data_acceptance': {'expected-statuses': ACCEPTED}}})
schema = schemathesis.openapi.from_dict(SCHEMA_RAW, config=CONFIG)


@pytest.fixture(scope='module', autouse=True)
def fresh_state(sim):
    requests.delete(sim.url + '/_sim/faults').raise_for_status()
    requests.post(sim.url + '/_sim/reset').raise_for_status()


def aim(case):
    """Most cases go to fixture campaigns with the right key and tenant, so rules run, not only 401/404."""
    params = case.path_parameters or {}
    raw = str(params.get('campaignId', ''))
    if sum(map(ord, raw)) % 13:
        params['campaignId'] = CAMPAIGNS[sum(map(ord, raw)) % 13 - 1]
    headers = case.headers or {}
    for name, value in (('x-api-key', KEY), ('X-8x8-Tenant', TENANT)):
        if name in headers and sum(map(ord, str(headers[name]))) % 5:
            headers[name] = value


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_simulator_conforms_v1(case, sim):
    aim(case)
    case.call_and_validate(base_url=sim.url + '/cc/US1/campaigns/v1', timeout=10)

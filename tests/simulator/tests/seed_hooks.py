# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schemathesis hooks for the seed conformance run (test_seed_contract.py loads them via SCHEMATHESIS_HOOKS).

- Generated campaign and customer ids are aimed at the fixture (fixtures/test.yml) most of the time, so
  the rules run and not only the unknown-campaign answers.
- A check: a 400 answer to a request that is valid by the seed (and has the body its operation
  describes) carries one of the messages the seed or api-notes.md documents for that operation.
  (positive_data_acceptance is told to accept 400: the API refuses valid requests on business rules,
  such as adding to a campaign not started yet.)
- Two kinds of failure are dropped, where the seed itself documents the answer:
  - "schema-violating request accepted" for an add answered 207 in which every item that breaks the
    item schema got http-status 400: the API refuses items one by one (the seed's 207 example answers
    an invalid id with `{"customer-id": null, "http-status": 400, "message": "Invalid customer-id"}`);
  - "created resource not found" after an add, when the simulator's own view (its admin API) has no
    such record: the stateful phase takes the customer-id of a 207's item whatever its http-status,
    also of an item the API refused (not in the CRM, a schedule in the past, or customer-id null), so
    nothing was created and the DELETE's 404 is right. A record that exists and is not found fails.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import jsonschema
import requests
import schemathesis
from schemathesis.core import NOT_SET

FIXTURE_CAMPAIGNS = list(range(1, 11))
FIXTURE_CUSTOMERS = [1000001, 1000002, 1000003, 1000004, 1000005, 1000010, 1000020]
# Documented in api-notes.md, beyond the seed's examples.
NOTES_MESSAGES = {
    'POST /{campaign-id}/customers': {'The campaign cannot be found.'},
    'DELETE /{campaign-id}/customers/{customer-id}': {'The customer is not available for deletion.'},
}


def _seed_messages():
    with open(os.environ['SEED_OPENAPI']) as handle:
        seed = json.load(handle)
    messages = {}
    for path, item in seed['paths'].items():
        for method, operation in item.items():
            examples = operation.get('responses', {}).get('400', {}).get('content', {}).get('application/json', {}).get('examples', {})
            key = '%s %s' % (method.upper(), path)
            messages[key] = set(example['value']['message'] for example in examples.values()) | NOTES_MESSAGES.get(key, set())
    return messages


DOCUMENTED = _seed_messages()
with open(os.environ['SEED_OPENAPI']) as _handle:
    ITEM = jsonschema.Draft4Validator(json.load(_handle)['components']['schemas']['CustomerItem'])


def refused_item_by_item(case, response):
    """An add answered 207 whose every schema-breaking item got http-status 400."""
    if response.status_code != 207 or not isinstance(case.body, list):
        return False
    results = response.json()
    if not isinstance(results, list) or len(results) != len(case.body):
        return False
    return all(ITEM.is_valid(item) or result.get('http-status') == 400 for item, result in zip(case.body, results))


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    cid = path_parameters.get('campaign-id')
    if isinstance(cid, int) and abs(cid) % 11:
        path_parameters['campaign-id'] = FIXTURE_CAMPAIGNS[abs(cid) % 11 - 1]
    customer = path_parameters.get('customer-id')
    if isinstance(customer, str) and customer.isascii() and customer.isdigit() and int(customer) % 8:
        path_parameters['customer-id'] = str(FIXTURE_CUSTOMERS[int(customer) % 8 - 1])
    return path_parameters


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure but the two the seed's own 207 example explains (see the module's doc)."""
    if failure.code == 'ST302':
        return record_exists(case.path_parameters)
    return not (failure.code == 'ST201' and refused_item_by_item(case, response))


def record_exists(path_parameters):
    url = '%s/_sim/campaigns/%s/records/%s' % (os.environ['SIM_URL'], path_parameters.get('campaign-id'), path_parameters.get('customer-id'))
    return requests.get(url, timeout=10).status_code != 404


@schemathesis.check
def documented_400_message(ctx, response, case):
    """A valid request refused with 400 names a documented reason."""
    meta = case.meta
    if response.status_code != 400 or meta is None or meta.generation.mode.is_negative:
        return None
    if case.operation.body and case.body is NOT_SET:
        return None  # no body at all: not a request any client sends
    key = '%s %s' % (case.method.upper(), case.path)
    message = (response.json() or {}).get('message')
    if message not in DOCUMENTED.get(key, set()):
        raise AssertionError('%s answered 400 %r, which neither the seed nor api-notes.md documents (%s)' % (key, message, sorted(DOCUMENTED.get(key, ()))))
    return None

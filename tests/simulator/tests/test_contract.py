# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Schemathesis: the running simulator conforms to tests/simulator/openapi.json."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance

from conftest import ACTION, DATA, SIM_DIR

FIXTURE_CAMPAIGNS = list(range(1, 11))
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


# Loaded eagerly: the server's URL is only known at run time, so each call
# passes base_url (schemathesis' lazy fixture loader fails on pytest 9).
schema = schemathesis.openapi.from_path(os.path.join(SIM_DIR, 'openapi.json'))


@pytest.fixture(scope='module', autouse=True)
def fresh_state(sim):
    requests.post(sim.url + '/_sim/reset').raise_for_status()


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_simulator_conforms(case, sim):
    params = case.path_parameters or {}
    if 'campaign-id' in params and isinstance(params['campaign-id'], int):
        # Aim most cases at campaigns that exist so rules run, not only 404s.
        params['campaign-id'] = FIXTURE_CAMPAIGNS[abs(params['campaign-id']) % 11 - 1] if abs(params['campaign-id']) % 11 else params['campaign-id']
    auth = DATA if case.path.startswith('/api/stats/') else ACTION
    case.call_and_validate(base_url=sim.url, auth=auth, checks=CHECKS, timeout=10)

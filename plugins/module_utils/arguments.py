# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared connection options, declared once.

The table generates the argument spec (types, defaults, env fallbacks,
no_log); the doc fragment `eightbyeight.dynamic_campaigns.connection`
documents the same options. Options stay flat so `module_defaults` for the
`api` action group merges them one by one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.validation import check_type_int

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)

# The API types campaign ids as int32; anything else cannot name a campaign.
MAX_CAMPAIGN_ID = 2**31 - 1
# option, the least value it takes, what it means, the most it takes (beyond it a value is a typo
# that would hold a task for days), its unit
BOUNDS = (
    ("timeout", 0.001, "more than 0 seconds", 3600, " seconds"),
    ("max_retries", 0, "0 or more", 100, ""),
    ("retry_max_time", 0, "0 or more seconds", 86400, " seconds"),
)

# name, type, environment variable, default, secret
CONNECTION_OPTIONS = (
    ("tenant", "str", "EIGHTBYEIGHT_TENANT", None, False),
    ("action_token", "str", "EIGHTBYEIGHT_ACTION_TOKEN", None, True),
    ("data_token", "str", "EIGHTBYEIGHT_DATA_TOKEN", None, True),
    ("platform", "str", "EIGHTBYEIGHT_PLATFORM", None, False),
    ("base_url", "str", "EIGHTBYEIGHT_BASE_URL", None, False),
    ("validate_certs", "bool", "EIGHTBYEIGHT_VALIDATE_CERTS", True, False),
    ("ca_path", "path", "EIGHTBYEIGHT_CA_PATH", None, False),
    ("timeout", "float", "EIGHTBYEIGHT_TIMEOUT", 30.0, False),
    ("max_retries", "int", "EIGHTBYEIGHT_MAX_RETRIES", 5, False),
    ("retry_max_time", "float", "EIGHTBYEIGHT_RETRY_MAX_TIME", 120.0, False),
    ("api", "str", "EIGHTBYEIGHT_API", None, False),
    ("api_key", "str", "EIGHTBYEIGHT_API_KEY", None, True),
    ("site", "str", "EIGHTBYEIGHT_SITE", None, False),
)
APIS = ("legacy", "campaigns_v1")
SITES = ("US1", "US2", "UK3")
CAMPAIGN_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

CONNECTION_OPTION_NAMES = tuple(option[0] for option in CONNECTION_OPTIONS)


def connection_argument_spec():
    """Argument spec entries for every shared connection option."""
    spec = {}
    for name, kind, env, default, secret in CONNECTION_OPTIONS:
        entry = {"type": kind, "fallback": (env_fallback, [env])}
        if default is not None:
            entry["default"] = default
        if secret:
            entry["no_log"] = True
        spec[name] = entry
    return spec


def argument_spec(**module_options):
    """The module's own options plus the connection options."""
    spec = connection_argument_spec()
    spec.update(module_options)
    return spec


def connection_params(params):
    """Only the connection options out of a module's params."""
    return dict((name, params.get(name)) for name in CONNECTION_OPTION_NAMES)


def api_of(params):
    """The API the options name: api, else campaigns_v1 when api_key is set, else legacy."""
    api = params.get("api")
    if api is None or not str(api).strip():
        return "campaigns_v1" if params.get("api_key") else "legacy"
    api = str(api).strip().lower()
    if api not in APIS:
        raise ValidationError("api must be legacy or campaigns_v1 (option api or env EIGHTBYEIGHT_API), not '{0}'.".format(params.get("api")))
    return api


def normalize_params(params):
    """Resolve api (and site, campaign_id as that API names them) in params, in place, before check_params.

    campaign_id is declared raw, so a legacy id given as text ("101", as templating gives it) is made a
    number here as the int type did; on campaigns_v1 it is a UUID, kept as lowercase text.
    """
    params["api"] = api_of(params)
    campaign_id = params.get("campaign_id")
    if params["api"] == "campaigns_v1":
        if params.get("site") is not None:
            params["site"] = str(params["site"]).strip().upper()
        if campaign_id is not None and not isinstance(campaign_id, bool):
            params["campaign_id"] = str(campaign_id).strip().lower()
    elif isinstance(campaign_id, str):
        try:
            params["campaign_id"] = check_type_int(campaign_id)
        except TypeError:
            pass  # check_params names it
    return params


def check_v1_params(params):
    """The Campaigns API v1 needs a key and a site, and names campaigns by UUID."""
    if not params.get("api_key"):
        raise ValidationError("api_key is required on api campaigns_v1 (option api_key or env EIGHTBYEIGHT_API_KEY): an Admin Console key.")
    if params.get("site") not in SITES:
        shown = "" if params.get("site") is None else ", not '{0}'".format(params.get("site"))
        raise ValidationError("site is required on api campaigns_v1 (option site or env EIGHTBYEIGHT_SITE): one of {0}{1}.".format(", ".join(SITES), shown))
    campaign_id = params.get("campaign_id")
    if campaign_id is not None and (not isinstance(campaign_id, str) or not CAMPAIGN_UUID.match(campaign_id)):
        raise ValidationError(
            "campaign_id {0} is not a campaign ID of the Campaigns API v1: expected a UUID such as"
            " 3fa85f64-5717-4562-b3fc-2c963f66afa6 (integer ids name legacy campaigns: set api: legacy).".format(campaign_id)
        )


def check_params(params):
    """Refuse values of the shared options that no call could succeed with, before any HTTP call."""
    campaign_id = params.get("campaign_id")
    if "campaign_id" in params and campaign_id is None:
        # `raw` options let null through the argument spec's own check.
        raise ValidationError("campaign_id is required: a whole number from 1 to {0} (or a UUID on the Campaigns API v1), not null.".format(MAX_CAMPAIGN_ID))
    if api_of(params) == "campaigns_v1":
        check_v1_params(params)
    elif campaign_id is not None and (isinstance(campaign_id, bool) or not isinstance(campaign_id, int) or not 1 <= campaign_id <= MAX_CAMPAIGN_ID):
        shown = campaign_id if not isinstance(campaign_id, str) or campaign_id.strip() else repr(campaign_id)
        raise ValidationError("campaign_id {0} is not a campaign ID: expected a whole number from 1 to {1}.".format(shown, MAX_CAMPAIGN_ID))
    for name, least, meaning, most, unit in BOUNDS:
        value = params.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise ValidationError("{0} must be a number{1}, not {2}.".format(name, " of" + unit if unit else "", value))
        if value < least:
            raise ValidationError("{0} must be {1}, not {2}.".format(name, meaning, value))
        if value > most:
            raise ValidationError("{0} must be at most {1}{2}, not {3}.".format(name, most, unit, value))

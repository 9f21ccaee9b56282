# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one main() every module shares.

A module hands over its own options and its run(module, service); this
builds the AnsibleModule with the connection options, the client and the
service, and turns the collection's errors into fail_json.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.arguments import (
    argument_spec,
    check_params,
    normalize_params,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    Client,
    transport_warnings,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    DynamicCampaignsError,
    ValidationError,
)


def backend_for(params, run, service_class, v1):
    """(run, service class) for the API the options name; a module without a v1 backend refuses it."""
    if params["api"] != "campaigns_v1":
        return run, service_class
    if v1 is None:
        raise ValidationError(
            "This module does not work on api campaigns_v1 (set, or implied by api_key): the 8x8 Campaigns API v1"
            " offers only status actions and adding records. Set api: legacy for a legacy campaign."
        )
    return v1


def run_module(run, options, service_class, pool_size=None, v1=None, **module_kwargs):
    """Build the module, run it, exit or fail. `v1` is (run, service class) on the Campaigns API v1."""
    module_kwargs.setdefault("supports_check_mode", True)
    module = AnsibleModule(argument_spec=argument_spec(**options), **module_kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    for warning in transport_warnings(module.params):
        module.warn(warning)
    try:
        check_params(normalize_params(module.params))
        run, service_class = backend_for(module.params, run, service_class, v1)
        size = pool_size(module.params) if pool_size else 10
        service = service_class(Client.from_params(module.params, pool_size=size))
        changed, result, diff = run(module, service)
    except DynamicCampaignsError as exc:
        module.fail_json(msg=exc.message, **exc.result_fields())
    if diff is not None and module._diff:
        result["diff"] = diff
    module.exit_json(changed=changed, **result)

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
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    Client,
    transport_warnings,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    DynamicCampaignsError,
)


def run_module(run, options, service_class, pool_size=None, **module_kwargs):
    """Build the module, run it, exit or fail."""
    module_kwargs.setdefault("supports_check_mode", True)
    module = AnsibleModule(argument_spec=argument_spec(**options), **module_kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    for warning in transport_warnings(module.params):
        module.warn(warning)
    try:
        check_params(module.params)
        size = pool_size(module.params) if pool_size else 10
        service = service_class(Client.from_params(module.params, pool_size=size))
        changed, result, diff = run(module, service)
    except DynamicCampaignsError as exc:
        module.fail_json(msg=exc.message, **exc.result_fields())
    if diff is not None and module._diff:
        result["diff"] = diff
    module.exit_json(changed=changed, **result)

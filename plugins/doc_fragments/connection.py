# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The same options as CONNECTION_OPTIONS in module_utils/arguments.py.
    DOCUMENTATION = r"""
attributes:
  action_group:
    support: full
    description: Connection options can be set once with C(module_defaults) for the group.
    membership:
      - eightbyeight.dynamic_campaigns.api
options:
  tenant:
    description:
      - Name of the 8x8 Contact Center tenant, used as the HTTP Basic auth username on the legacy API and sent as the
        C(X-8x8-Tenant) header on the Campaigns API v1 (the B(Tenant Name) under Home > Profile in Configuration Manager).
      - If not set, the value of the E(EIGHTBYEIGHT_TENANT) environment variable is used.
      - Required, from the option or the environment.
    type: str
  action_token:
    description:
      - The tenant's B(Action Request Token), the password for changes (status changes, adding and deleting customers).
      - If not set, the value of the E(EIGHTBYEIGHT_ACTION_TOKEN) environment variable is used.
      - Never logged and never returned.
    type: str
  data_token:
    description:
      - The tenant's B(Data Request Token), the password for reads of the stats API.
      - With it the change modules read the current state first, which makes them idempotent and gives check mode exact answers.
      - If not set, the value of the E(EIGHTBYEIGHT_DATA_TOKEN) environment variable is used.
      - Never logged and never returned.
    type: str
  platform:
    description:
      - The 8x8 platform (cluster) of the tenant, such as V(na12), V(eu5) or V(ap1); case-insensitive.
      - V(bc2) maps to V(https://odcc2.bell.ca); any other code of two letters and a number maps to C(https://vcc-<code>.8x8.com).
      - If not set, the value of the E(EIGHTBYEIGHT_PLATFORM) environment variable is used.
      - One of O(platform) or O(base_url) is required.
    type: str
  base_url:
    description:
      - Root URL of the API, such as V(http://127.0.0.1:8808) for the simulator. Overrides O(platform).
        On O(api=campaigns_v1) it replaces C(https://api.8x8.com), and the path C(/cc/<site>/campaigns/v1) follows it.
      - Must be an C(http://) or C(https://) URL with a host (an optional numeric port and path, no query); others are
        refused before any HTTP call.
      - The server's root, without the API's own paths. A O(base_url) that carries one (C(/api/tstats/campaigns) or
        C(/api/stats/campaigns), as the 8x8 OpenAPI description's server URLs do, or C(/cc/<site>/campaigns/v1)) is refused
        before any HTTP call, naming the root to set instead. A path before those (a proxy's prefix) is kept.
      - Error messages name the whole URL of the failed call (scheme, host, port, path and query), never the user info of
        O(base_url) nor a credential.
      - A plain C(http://) URL to a host other than the loopback (C(localhost), C(127.0.0.0/8), C(::1)) earns a warning,
        since the tokens then cross the network unencrypted.
      - If not set, the value of the E(EIGHTBYEIGHT_BASE_URL) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only turn this off for testing.
      - A certificate that fails verification fails the task at once, naming the server and the reason; nothing is sent
        and it is not retried.
      - V(false) earns a warning on every task, and has no effect when O(ca_path) is set.
      - If not set, the value of the E(EIGHTBYEIGHT_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a CA bundle (PEM) used to verify the server instead of the system's CAs, for a private CA or an
        intercepting proxy. The certificate is then verified even with O(validate_certs=false).
      - If not set, the value of the E(EIGHTBYEIGHT_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request; more than 0 and at most 3600.
      - Each read of the connection must come within it, and so must the whole answer of a request (status, headers
        and body); a streamed records read gets O(timeout) seconds plus one second per 32 KiB received, so a large read
        is never cut but a server that trickles its answer is (see the connection guide).
      - If not set, the value of the E(EIGHTBYEIGHT_TIMEOUT) environment variable is used.
    type: float
    default: 30.0
  max_retries:
    description:
      - Most attempts for one request that meets a transient failure (connection error, HTTP 429, 502, 503, 504, and 500 for reads); at
        most 100.
      - Waits grow exponentially with jitter and honour C(Retry-After).
      - Changes are never retried after a 500, which the API uses for refusals.
      - If not set, the value of the E(EIGHTBYEIGHT_MAX_RETRIES) environment variable is used.
    type: int
    default: 5
  retry_max_time:
    description:
      - Most seconds spent retrying one request; at most 86400.
      - If not set, the value of the E(EIGHTBYEIGHT_RETRY_MAX_TIME) environment variable is used.
    type: float
    default: 120.0
  api:
    description:
      - Which 8x8 API the campaign lives on. V(legacy) is the Dynamic Campaigns API (integer campaign ids, tokens);
        V(campaigns_v1) is the Contact Center Campaigns API v1 (beta; UUID campaign ids, O(api_key), O(site)). The two
        manage separate campaigns.
      - Defaults to V(campaigns_v1) when O(api_key) is set, else V(legacy).
      - If not set, the value of the E(EIGHTBYEIGHT_API) environment variable is used.
    type: str
  api_key:
    description:
      - The Admin Console API key (it starts with C(eght_)) of an app that carries the B(Contact Center Campaigns) API
        product; sent as the C(X-API-Key) header on O(api=campaigns_v1). Not used on the legacy API.
      - If not set, the value of the E(EIGHTBYEIGHT_API_KEY) environment variable is used.
      - Never logged and never returned.
    type: str
  site:
    description:
      - The Contact Center site of the tenant on O(api=campaigns_v1), one of V(US1), V(US2) or V(UK3); case-insensitive.
        The API root is C(https://api.8x8.com/cc/<site>/campaigns/v1); O(base_url) replaces C(https://api.8x8.com).
      - Required on O(api=campaigns_v1). Not used on the legacy API.
      - If not set, the value of the E(EIGHTBYEIGHT_SITE) environment variable is used.
    type: str
notes:
  - All modules of the collection accept all connection options, so they can be set once with
    C(module_defaults) for the C(group/eightbyeight.dynamic_campaigns.api) action group.
requirements:
  - requests
"""

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Event source plugin: poll 8x8 dynamic campaigns and put an event when one changes.

The polling, the argument checks and the events live in the collection's module_utils
(event_source.py, campaign_events.py), where they are unit-tested; this file is the entry point
ansible-rulebook loads and its documentation.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import os
import sys

DOCUMENTATION = r"""
---
short_description: Poll 8x8 dynamic campaigns and send an event when their status or records change
description:
  - An ansible-rulebook event source plugin that polls the 8x8 Contact Center stats (read) API for a list of
    dynamic campaigns and puts one event per change on the queue. Each event holds one key, C(campaign_event),
    whose value has C(type), C(campaign_id), C(campaign_name) and C(time) (UTC, when the poll read it).
  - C(snapshot) is sent once per campaign on its first successful read, with C(status), C(status_detail),
    C(enabled), C(dynamic), C(records_count) and, when O(records=true), the record counts by status in C(records),
    the still-to-be-dialed records (new + queued + scheduled) in C(dialable) and, with O(records_low_threshold),
    C(records_low) telling whether the campaign is below the threshold already.
  - C(status_changed) carries C(status) and C(previous_status) (lowercase, as the campaign_info module returns
    them), C(status_detail) and C(previous_status_detail).
  - C(records_changed) carries C(records) and C(previous_records) (counts by record status), C(changes) (the
    statuses whose count moved, by how much), C(dialable) and C(previous_dialable).
  - C(records_low) is sent when C(dialable) falls below O(records_low_threshold), with the counts and the
    C(threshold); once, until the campaign is back at or above the threshold.
  - C(unreachable) is sent when O(unreachable_after) reads of a campaign in a row failed, with the C(error), the
    number of C(failures) and C(since) when; C(recovered) is sent on the next successful read, with
    C(down_seconds), before the changes seen since the last good read.
  - A failed read never stops the source. While every read of a poll fails, the time to the next poll grows
    exponentially from O(interval), with random jitter, up to 10 intervals and at most 300 seconds (or
    O(interval) when that is longer).
  - It reads the legacy Dynamic Campaigns API only. The Campaigns API v1 (O(api=campaigns_v1), or O(api_key)
    without O(api)) has no read endpoint and is refused with an error.
  - Takes the same connection options as the collection's modules, with the same environment variables.
    Tokens never appear in events or log lines.
author:
  - eightbyeight.dynamic_campaigns contributors (@eightbyeight)
version_added: 0.1.0
requirements:
  - requests
options:
  campaign_ids:
    description:
      - The campaigns to watch, by campaign ID.
    type: list
    elements: int
    required: true
  interval:
    description:
      - Seconds between two polls; any value from 1. Each poll reads every campaign once.
    type: float
    default: 30
  records_low_threshold:
    description:
      - Send C(records_low) when a campaign's records still to be dialed (new + queued + scheduled) fall below this
        number. Needs O(records=true).
    type: int
  records:
    description:
      - Also read each campaign's records and count them by status, for C(records_changed) and C(records_low).
      - The records read grows with the campaign (about 140 bytes a record, streamed, never held whole);
        turn it off to watch only the status of very large campaigns.
    type: bool
    default: true
  unreachable_after:
    description:
      - Failed reads of a campaign in a row after which C(unreachable) is sent.
    type: int
    default: 3
  tenant:
    description:
      - Name of the 8x8 Contact Center tenant, the HTTP Basic auth username.
      - If not set, the value of the E(EIGHTBYEIGHT_TENANT) environment variable is used. Required.
    type: str
  data_token:
    description:
      - The tenant's Data Request Token, the password for reads. Required.
      - If not set, the value of the E(EIGHTBYEIGHT_DATA_TOKEN) environment variable is used.
      - Never logged and never put in an event.
    type: str
  action_token:
    description:
      - Accepted so that the modules' connection settings can be passed as they are; the source never writes and
        does not use it.
      - If not set, the value of the E(EIGHTBYEIGHT_ACTION_TOKEN) environment variable is used.
    type: str
  platform:
    description:
      - The tenant's 8x8 platform, such as V(na12) or V(eu5); one of O(platform) or O(base_url) is required.
      - If not set, the value of the E(EIGHTBYEIGHT_PLATFORM) environment variable is used.
    type: str
  base_url:
    description:
      - Root URL of the API, such as V(http://127.0.0.1:8808) for the simulator. Overrides O(platform).
      - If not set, the value of the E(EIGHTBYEIGHT_BASE_URL) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Only turn this off for testing.
      - If not set, the value of the E(EIGHTBYEIGHT_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle (PEM) to verify the server with instead of the system's CAs.
      - If not set, the value of the E(EIGHTBYEIGHT_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request; more than 0.
      - If not set, the value of the E(EIGHTBYEIGHT_TIMEOUT) environment variable is used.
    type: float
    default: 30.0
  max_retries:
    description:
      - Most attempts of one read on a transient failure (connection error, 429, 500, 502, 503, 504) within a poll.
      - If not set, the value of the E(EIGHTBYEIGHT_MAX_RETRIES) environment variable is used.
    type: int
    default: 5
  retry_max_time:
    description:
      - Most seconds spent retrying one read within a poll.
      - If not set, the value of the E(EIGHTBYEIGHT_RETRY_MAX_TIME) environment variable is used.
    type: float
    default: 120.0
  api:
    description:
      - Which 8x8 API; only V(legacy) can be polled. V(campaigns_v1) is refused (that API has no read endpoint).
      - If not set, the value of the E(EIGHTBYEIGHT_API) environment variable is used; without either, V(campaigns_v1)
        when O(api_key) is set, else V(legacy).
    type: str
    choices: [legacy, campaigns_v1]
  api_key:
    description:
      - The Campaigns API v1 key. Only named so that it is refused with a reason; never logged.
      - If not set, the value of the E(EIGHTBYEIGHT_API_KEY) environment variable is used.
    type: str
  site:
    description:
      - The Campaigns API v1 site. Not used by the source.
      - If not set, the value of the E(EIGHTBYEIGHT_SITE) environment variable is used.
    type: str
notes:
  - Credentials are best passed as environment variables (an AWX/AAP credential injects them), not in the rulebook.
  - The stats API is eventually consistent with the dialer; an event says what a poll read, when it read it.
"""

EXAMPLES = r"""
# Status changes only, every 30 seconds; tenant, platform and data token from the EIGHTBYEIGHT_* variables.
- eightbyeight.dynamic_campaigns.campaign_events:
    campaign_ids: [4501, 4502]
    records: false

# Status and records, every minute; records_low below 500 records still to be dialed.
- eightbyeight.dynamic_campaigns.campaign_events:
    campaign_ids: [4501, 4502, 4504]
    interval: 60
    records_low_threshold: 500
    tenant: acme
    platform: na12
"""

try:
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.event_source import run_source
except ImportError:
    # ansible-rulebook runs this file by its path, outside Ansible's collection loader: make the
    # ansible_collections/ tree it was installed in importable, then import again.
    _HERE = os.path.abspath(__file__).split(os.sep)
    if len(_HERE) < 8 or _HERE[-8] != "ansible_collections":
        raise
    sys.path.insert(0, os.sep.join(_HERE[:-8]) or os.sep)
    from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.event_source import run_source


async def main(queue, args):
    """Poll the campaigns in args["campaign_ids"] and put a campaign_event per change, until cancelled."""
    await run_source(queue, args)


if __name__ == "__main__":
    # Run by hand: python campaign_events.py 101 102 (connection from the EIGHTBYEIGHT_* variables).

    class PrintQueue:
        """Prints the events instead of queueing them."""

        async def put(self, event):
            print(event)

    asyncio.run(main(PrintQueue(), {"campaign_ids": sys.argv[1:], "interval": 5}))

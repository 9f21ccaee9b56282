# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The campaign every module works on.
    DOCUMENTATION = r"""
options:
  campaign_id:
    description:
      - ID of the campaign.
      - On the legacy API, as listed in CC Configuration Manager under Campaigns, a whole number from 1 to 2147483647
        (the API's 32-bit integer).
      - On O(api=campaigns_v1), the campaign's UUID (such as V(3fa85f64-5717-4562-b3fc-2c963f66afa6)), as shown in the
        address of the campaign in Configuration Manager (New Campaigns); case-insensitive.
      - Other values are refused before any HTTP call.
    type: raw
    required: true
"""

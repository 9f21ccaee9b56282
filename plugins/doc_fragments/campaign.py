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
      - ID of the campaign, as listed in CC Configuration Manager under Campaigns.
      - A whole number from 1 to 2147483647 (the API's 32-bit integer); others are refused before any HTTP call.
    type: int
    required: true
"""

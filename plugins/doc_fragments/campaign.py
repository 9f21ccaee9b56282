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
    type: int
    required: true
"""

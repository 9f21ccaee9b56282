# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local simulator of the 8x8 Dynamic Campaigns API, for tests and benchmarks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

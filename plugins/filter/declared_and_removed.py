# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The customers a declaration names both present and removed, read with the modules' own parser."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: declared_and_removed
short_description: The customers to remove that are also declared present
version_added: 0.1.0
description:
  - Reads the present customers of a declaration (an inline list and a CSV or JSON Lines file) with the parser
    M(eightbyeight.dynamic_campaigns.campaign_customer) uses, and returns the customers of the input list that they
    also declare. The file is streamed on the controller, so a file of 100,000 rows takes well under a second,
    and quoted CSV fields (commas, line breaks, quoted ids) read as the module reads them.
  - Ids compare as numbers, as the module compares them (C(" 007") and C(7) are one customer). A row the module would
    refuse still declares the customer it names.
  - The C(eightbyeight.dynamic_campaigns.campaign_lifecycle) role refuses such a declaration before any write.
positional: _input
options:
  _input:
    description: The customer ids to remove. Ids that cannot be read are left out; the module names them.
    type: list
    elements: raw
    required: true
  customers:
    description: The present customers as the module's O(eightbyeight.dynamic_campaigns.campaign_customer#module:customers) takes them.
    type: list
    elements: raw
    default: []
  customers_file:
    description: Path of a CSV or JSON Lines file on the controller, as the module's customers_file takes it.
    type: path
  customers_file_format:
    description: Format of O(customers_file) when its extension does not tell.
    type: str
    choices: [csv, jsonl]
"""

EXAMPLES = r"""
- name: Refuse customers that are declared present and removed
  ansible.builtin.assert:
    that: both.customers + both.customers_file == []
    fail_msg: "{{ both }}"
  vars:
    both: >-
      {{ [1000003, 1000004] | eightbyeight.dynamic_campaigns.declared_and_removed(
           customers=[1000002, {'customer_id': 1000003}], customers_file='/data/spring.csv') }}
"""

RETURN = r"""
_value:
  description:
    - C(customers), the ids of the input also in O(customers); C(customers_file), those also in O(customers_file);
      each as decimal text, in the order of the input, once.
    - C(file_error), why the file cannot be read (empty, not UTF-8, no customer-id column...), else an empty string;
      the file's list is then empty.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.customer_input import (
    CustomerInput,
    IdRun,
    customer_id_of,
    declared_id,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)


def also_in(wanted, source):
    """The ids of wanted that the source declares, valid rows or not: the customers exclusive keeps.

    Only the parser's pass, no row validation: a row the module would refuse still names its customer
    (declared_id, as InputIndex.declared_invalid keeps it), and blocks of id-only lines are matched in C.
    """
    found = set()
    for part in source.parts():
        if part.__class__ is IdRun:
            found.update(wanted.intersection(part.ids))
        else:
            cid = declared_id(part[1])
            if cid in wanted:
                found.add(cid)
    return found


def in_order(removed, found):
    """The ids of removed that are in found, as text, in removed's order, each once."""
    texts = []
    for cid in removed:
        if cid in found:
            found.discard(cid)
            texts.append(str(cid))
    return texts


def declared_and_removed(removed, customers=None, customers_file=None, customers_file_format=None):
    if not isinstance(removed, (list, tuple)):
        raise AnsibleFilterError("declared_and_removed: expected a list of customer ids, got {0}".format(type(removed).__name__))
    wanted = [cid for cid, _reason in map(customer_id_of, removed) if cid is not None]
    result = {"customers": [], "customers_file": [], "file_error": ""}
    if not wanted:
        return result
    result["customers"] = in_order(wanted, also_in(set(wanted), CustomerInput(customers or [])))
    if customers_file:
        try:
            found = also_in(set(wanted), CustomerInput(path=customers_file, declared_format=customers_file_format or None))
        except ValidationError as exc:
            result["file_error"] = exc.message
        else:
            result["customers_file"] = in_order(wanted, found)
    return result


class FilterModule(object):
    def filters(self):
        return {"declared_and_removed": declared_and_removed}

# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests of the bulk options parser: any value gets a result or a ValidationError naming the
option, never another exception; what is accepted means what it says."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.bulk_plan import (
    BulkOptions,
    parse_max_removals,
    removal_cap,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import ValidationError

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.from_regex(r"\A\s*-?[0-9]{0,25}(\.[0-9]{0,5})?\s*%?\s*\Z"),
)


@settings(max_examples=400, deadline=None)
@given(ANYTHING)
def test_max_removals_is_a_clear_result_or_a_clear_refusal(value):
    try:
        kind, amount = parse_max_removals(value)
    except ValidationError as exc:
        assert "max_removals" in exc.message
        return
    assert kind in ("count", "percent")
    assert math.isfinite(amount) and amount >= 0
    assert kind == "count" or amount <= 100
    if kind == "count":
        assert removal_cap((kind, amount), 10**6) == amount
    else:
        assert 0 <= removal_cap((kind, amount), 10**6) <= 10**6


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**7), st.integers(0, 100), st.sampled_from(["", ".5", ".25"]))
def test_a_percentage_caps_at_that_share_rounded_down(total, percent, fraction):
    text = "{0}{1}".format(percent, fraction) if percent < 100 else "100"
    exact = total * int(text.replace(".", "").ljust(len(text.split(".")[0]) + 2, "0")) // 10000
    assert removal_cap(parse_max_removals(text + "%"), total) == exact


@settings(max_examples=300, deadline=None)
@given(batch=ANYTHING, workers=ANYTHING, rate=ANYTHING)
def test_tuning_options_are_accepted_in_range_or_refused_naming_the_option(batch, workers, rate):
    params = dict(campaign_id=1, state="present", batch_size=batch, workers=workers, max_requests_per_second=rate)
    try:
        options = BulkOptions(params, can_read=True)
    except ValidationError as exc:
        assert exc.message.startswith("Campaign 1: ")
        assert any(name in exc.message for name in ("batch_size", "workers", "max_requests_per_second"))
        return
    assert 1 <= options.batch_size <= 10000 and 1 <= options.workers <= 64
    assert options.max_rate is None or (math.isfinite(options.max_rate) and options.max_rate > 0)

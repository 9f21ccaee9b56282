# -*- coding: utf-8 -*-
# Copyright: (c) 2026, eightbyeight.dynamic_campaigns contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runtime of the campaign_events event source (extensions/eda/plugins/event_source/).

Takes the source's arguments (the modules' connection options with the same environment fallbacks,
plus the polling options), checks them before any HTTP call, and polls the legacy read API: the
blocking reads run in one worker thread, the events are computed by campaign_events.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import logging
import math
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor

try:
    import requests  # noqa: F401  # pylint: disable=unused-import  # the client needs it; say so before polling
except ImportError:
    HAS_REQUESTS = False
else:
    HAS_REQUESTS = True

from ansible.module_utils.common.validation import (
    check_type_bool,
    check_type_float,
    check_type_int,
    check_type_list,
    check_type_path,
    check_type_str,
)

from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.arguments import (
    CONNECTION_OPTIONS,
    MAX_CAMPAIGN_ID,
    check_params,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaign_events import (
    CampaignTracker,
    count_record_statuses,
    observe,
    poll_delay,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaign_records import (
    records_read_path,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.campaigns import (
    CampaignService,
)
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.client import Client, transport_warnings
from ansible_collections.eightbyeight.dynamic_campaigns.plugins.module_utils.errors import (
    ValidationError,
)

LOG = logging.getLogger("eightbyeight.dynamic_campaigns.campaign_events")
SOURCE = "campaign_events"
# The Campaigns API v1 options (its own backend, see the modules): named here so that a source
# pointed at that API is refused with a reason, not with "unknown option".
V1_OPTIONS = (
    ("api", "str", "EIGHTBYEIGHT_API", None, False),
    ("api_key", "str", "EIGHTBYEIGHT_API_KEY", None, True),
    ("site", "str", "EIGHTBYEIGHT_SITE", None, False),
)
# name, type, default
POLL_OPTIONS = (
    ("campaign_ids", "list", None),
    ("interval", "float", 30.0),
    ("records_low_threshold", "int", None),
    ("records", "bool", True),
    ("unreachable_after", "int", 3),
)
CHECKERS = {
    "str": check_type_str,
    "path": check_type_path,
    "bool": check_type_bool,
    "int": check_type_int,
    "float": check_type_float,
    "list": check_type_list,
}


def connection_options():
    """The modules' connection options, plus the v1 ones the table does not carry (yet)."""
    names = set(option[0] for option in CONNECTION_OPTIONS)
    return tuple(CONNECTION_OPTIONS) + tuple(option for option in V1_OPTIONS if option[0] not in names)


def secret_names():
    return tuple(option[0] for option in connection_options() if option[4])


def typed(name, kind, value):
    """value as `kind`, or a ValidationError naming the option (never the value of a secret)."""
    if kind in ("int", "float") and isinstance(value, bool):
        raise ValidationError("{0}: {1}: expected a number, not {2}.".format(SOURCE, name, value))
    if kind in ("str", "path") and isinstance(value, (list, dict)):
        raise ValidationError("{0}: {1} must be of type {2}, not a {3}.".format(SOURCE, name, kind, type(value).__name__))
    try:
        value = CHECKERS[kind](value)
    except (TypeError, ValueError) as exc:
        shown = "" if name in secret_names() else ": {0}".format(exc)
        raise ValidationError("{0}: {1} must be of type {2}{3}.".format(SOURCE, name, kind, shown))
    if kind == "float" and not math.isfinite(value):
        raise ValidationError("{0}: {1} must be a finite number, not {2}.".format(SOURCE, name, value))
    return value


def option_value(args, environ, name, kind, env, default):
    value = args.get(name)
    if value is None and env:
        value = environ.get(env)
    if value is None or (isinstance(value, str) and not value.strip() and kind != "str"):
        return default
    return typed(name, kind, value)


def refuse_unknown(args):
    known = set(option[0] for option in connection_options()) | set(option[0] for option in POLL_OPTIONS)
    # ansible-rulebook adds arguments of its own (eda_feedback_queue).
    unknown = sorted(name for name in args if name not in known and not str(name).startswith("eda_"))
    if unknown:
        raise ValidationError("{0}: unknown option(s) {1}. Known options: {2}.".format(SOURCE, ", ".join(map(str, unknown)), ", ".join(sorted(known))))


def connection_params(args, environ):
    """The connection options as the modules see them: the argument, else the environment, else the default."""
    return dict((name, option_value(args, environ, name, kind, env, default)) for name, kind, env, default, _secret in connection_options())


def refuse_other_apis(params):
    api = (params.get("api") or ("campaigns_v1" if params.get("api_key") else "legacy")).strip().lower()
    if api not in ("legacy", "campaigns_v1"):
        raise ValidationError("{0}: api must be legacy or campaigns_v1, not '{1}'.".format(SOURCE, params.get("api")))
    if api == "campaigns_v1":
        raise ValidationError(
            "{0}: api is campaigns_v1 (set, or implied by api_key or EIGHTBYEIGHT_API_KEY), but the 8x8 Campaigns API v1"
            " has no read endpoint, so there is nothing to poll. campaign_events reads the legacy Dynamic Campaigns API:"
            " set api: legacy with tenant and data_token.".format(SOURCE)
        )
    if not params.get("data_token"):
        raise ValidationError(
            "{0}: data_token is required: the source polls the read API with the Data Request Token (option data_token or env EIGHTBYEIGHT_DATA_TOKEN).".format(
                SOURCE
            )
        )


def campaign_ids(value):
    """The watched campaigns: a non-empty list of campaign IDs, duplicates dropped, order kept."""
    if value is None or value == []:
        raise ValidationError("{0}: campaign_ids is required: a list of campaign IDs, such as [101, 102].".format(SOURCE))
    ids = []
    for item in value:
        try:
            number = typed("campaign_ids", "int", item)
        except ValidationError:
            number = None
        if number is None or not 1 <= number <= MAX_CAMPAIGN_ID:
            raise ValidationError("{0}: campaign_ids: '{1}' is not a campaign ID: expected a whole number from 1 to {2}.".format(SOURCE, item, MAX_CAMPAIGN_ID))
        if number not in ids:
            ids.append(number)
    return ids


def poll_options(args):
    options = dict((name, option_value(args, {}, name, kind, None, default)) for name, kind, default in POLL_OPTIONS)
    options["campaign_ids"] = campaign_ids(options["campaign_ids"])
    least = (("interval", 1, "1 second or more"), ("records_low_threshold", 1, "1 or more"), ("unreachable_after", 1, "1 or more"))
    for name, bound, meaning in least:
        if options[name] is not None and options[name] < bound:
            raise ValidationError("{0}: {1} must be {2}, not {3}.".format(SOURCE, name, meaning, options[name]))
    return options


def parse_args(args, environ=None):
    """(connection params, poll options) from the source's arguments; ValidationError naming the option."""
    if not isinstance(args, dict):
        raise ValidationError("{0}: the source takes a mapping of options, not {1}.".format(SOURCE, type(args).__name__))
    refuse_unknown(args)
    params = connection_params(args, os.environ if environ is None else environ)
    refuse_other_apis(params)
    named(check_params, params)
    return params, poll_options(args)


def named(check, *args, **kwargs):
    """The collection's own checks, their errors prefixed with the source's name."""
    try:
        return check(*args, **kwargs)
    except ValidationError as exc:
        raise ValidationError("{0}: {1}".format(SOURCE, exc.message))


class Redactor:
    """Takes the secrets' values out of any text before it reaches an event or a log line."""

    def __init__(self, params):
        self.secrets = sorted((params[name] for name in secret_names() if params.get(name)), key=len, reverse=True)

    def __call__(self, text):
        text = str(text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def read_observation(client, campaign_id, with_records=True):
    """One poll of one campaign (blocking): the campaign read and, optionally, its records counted."""
    campaign = CampaignService(client).get(campaign_id)
    records = count_record_statuses(client.stream_json_chunks(records_read_path(campaign_id))) if with_records else None
    return observe(campaign, records)


def failure_text(exc):
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text if getattr(exc, "message", None) else "{0}: {1}".format(type(exc).__name__, text)


async def poll_forever(queue, options, read, clock=time.monotonic, now=time.time, sleep=asyncio.sleep, rand=random.random, redact=str):
    """Poll every campaign, put the events, wait, again; ends only when cancelled."""
    trackers = [CampaignTracker(cid, options["records_low_threshold"], options["unreachable_after"]) for cid in options["campaign_ids"]]
    failing_polls = 0
    while True:
        started = clock()
        answered = 0
        for tracker in trackers:
            try:
                seen = await read(tracker.campaign_id)
            except Exception as exc:  # pylint: disable=broad-exception-caught  # never stop on a failed read
                error = redact(failure_text(exc))
                LOG.warning("campaign %s: read failed (%d in a row): %s", tracker.campaign_id, tracker.failures + 1, error)
                events = tracker.failed(error, now())
            else:
                answered += 1
                events = tracker.succeeded(seen, now())
            for event in events:
                await queue.put(event)
        failing_polls = 0 if answered else failing_polls + 1
        await sleep(max(0.0, poll_delay(options["interval"], failing_polls, rand) - (clock() - started)))


def announce(params, options):
    """The start line, and the modules' warnings about how the options expose the tokens on the way."""
    for warning in transport_warnings(params):
        LOG.warning("%s: %s", SOURCE, warning)
    LOG.info("%s: polling campaigns %s every %ss", SOURCE, ", ".join(map(str, options["campaign_ids"])), options["interval"])


async def run_source(queue, args, environ=None):
    """What the source's main() does: check the arguments, then poll until cancelled."""
    params, options = parse_args(args, environ)
    if not HAS_REQUESTS:
        raise ValidationError("{0}: the Python library requests is required where ansible-rulebook runs (pip install requests).".format(SOURCE))
    client = named(Client.from_params, params, pool_size=1)
    redact = Redactor(params)
    # One worker thread: requests is blocking, and the client serves one read at a time.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=SOURCE)
    loop = asyncio.get_running_loop()

    def read(campaign_id):
        return loop.run_in_executor(executor, read_observation, client, campaign_id, options["records"])

    announce(params, options)
    try:
        await poll_forever(queue, options, read, redact=redact)
    finally:
        # A read in flight is bounded by the client's timeout; do not hold the shutdown for it.
        executor.shutdown(wait=False, cancel_futures=True)

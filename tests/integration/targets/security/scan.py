# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scan files for credentials: the tokens, their HTTP Basic auth values, any Basic auth header,
and values Ansible masked as no_log (********): a module that tried to output a secret.

    scan.py TENANT DIR...   (the tokens come from the SCAN_TOKENS environment variable, space-separated)

Prints what it scanned (files, bytes). Exit 1 on any hit, naming file:line and what was found,
with the secret masked; exit 0 on none.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import os
import re
import sys

BASIC = re.compile(rb"Basic\s+([A-Za-z0-9+/]{6,}={0,2})")
NO_LOG_MASK = b"********"
MAX_SHOWN = 50
# Ansible's banners end in a row of stars.
BANNER = re.compile(rb"^(PLAYBOOK|PLAY|PLAY RECAP|TASK|RUNNING HANDLER)\b.*\*+\s*$")


def mask(secret):
    return secret[:2] + "***"


def needles(tenant, tokens):
    """{bytes to look for: what it is}, the secret masked."""
    found = {}
    for token in tokens:
        found[token.encode()] = "token {0}".format(mask(token))
        basic = base64.b64encode("{0}:{1}".format(tenant, token).encode()).rstrip(b"=")
        found[basic] = "Basic auth value of {0}:{1}".format(tenant, mask(token))
    return found


def basic_credentials(line):
    """Basic auth values in a line that decode to user:password."""
    for match in BASIC.finditer(line):
        value = match.group(1)
        try:
            text = base64.b64decode(value + b"=" * (-len(value) % 4), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        if ":" in text and text.isprintable():
            yield "an Authorization header value (Basic {0}...)".format(value[:2].decode())


def scan_file(path, wanted):
    hits = []
    with open(path, "rb") as stream:
        for number, line in enumerate(stream, 1):
            what = [name for needle, name in wanted.items() if needle in line]
            what.extend(basic_credentials(line))
            if NO_LOG_MASK in line and not BANNER.match(line):
                what.append("a value Ansible masked as no_log (a module tried to output a secret)")
            hits.extend((number, name) for name in what)
    return hits


def files_under(roots):
    for root in roots:
        if os.path.isfile(root):
            yield root
        for directory, _dirs, names in os.walk(root):
            for name in sorted(names):
                yield os.path.join(directory, name)


def main(argv):
    tenant, roots = argv[1], argv[2:]
    tokens = os.environ.get("SCAN_TOKENS", "").split()
    if not tokens or not roots:
        sys.exit("usage: SCAN_TOKENS='token ...' scan.py TENANT DIR...")
    wanted = needles(tenant, tokens)
    count = size = 0
    leaks = []
    for path in files_under(roots):
        count += 1
        size += os.path.getsize(path)
        leaks.extend("{0}:{1}: {2}".format(path, number, name) for number, name in scan_file(path, wanted))
    what = "{0} secret(s), any Basic auth header and no_log masks".format(len(wanted))
    print("scan: {0} file(s), {1} bytes, for {2}, under {3}".format(count, size, what, " ".join(roots)))
    if count == 0 or size == 0:
        print("scan: nothing to scan", file=sys.stderr)
        return 2
    for leak in leaks[:MAX_SHOWN]:
        print("LEAK " + leak, file=sys.stderr)
    if len(leaks) > MAX_SHOWN:
        print("LEAK ... and {0} more".format(len(leaks) - MAX_SHOWN), file=sys.stderr)
    print("scan: {0} hit(s)".format(len(leaks)))
    return 1 if leaks else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the 8x8 Dynamic Campaigns API simulator.

python tests/simulator/run.py --host 127.0.0.1 --port 8808 --fixture tests/simulator/fixtures/demo.yml
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import asyncio
import os
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from aiohttp import web  # noqa: E402

from dcsim.app import Server, load_fixture, make_app  # noqa: E402
from dcsim.faults import DELETE_VARIANTS, RATE_LIMIT_HEADERS, STATUS_METHODS, Faults  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='8x8 Dynamic Campaigns API simulator')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8808, help='0 picks a free port')
    parser.add_argument('--fixture', required=True, help='YAML fixture file')
    parser.add_argument('--tls-port', type=int, default=None, help='also serve HTTPS (same state) on this port; 0 picks a free port')
    parser.add_argument(
        '--tls-dir', default=None, help='where the HTTPS listener writes ca.pem, server.pem and server-key.pem (default: a new temporary directory)'
    )
    parser.add_argument('--latency-ms', type=float, default=0)
    parser.add_argument('--error-rate', type=float, default=0.0)
    parser.add_argument('--rate-limit', type=float, default=0, help='requests/s per tenant')
    parser.add_argument('--rate-limit-headers', choices=RATE_LIMIT_HEADERS, default='off', help='rate-limit headers on every answer to a limited tenant')
    parser.add_argument('--reset-rate', type=float, default=0.0)
    parser.add_argument('--lost-response-rate', type=float, default=0.0)
    parser.add_argument('--timeout-rate', type=float, default=0.0)
    parser.add_argument('--max-batch', type=int, default=0, help='0 means no limit')
    parser.add_argument('--status-method', choices=STATUS_METHODS, default='both')
    parser.add_argument('--delete-variant', choices=DELETE_VARIANTS, default='spec')
    parser.add_argument('--seed', type=int, default=None)
    return parser.parse_args(argv)


def build_faults(args):
    names = (
        'latency_ms',
        'error_rate',
        'rate_limit',
        'rate_limit_headers',
        'reset_rate',
        'lost_response_rate',
        'timeout_rate',
        'max_batch',
        'status_method',
        'delete_variant',
        'seed',
    )
    return Faults(**dict((name, getattr(args, name)) for name in names))


async def serve_tls(args, runner):
    """The HTTPS listener: same app and state, a certificate signed by a throwaway CA."""
    from dcsim.tls import make_certificates, server_context

    directory = args.tls_dir or tempfile.mkdtemp(prefix='dcsim-tls-')
    ca_path, cert_path, key_path = make_certificates(directory, args.host)
    site = web.TCPSite(runner, args.host, args.tls_port, ssl_context=server_context(cert_path, key_path))
    await site.start()
    port = runner.addresses[-1][1]
    print('dcsim: listening on https://%s:%d (CA certificate %s)' % (args.host, port, ca_path), flush=True)


async def serve(args, server):
    # A short grace period: SIGTERM must not hang on a slow (latency-injected) request.
    runner = web.AppRunner(make_app(server), access_log=None, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, args.host, args.port)
    await site.start()
    port = runner.addresses[0][1] if args.port == 0 else args.port
    if args.tls_port is not None:
        await serve_tls(args, runner)
    # Flushed explicitly: callers wait for this line even when stdout is a file (and it comes last).
    print('dcsim: listening on http://%s:%d' % (args.host, port), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def main(argv=None):
    args = parse_args(argv)
    try:
        faults = build_faults(args)
        server = Server(load_fixture(args.fixture), args.fixture, faults)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print('dcsim: cannot start: %s' % exc, file=sys.stderr)
        return 2
    try:
        import uvloop  # optional: faster when installed

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(serve(args, server))
    print('dcsim: stopped', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""The demo's backend service: a tiny HTTP server in Python (the mesh does not care
what language a service is written in).

It answers every GET with JSON naming itself, its version, and the caller identity
the inbound proxy vouched for (the x-raftmesh-peer-identity header, set by the
proxy after mutual TLS). GET /healthz answers 200 for health checks.

Usage: backend.py --port 18081 --version v1 [--fail-every 0] [--fail-percent 0]
"""
import argparse
import itertools
import json
import random
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--version", default="v1")
    p.add_argument("--name", default="backend")
    p.add_argument("--fail-percent", type=float, default=0.0,
                   help="answer 503 to this share of requests, at random")
    p.add_argument("--fail-every", type=int, default=0,
                   help="answer 503 to every Nth request (to show retries: never twice in a row)")
    args = p.parse_args()
    counter = itertools.count(1)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's naming)
            if self.path == "/healthz":
                self._send(200, {"status": "ok"})
                return
            n = next(counter)
            if (args.fail_every and n % args.fail_every == 0) or (
                    args.fail_percent and random.random() * 100 < args.fail_percent):
                self._send(503, {"error": "injected failure", "service": args.name})
                return
            self._send(200, {
                "service": args.name,
                "version": args.version,
                "path": self.path,
                "caller": self.headers.get("x-raftmesh-peer-identity", ""),
                "traceparent": self.headers.get("traceparent", ""),
            })

        def _send(self, status, body):
            data = (json.dumps(body) + "\n").encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *a):
            sys.stderr.write("backend %s: %s\n" % (args.version, fmt % a))

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    sys.stderr.write("backend %s listening on %s:%d\n" % (args.version, args.host, args.port))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

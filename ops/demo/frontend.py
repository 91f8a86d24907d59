#!/usr/bin/env python3
"""The demo's frontend service: answers GET / by calling the backend through the
local mesh proxy's outbound HTTP listener (http://127.0.0.1:<port>, Host: backend),
and reports what came back. POST is passed on as a POST, which the demo's
AuthorizationPolicy refuses (403), to show authorization at the backend's proxy.

Usage: frontend.py --port 18080 --mesh-proxy 127.0.0.1:15001 [--backend-host backend.demo]
"""
import argparse
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--mesh-proxy", required=True, help="host:port of the outbound listener")
    p.add_argument("--backend-host", default="backend.demo",
                   help="Host header that names the backend service to the mesh")
    args = p.parse_args()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            if self.path == "/healthz":
                self._send(200, {"status": "ok"})
                return
            self._call("GET", None)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("content-length") or 0)
            self._call("POST", self.rfile.read(length) if length else b"")

        def _call(self, method, body):
            req = urllib.request.Request("http://%s%s" % (args.mesh_proxy, self.path),
                                         data=body, method=method,
                                         headers={"Host": args.backend_host})
            try:
                with urllib.request.urlopen(req, timeout=5) as resp:
                    backend = json.loads(resp.read().decode() or "{}")
                    self._send(200, {"service": "frontend", "backend": backend})
            except urllib.error.HTTPError as e:
                self._send(502, {"service": "frontend", "backend_status": e.code})
            except OSError as e:
                self._send(502, {"service": "frontend", "error": str(e)})

        def _send(self, status, body):
            data = (json.dumps(body) + "\n").encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *a):
            sys.stderr.write("frontend: %s\n" % (fmt % a))

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    sys.stderr.write("frontend listening on %s:%d\n" % (args.host, args.port))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

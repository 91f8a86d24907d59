#!/usr/bin/env python3
"""The demo's client: sends GET requests to the frontend and reports what the backend saw.

Each line names the backend version that answered and the caller identity the backend's
inbound proxy vouched for (the SPIFFE ID from the frontend's mutual-TLS certificate). The
last line is a summary; the exit status is 0 only when every request succeeded.

Usage: client.py --url http://127.0.0.1:18080/ [--count 20] [--quiet]
       client.py --plaintext 127.0.0.1:15443   (expects the mesh to refuse plaintext)
       client.py --url ... --post              (expects the backend's policy to refuse POST)
"""
import argparse
import collections
import http.client
import json
import sys
import time
import urllib.error
import urllib.request


def run_requests(url: str, count: int, quiet: bool, interval: float) -> int:
    ok = 0
    versions = collections.Counter()
    callers = collections.Counter()
    for i in range(count):
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                body = json.loads(resp.read().decode() or "{}")
            backend = body.get("backend", {})
            version = backend.get("version", "?")
            caller = backend.get("caller", "")
            if backend.get("service") == "backend" and caller:
                ok += 1
                versions[version] += 1
                callers[caller] += 1
            if not quiet:
                print("  request %2d: 200 from backend %s, caller %s" % (i + 1, version, caller or "(none)"))
        except urllib.error.HTTPError as e:
            if not quiet:
                print("  request %2d: %d %s" % (i + 1, e.code, e.read().decode(errors="replace").strip()))
        except OSError as e:
            if not quiet:
                print("  request %2d: failed: %s" % (i + 1, e))
        if interval:
            time.sleep(interval)
    split = " ".join("%s=%d" % kv for kv in sorted(versions.items()))
    print("summary: %d/%d succeeded; backend versions: %s; callers seen by the backend: %s"
          % (ok, count, split or "-", ", ".join(sorted(callers)) or "-"))
    return 0 if ok == count else 1


def post_denied(url: str) -> int:
    req = urllib.request.Request(url, data=b"{}", method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            print("POST answered with HTTP %d (the AuthorizationPolicy should refuse it)" % resp.status)
            return 1
    except urllib.error.HTTPError as e:
        body = json.loads(e.read().decode() or "{}")
        status = body.get("backend_status")
        print("POST through the mesh: the backend's proxy answered %s (AuthorizationPolicy: GET only)" % status)
        return 0 if status == 403 else 1


def plaintext(address: str) -> int:
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("GET", "/", headers={"Host": "backend.demo"})
        resp = conn.getresponse()
        print("plaintext request answered with HTTP %d (the mesh should refuse it)" % resp.status)
        return 1
    except (OSError, http.client.HTTPException) as e:
        print("plaintext request refused: %s" % (type(e).__name__,))
        return 0
    finally:
        conn.close()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url")
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--interval", type=float, default=0.0, help="seconds between requests")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p.add_argument("--plaintext", metavar="HOST:PORT")
    p.add_argument("--post", action="store_true", help="send one POST, expect a 403 from the mesh")
    args = p.parse_args()
    if args.plaintext:
        return plaintext(args.plaintext)
    if not args.url:
        p.error("--url or --plaintext is required")
    if args.post:
        return post_denied(args.url)
    return run_requests(args.url, args.count, args.quiet, args.interval)


if __name__ == "__main__":
    sys.exit(main())

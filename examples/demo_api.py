"""The demo's HTTP API step: start ``wenming serve`` on a free port on 127.0.0.1, add
users, sign in, submit and read orders over HTTP (one refused, with the rule), stop it.

Called by ``examples/demo.py`` after the workflow step; uses only the standard library
on the client side, so the demo needs nothing beyond wenming itself.
"""

from __future__ import annotations

import json
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PASSWORD = "demo password 2023"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(base: str, method: str, path: str, body=None, token=None, headers=None):
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status, head, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, head, payload = exc.code, exc.headers, exc.read()
    shown = f"{method} {path}"
    print(f"  {shown:<44} → {status}", flush=True)
    return status, head, json.loads(payload)


def api_demo(deployment: Path, cwd: Path) -> None:
    """Serve the demo deployment over HTTP for a moment and call a few endpoints."""
    print("\n# The HTTP API: accounts, sign-in, role-scoped reads and writes")
    shown = deployment.relative_to(cwd) if deployment.is_relative_to(cwd) else deployment
    prefix = [sys.executable, "-m", "wenming", "-d", str(deployment)]
    users = [
        ("huqiu", "--role", "station_operator", "--area", "320505001"),
        ("corps-lead", "--role", "team_leader", "--team", "water.corps"),
    ]
    for name, *scope in users:
        args = ["users", "add", name, *scope, "--password-stdin"]
        print(f"\n$ wenming -d {shown} {shlex.join(args)}", flush=True)
        subprocess.run([*prefix, *args], input=PASSWORD + "\n", text=True, check=False, cwd=cwd)
    port = _free_port()
    print(f"\n$ wenming -d {shown} serve --host 127.0.0.1 --port {port}", flush=True)
    server = subprocess.Popen(
        [*prefix, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=cwd,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("demo step failed: wenming serve did not start") from None
                time.sleep(0.3)
        _, _, signed = _call(
            base, "POST", "/auth/token", {"username": "huqiu", "password": PASSWORD}
        )
        station = signed["access_token"]
        order = {
            "place": "320505001002",
            "site": "320505001002",
            "start": "2023-07-10",
            "category": "science",
            "headcount": 30,
            "tags": ["water_saving"],
            "description": "暑期节水科普",
        }
        key = {"Idempotency-Key": "demo-api-1"}
        _, head, made = _call(base, "POST", "/orders", order, station, key)
        print(f"    order {made['id']} {made['state']}, ETag {head['ETag']}")
        _, _, again = _call(base, "POST", "/orders", order, station, key)
        print(f"    the same Idempotency-Key returns order {again['id']} again")
        _, _, page = _call(base, "GET", "/orders?limit=5", token=station)
        print(f"    huqiu sees {len(page['items'])} order(s) of its area on this page")
        _, _, lead = _call(
            base, "POST", "/auth/token", {"username": "corps-lead", "password": PASSWORD}
        )
        _, _, refused = _call(
            base, "POST", f"/orders/{made['id']}/cancel", {"reason": "x"}, lead["access_token"]
        )
        print(f"    {refused['detail']}")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        print("  (server stopped)")

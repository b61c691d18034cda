"""The demo's web console step: add one user per role, start ``wenming serve`` on a free
port on 127.0.0.1, sign in to the console as a browser would (form, cookie, CSRF token),
print the console's address and the accounts, and stop the server.

Called by ``examples/demo.py``; the client side uses only the standard library. To try
the console by hand afterwards, run the printed ``serve`` command and open the address.
"""

from __future__ import annotations

import http.cookiejar
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PASSWORD = "demo password 2023"
ACCOUNTS = [
    ("zhan-station", "station_operator", ("--area", "320505001"), "站所管理员 · 点单、评单"),
    ("city-desk", "city_dispatcher", (), "市指导中心调度员 · 派单、批量派单"),
    ("water-corps-lead", "team_leader", ("--team", "water.corps"), "志愿服务队队长 · 接单、完成"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sign_in(base: str, username: str) -> str:
    """Sign in through the console's form; return the page the browser lands on."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(base + "/console/login", timeout=60) as response:
        csrf = re.search(r'name="csrf" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrf": csrf})
    with opener.open(base + "/console/login", data=form.encode(), timeout=60) as response:
        title = re.search(r"<h1>(.*?)</h1>", response.read().decode("utf-8"), re.S)
        return f"{urllib.parse.urlparse(response.url).path} ({title.group(1) if title else ''})"


def console_demo(deployment: Path, cwd: Path) -> None:
    """Serve the demo deployment's console for a moment and sign in as each role."""
    print("\n# The web console: one account per role, signed in through the console's form")
    shown = deployment.relative_to(cwd) if deployment.is_relative_to(cwd) else deployment
    prefix = [sys.executable, "-m", "wenming", "-d", str(deployment)]
    for name, role, scope, _ in ACCOUNTS:
        args = ["users", "add", name, "--role", role, *scope, "--password-stdin"]
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
        print(f"\n  The console: {base}/console/  (中文; add ?lang=en for English)")
        print(f"  Accounts (password: {PASSWORD!r}):")
        for name, _role, _scope, does in ACCOUNTS:
            print(f"    {name:<18} {does:<28} → {_sign_in(base, name)}")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        print("  (server stopped; run the serve command above to open the console yourself)")

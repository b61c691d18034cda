"""``wenming serve`` as a real process on 127.0.0.1: start it on a free port, sign in,
submit and read an order over HTTP, and stop it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PASSWORD = "a long enough password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(method: str, url: str, body=None, token: str | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def _wenming(cwd: Path, *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "wenming", *args],
        cwd=cwd,
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def server(tmp_path):
    _wenming(tmp_path, "init", ".", "--name", "Suzhou")
    config = tmp_path / "wenming.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("only = []", 'only = ["water"]'),
        encoding="utf-8",
    )
    _wenming(
        tmp_path,
        "users",
        "add",
        "huqiu",
        "--role",
        "station_operator",
        "--area",
        "320505001",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENMING_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "wenming", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _call("GET", f"{base}/health")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"wenming serve did not start: {process.stdout.read()}")
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def test_a_real_server_signs_in_and_serves_orders(server):
    base, process = server
    status, _, body = _call("POST", f"{base}/auth/token", {"username": "huqiu", "password": "x"})
    assert status == 401 and body["detail"] == "wrong username or password"
    status, _, body = _call(
        "POST", f"{base}/auth/token", {"username": "huqiu", "password": PASSWORD}
    )
    assert status == 200, body
    token = body["access_token"]
    order = {
        "place": "320505001002",
        "site": "320505001002",
        "start": "2023-07-10",
        "category": "science",
        "headcount": 30,
    }
    status, headers, body = _call("POST", f"{base}/orders", order, token)
    assert status == 201, body
    assert headers["location"] == f"/orders/{body['id']}" and headers["etag"] == '"1"'
    status, _, shown = _call("GET", f"{base}/orders/{body['id']}", token=token)
    assert status == 200 and shown["requester"] == "huqiu"
    status, _, schema = _call("GET", f"{base}/openapi.json")
    assert status == 200 and "/orders" in schema["paths"]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    log = process.stdout.read()
    assert PASSWORD not in log and token not in log


def test_each_worker_builds_the_app_of_the_named_deployment(tmp_path, monkeypatch):
    from wenming.api.app import app_from_environment

    _wenming(tmp_path, "init", ".", "--name", "Workers")
    monkeypatch.setenv("WENMING_DEPLOYMENT", str(tmp_path / "wenming.toml"))
    app = app_from_environment()
    assert app.title == "wenming — Workers"
    assert app.state.wenming.deployment.path == tmp_path / "wenming.toml"
    app.state.wenming.deployment.close()

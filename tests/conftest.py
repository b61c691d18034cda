"""Shared fixtures for core tests: throw-away installed plugins."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import pytest


class FakeDists:
    """Writes real distributions (a module and its ``.dist-info``) into a folder on
    ``sys.path``, so entry-point discovery finds them exactly as it finds installed ones."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: list[str] = []

    def add(
        self,
        dist: str,
        name: str,
        source: str,
        *,
        version: str = "1.2.3",
        module: str | None = None,
    ) -> str:
        module = module or f"fake_{name}_{dist.replace('-', '_')}"
        (self.root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = self.root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(f"[wenming]\n{name} = {module}\n", encoding="utf-8")
        self.modules.append(module)
        importlib.invalidate_caches()
        return module


@pytest.fixture
def fake_dists(tmp_path, monkeypatch):
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    dists = FakeDists(root)
    yield dists
    for module in dists.modules:
        sys.modules.pop(module, None)
    importlib.invalidate_caches()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():
    """Debian's headless chromium driven by Playwright, for the offline pages' tests.

    Skipped when chromium or Playwright is missing, unless ``WENMING_REQUIRE_BROWSER=1``
    (CI) turns the skip into a failure; ``scripts/install-browser`` installs it.
    """
    import os

    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed"
    if missing is None and not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (run scripts/install-browser)"
    if missing:
        if os.environ.get("WENMING_REQUIRE_BROWSER") == "1":
            pytest.fail(f"WENMING_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()

"""The offline map (一图导览) at the seed's scale: file size, writing it, loading it.

``python benchmarks/bench_map.py [--repeat 7] [--html FILE …]`` prints a markdown table.

By default it builds Suzhou at the seed's scale in a temporary SQLite database — the
loaded network with every installed department (``wenming network load``) and the
synthetic practice points, pairings, venues, projects and teams (``wenming network
synthesize``) — writes the map with ``write_map`` (median of ``--repeat`` writes: reading
the network and the resources, pinyin for every name, JSON, inlining) and opens it in
headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) at a desktop
(1280 × 800) and a phone size (390 × 844, touch), a new browser context per run, median
of ``--repeat`` loads:

- **interactive**: from the navigation's start to the end of the map's start-up (data
  parsed, panel built, first frame drawn with its labels, every handler attached:
  ``performance.now()`` when ``body[data-ready]`` is set);
- **script**: of that, the map's own script (``wenmingMap.readyMs``);
- **search** and **street frame**: one search for ``suzhou`` over every name, and
  one frame at zoom 13 over 姑苏区 (markers, fan-out, label placement), in the page.

``--html FILE`` measures given map files instead (for example one written by an older
version, as the baseline), with the same browser runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {
    "desktop 1280×800": {"viewport": {"width": 1280, "height": 800}},
    "phone 390×844": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    },
}
FIGURES = ("interactive", "script", "search", "frame", "labels")
PROBE = """() => {
    const t0 = performance.now();
    wenmingMap.search('suzhou');
    const t1 = performance.now();
    wenmingMap.setView(120.62, 31.31, 13);
    const t2 = performance.now();
    return {interactive: window.__interactive, script: wenmingMap.readyMs ?? null,
            search: t1 - t0, frame: t2 - t1,
            labels: wenmingMap.labels ? wenmingMap.labels().length : null};
}"""


def seed_scale_map(folder: Path, repeat: int) -> tuple[Path, float]:
    """Suzhou at the seed's scale, its map written ``repeat`` times: (file, median s)."""
    from wenming import synthetic
    from wenming.deployment import Deployment, DeploymentConfig
    from wenming.network.mapview import write_map
    from wenming.network.service import Network

    dep = Deployment(DeploymentConfig(name="bench", database=f"sqlite:///{folder / 'map.db'}"))
    dep.storage.create()
    net = Network.from_deployment(dep)
    net.load_region()
    synthetic.synthesize(dep.storage, dep.registry)
    path = folder / "map.html"
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        write_map(net, path)
        times.append(time.perf_counter() - start)
    dep.storage.dispose()
    return path, statistics.median(times)


def load_times(path: Path, repeat: int) -> dict[str, dict[str, float]]:
    """Medians per size; empty when there is no browser to load the map in."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("(playwright is not installed: load times not measured)")
        return {}
    if not Path(CHROMIUM).exists():
        print(
            f"({CHROMIUM} is missing, scripts/install-browser installs it: load times not measured)"
        )
        return {}

    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for size, options in SIZES.items():
            runs = []
            for _ in range(repeat + 1):  # the first run warms the browser's caches up
                context = browser.new_context(**options)
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
                page.add_init_script(
                    "new MutationObserver((_, o) => { if (document.body && "
                    "document.body.dataset.ready) { window.__interactive = performance.now();"
                    " o.disconnect(); } }).observe(document, {subtree: true, attributes: true})"
                )
                page.goto(path.as_uri())
                page.wait_for_selector("body[data-ready='1']", timeout=30_000)
                if errors:
                    raise SystemExit(f"{path}: the page failed: {errors[0]}")
                runs.append(page.evaluate(PROBE))
                context.close()
            runs = runs[1:]
            out[size] = {
                key: statistics.median(r[key] for r in runs) if runs[0][key] is not None else None
                for key in FIGURES
            }
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--html", type=Path, nargs="*", help="measure these map files instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = [(p, None) for p in args.html or []]
        if not files:
            files = [seed_scale_map(Path(tmp), args.repeat)]
        print(
            "| file | size (KB) | write (s) | size | interactive (ms) | script (ms) "
            "| search `suzhou` (ms) | street frame (ms) | labels |"
        )
        print("|---|---:|---:|---|---:|---:|---:|---:|---:|")
        for path, write_s in files:
            kb = path.stat().st_size / 1000
            loads = load_times(path, args.repeat) or {"(no browser)": dict.fromkeys(FIGURES)}
            for size, t in loads.items():
                cells = [
                    _fmt(v, d)
                    for v, d in (
                        (write_s, 2),
                        (t["interactive"], 0),
                        (t["script"], 0),
                        (t["search"], 1),
                        (t["frame"], 1),
                        (t["labels"], 0),
                    )
                ]
                print(
                    f"| {path.name} | {kb:,.0f} | {cells[0]} | {size} | "
                    + " | ".join(cells[1:])
                    + " |"
                )


def _fmt(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


if __name__ == "__main__":
    main()

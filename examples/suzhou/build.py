"""Build the seed-scale Suzhou example deployment: init → network load → synthesize.

    python examples/suzhou/build.py [--fresh] [-- SYNTHESIZE OPTIONS]

Each step prints the ``wenming`` command it runs, so the same deployment can be built
by hand. Options after ``--`` go to ``wenming network synthesize`` (``--seed 7``,
``--points 600`` …). A database is synthesized once: ``--fresh`` deletes the SQLite
file next to ``wenming.toml`` first (a PostgreSQL database must be emptied by hand).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEPLOYMENT = HERE / "wenming.toml"


def wenming(*args: str) -> None:
    """Run one ``wenming`` command against this deployment, printing it first."""
    shown = ["wenming", "-d", os.path.relpath(DEPLOYMENT), *args]
    print(f"\n$ {shlex.join(shown)}", flush=True)
    result = subprocess.run([sys.executable, "-m", "wenming", "-d", str(DEPLOYMENT), *args])
    if result.returncode != 0:
        raise SystemExit(f"step failed with exit code {result.returncode}: {shlex.join(shown)}")


def sqlite_file() -> Path | None:
    """The SQLite file the deployment uses, or ``None`` for another database."""
    from wenming.deployment import read_config, resolve_database

    url = resolve_database(read_config(DEPLOYMENT).database, HERE)
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fresh", action="store_true", help="delete the SQLite database first and rebuild"
    )
    parser.add_argument(
        "synthesize", nargs="*", help="options for 'wenming network synthesize' (after --)"
    )
    args = parser.parse_args(argv)
    database = sqlite_file()
    if database is not None and database.exists():
        if not args.fresh:
            raise SystemExit(
                f"{database} exists already: the deployment is built. "
                "Use --fresh to delete it and build again."
            )
        for path in (database, *database.parent.glob(database.name + "-*")):
            path.unlink()
    wenming("init")
    wenming("network", "load")
    wenming("network", "synthesize", *args.synthesize)
    wenming("network", "stats")


if __name__ == "__main__":
    main()

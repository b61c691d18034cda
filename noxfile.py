"""Sessions: tests, lint, docs, demo, bench, eval.

The README's two commands run ``demo`` and ``tests lint docs alone``. Every session builds
its own virtual environment and installs core and every plugin package from this
checkout, so a clean machine with only Python needs nothing else.
"""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "docs", "alone"]

ROOT = Path(__file__).parent
PYTHON = "3.11"


def packages() -> list[str]:
    """Editable installs of core and every distribution under plugins/ and examples/."""
    found = sorted(p.parent for p in ROOT.glob("plugins/*/pyproject.toml"))
    found += sorted(p.parent for p in ROOT.glob("examples/*/pyproject.toml"))
    args = ["-e", f"{ROOT / 'core'}[postgres]"]
    for path in found:
        args += ["-e", str(path)]
    return args


def install(session: nox.Session, *groups: str) -> None:
    extra: list[str] = []
    for group in groups:
        extra += nox.project.dependency_groups(nox.project.load_toml("pyproject.toml"), group)
    session.install(*packages(), *extra)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Run the whole test suite (PostgreSQL tests too when WENMING_TEST_POSTGRES_URL is set)."""
    install(session, "test")
    # Debian's chromium for the map's browser tests (exit 1: not root, tests then skip)
    session.run("bash", "scripts/install-browser", external=True, success_codes=[0, 1])
    session.run("pytest", *session.posargs)


DEPARTMENTS = sorted(p.parent.name for p in ROOT.glob("plugins/*/pyproject.toml"))
#: The ``alone`` parameter that checks ``wenming plugin new`` instead of a shipped plugin.
SCAFFOLD = "scaffold"


@nox.session(python=PYTHON)
@nox.parametrize("plugin", [*DEPARTMENTS, SCAFFOLD])
def alone(session: nox.Session, plugin: str) -> None:
    """Install core and one department plugin, nothing else, and run that plugin's tests.

    ``alone(plugin='scaffold')`` writes a new plugin with ``wenming plugin new`` into a
    temporary folder, installs it next to core and runs the tests it was written with.
    """
    groups = nox.project.dependency_groups(nox.project.load_toml("pyproject.toml"), "test")
    if plugin == SCAFFOLD:
        tmp = Path(session.create_tmp()) / "scaffold"
        session.install("-e", str(ROOT / "core"), *groups)
        session.run("wenming", "plugin", "new", "market", "--dir", str(tmp), "--force")
        session.install("-e", str(tmp / "wenming-market"))
        session.run("python", "-m", "wenming", "plugins")
        session.run("pytest", "-p", "no:cacheprovider", str(tmp / "wenming-market"))
        return
    session.install("-e", str(ROOT / "core"), "-e", str(ROOT / "plugins" / plugin), *groups)
    session.run("python", "-m", "wenming", "plugins")
    session.run("pytest", "-p", "no:cacheprovider", str(ROOT / "plugins" / plugin))


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff lint and format check."""
    install_groups = nox.project.dependency_groups(nox.project.load_toml("pyproject.toml"), "lint")
    session.install(*install_groups)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Regenerate the reference pages from the code, then build the site in strict mode."""
    install(session, "docs")
    session.run("python", "-m", "wenming.docgen", "docs/reference")
    session.run("mkdocs", "build", "--strict", "--site-dir", str(ROOT / "site"))


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Compose a deployment from every installed plugin in .demo/ and show it working."""
    install(session)
    session.run("python", "examples/demo.py", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Run the benchmarks under benchmarks/ and print their figures."""
    install(session, "bench")
    for script in sorted(ROOT.glob("benchmarks/bench_*.py")):
        session.run("python", str(script), *session.posargs)


@nox.session(python=PYTHON, name="eval")
def evaluation(session: nox.Session) -> None:
    """Relevance on the labelled evaluation set; writes docs/evaluation.md."""
    install(session, "bench")
    session.run(
        "python", "benchmarks/eval_relevance.py", "--write", "docs/evaluation.md", *session.posargs
    )

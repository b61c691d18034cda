"""``wenming plugin new``: write a department plugin distribution to start from.

The files come from ``files/`` in this package, with ``{{name}}``-style fields filled
in. What is written installs with ``pip install -e`` and passes its own tests
unchanged (CI checks this): a pyproject with the entry point and build backend, a
src layout, a department, a site type, a template, two resources, a rule, tests that
run :func:`wenming.testing.check_plugin` and rank the plugin's project, and a README.
"""

from __future__ import annotations

import keyword
import re
from importlib.resources import files
from pathlib import Path

from wenming import __version__
from wenming.errors import WenmingError

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

#: Template file → where it goes in the distribution (``{{name}}`` filled in).
LAYOUT: dict[str, str] = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "plugin.py.tmpl": "src/wenming_{{name}}/__init__.py",
    "test_plugin.py.tmpl": "tests/test_{{name}}.py",
}


def check_name(name: str) -> None:
    """A plugin name is a lower-case identifier: it becomes the entry point, the
    namespace of every record and the import package ``wenming_<name>``."""
    if not NAME_RE.match(name) or keyword.iskeyword(name):
        raise WenmingError(
            f"plugin name {name!r}: use a lower-case identifier (letters, digits, "
            "underscore; starting with a letter), e.g. market"
        )
    if name == "core":
        raise WenmingError("plugin name 'core' is taken by wenming's built-ins")


def fill(text: str, fields: dict[str, str]) -> str:
    for key, value in fields.items():
        text = text.replace("{{" + key + "}}", value)
    leftover = re.search(r"\{\{\w+\}\}", text)
    if leftover:  # a template names a field no one fills: a bug in wenming
        raise RuntimeError(f"scaffold field {leftover.group()} was not filled")
    return text


def _quoted(value: str, what: str) -> str:
    if '"' in value or "\\" in value or "\n" in value or not value.strip():
        raise WenmingError(f"{what} {value!r}: give a non-empty name without quotes or backslashes")
    return value.strip()


def new_plugin(
    name: str,
    directory: Path,
    *,
    name_zh: str | None = None,
    name_en: str | None = None,
    place: str = "3205",
    force: bool = False,
) -> list[Path]:
    """Write the distribution ``wenming-<name>`` into ``directory``; return the files.

    Refuses to write over an existing folder unless ``force``.
    """
    check_name(name)
    title = name.replace("_", " ").title()
    major, minor = (int(x) for x in __version__.split(".")[:2])
    fields = {
        "name": name,
        "name_zh": _quoted(name_zh or f"{title}部门", "--name-zh"),
        "name_en": _quoted(name_en or f"{title} department", "--name-en"),
        "place": _quoted(place, "--place"),
        "core_version": f"{major}.{minor}",
        "core_next": f"{major}.{minor + 1}",
    }
    root = directory / f"wenming-{name}"
    if root.exists() and not force:
        raise WenmingError(f"{root} exists already; choose another --dir or pass --force")
    source = files("wenming.scaffold") / "files"
    written: list[Path] = []
    for template, target in LAYOUT.items():
        path = root / fill(target, fields)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            fill(source.joinpath(template).read_text(encoding="utf-8"), fields), "utf-8"
        )
        written.append(path)
    return written

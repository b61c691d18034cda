"""Every hook is typed, documented with a runnable example, and in the reference."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from wenming import docgen

SPECS = docgen.hook_specs()


def test_there_are_hooks():
    names = {name for name, _ in SPECS}
    assert {
        "register_department",
        "register_site_types",
        "register_templates",
        "register_rules",
        "register_resources",
        "register_settings",
        "register_commands",
        "before_transition",
        "after_transition",
    } <= names


@pytest.mark.parametrize(("name", "fn"), SPECS, ids=[n for n, _ in SPECS])
def test_hook_is_documented_and_typed(name, fn):
    doc = inspect.getdoc(fn) or ""
    assert len(doc.splitlines()[0]) > 20, f"{name} needs a summary line"
    assert "Example::" in doc, f"{name} needs an Example:: block"
    sig = inspect.signature(fn)
    for param in sig.parameters.values():
        assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name}) is untyped"
    assert sig.return_annotation is not inspect.Signature.empty


@pytest.mark.parametrize(("name", "fn"), SPECS, ids=[n for n, _ in SPECS])
def test_hook_example_runs(name, fn):
    example = inspect.cleandoc((inspect.getdoc(fn) or "").split("Example::", 1)[1])
    exec(compile(example, f"<example of {name}>", "exec"), {})


def test_reference_page_is_current():
    page = Path(__file__).parents[1] / "docs" / "reference" / "hooks.md"
    assert page.read_text(encoding="utf-8") == docgen.hooks_markdown(), (
        "docs/reference/hooks.md is stale: run python -m wenming.docgen docs/reference"
    )
    for name, _ in SPECS:
        assert f"## `{name}`" in page.read_text(encoding="utf-8")

"""``wenming plugin``: tools for plugin authors (``plugin new`` writes a plugin to start from)."""

from __future__ import annotations

from pathlib import Path

import click

from wenming.cli import echo_json, json_option


@click.group()
def plugin() -> None:
    """Tools for plugin authors: start a department plugin."""


@plugin.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Where to write the folder wenming-NAME.",
)
@click.option(
    "--name-zh", default=None, help="The department's Chinese name (苏州市市场监督管理局)."
)
@click.option("--name-en", default=None, help="The department's English name.")
@click.option(
    "--place",
    default="3205",
    show_default=True,
    help="Division code the example resources serve from (the city: city-wide).",
)
@click.option("--force", is_flag=True, help="Write into an existing folder.")
@json_option
def new(
    name: str,
    directory: Path,
    name_zh: str | None,
    name_en: str | None,
    place: str,
    force: bool,
    as_json: bool,
) -> None:
    """Write a department plugin distribution wenming-NAME that installs and passes its tests.

    NAME (e.g. market) is the entry-point name, the namespace of the plugin's records
    and its department code. The folder holds a pyproject with the entry point, a src
    layout with a department, a site type, a template, resources and a rule, tests
    using check_plugin, and a README saying how to install and test it.
    """
    from wenming.scaffold import new_plugin

    written = new_plugin(
        name, directory, name_zh=name_zh, name_en=name_en, place=place, force=force
    )
    root = directory / f"wenming-{name}"
    if as_json:
        echo_json({"plugin": name, "folder": str(root), "files": [str(p) for p in written]})
        return
    click.echo(f"wrote {root}/")
    for path in written:
        click.echo(f"  {path.relative_to(root)}")
    click.echo("next, in the environment where wenming is installed:")
    click.echo(f"  python -m pip install -e {root}")
    click.echo(f"  python -m pytest {root}")

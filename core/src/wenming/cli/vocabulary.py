"""``wenming vocabulary``: the categories, audiences, tags and rule kinds a demand or a
rule can name, with their Chinese names, synonyms and parameters."""

from __future__ import annotations

import click

from wenming.cli import State, echo_json, json_option


@click.command()
@click.option(
    "--kind",
    type=click.Choice(["categories", "audiences", "tags", "rule_kinds"]),
    default=None,
    help="List only one kind of word.",
)
@json_option
@click.pass_obj
def vocabulary(state: State, kind: str | None, as_json: bool) -> None:
    """List the categories, audiences, tags (with synonyms) and rule kinds (with their
    parameters) of the installed plugins."""
    from wenming.matching.vocabulary import listing

    data = listing(state.deployment().registry)
    if kind is not None:
        data = {kind: data[kind]}
    if as_json:
        echo_json(data)
        return
    for section, rows in data.items():
        click.echo(f"{section.replace('_', ' ')} ({len(rows)}):")
        for row in rows:
            if section == "rule_kinds":
                params = ", ".join(f"{p['name']}={p['default']!r}" for p in row["params"])
                click.echo(f"  {row['id']}  [{row['tier']}; {'/'.join(row['modes'])}]  {params}")
                click.echo(f"      {row['description']}")
            elif section == "tags":
                words = "、".join(row["synonyms"])
                click.echo(f"  {row['id']}  {row['name_zh']}  {row['name_en']}  {words}".rstrip())
            else:
                click.echo(f"  {row['id']}  {row['name_zh']}  {row['name_en']}")

"""``wenming network``: load, query, pair, export and map the practice network.

Thin over :class:`wenming.network.service.Network`; every subcommand takes ``--json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from wenming import synthetic
from wenming.cli import State, echo_json, json_option
from wenming.errors import WenmingError
from wenming.network.names import core_name
from wenming.tables import render

if TYPE_CHECKING:
    from wenming.network.service import Network, SiteView
    from wenming.storage.light import Reader


def _network(state: State) -> Network:
    from wenming.network.service import Network

    deployment = state.deployment(required=True)
    deployment.storage.check()
    return Network.from_deployment(deployment)


def _light_stats(state: State, reader: Reader) -> dict[str, Any]:
    """``Network.stats`` on the light read connection (no SQLAlchemy: start-up)."""
    from wenming.network.regions import deployment_region, region_dataset
    from wenming.network.stats import site_stats

    deployment = state.deployment(required=True)
    region = deployment_region(deployment)
    installed = len(deployment.registry.departments)
    return site_stats(reader.tuples, region_dataset(region), installed, region)


def _label(site: SiteView) -> str:
    extra = []
    if site.department:
        extra.append(site.department)
    if site.approximate:
        extra.append("approximate position")
    if site.functional_zone:
        extra.append("functional zone")
    if site.synthetic:
        extra.append("synthetic")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"{site.code}  {site.name}  [{site.level}, {site.site_type}]{tail}"


@click.group()
def network() -> None:
    """The practice network: the double chessboard of territorial blocks and industry lines."""


@network.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--region",
    default=None,
    help="Region dataset (packaged name or folder); default: the deployment's region.",
)
@json_option
@click.pass_obj
def load(state: State, file: Path | None, region: str | None, as_json: bool) -> None:
    """Load the region's network, or import FILE (CSV / JSON / GeoJSON), all or nothing.

    Without FILE, builds the deployment's region (guidance center, one sub-center per
    installed department, centers, institutes, stations) from package data; sites
    already present are kept, so it is safe to run again.
    """
    net = _network(state)
    if file is not None and region is not None:
        raise WenmingError("give a FILE or --region, not both")
    report = net.import_file(file) if file is not None else net.load_region(region)
    if as_json:
        echo_json(report.as_dict())
        return
    added = ", ".join(f"{n} {level}" for level, n in report.added.items()) or "nothing"
    click.echo(f"{report.source}: added {added}")
    if report.kept:
        click.echo(f"kept {report.kept} sites already present")
    if report.approximate:
        click.echo(f"{report.approximate} added sites have approximate positions")


@network.command()
@click.option(
    "--points", type=click.IntRange(min=0), default=synthetic.SEED_POINTS, show_default=True
)
@click.option(
    "--venues", type=click.IntRange(min=0), default=synthetic.SEED_VENUES, show_default=True
)
@click.option(
    "--projects", type=click.IntRange(min=0), default=synthetic.SEED_PROJECTS, show_default=True
)
@click.option(
    "--teams", type=click.IntRange(min=0), default=synthetic.SEED_TEAMS, show_default=True
)
@click.option(
    "--pairings",
    type=click.IntRange(min=0),
    default=synthetic.DEFAULT_PAIRINGS,
    show_default=True,
    help="Stations paired with each point (its village's, then the nearest).",
)
@click.option(
    "--seed", type=int, default=synthetic.DEFAULT_SEED, show_default=True, help="Random seed."
)
@json_option
@click.pass_obj
def synthesize(
    state: State,
    points: int,
    venues: int,
    projects: int,
    teams: int,
    pairings: int,
    seed: int,
    as_json: bool,
) -> None:
    """Generate seed-scale synthetic practice points, pairings, venues, projects and teams.

    Built deterministically (same seed, same rows) from the loaded network's real towns
    and villages and the departments' site types and templates; every row is marked
    synthetic. Defaults are the seed's figures. Run once, after 'network load'.
    """
    deployment = state.deployment(required=True)
    deployment.storage.check()
    report = synthetic.synthesize(
        deployment.storage,
        deployment.registry,
        points=points,
        venues=venues,
        projects=projects,
        teams=teams,
        pairings=pairings,
        seed=seed,
    )
    if as_json:
        echo_json(report.as_dict())
        return
    click.echo(
        f"added {report.points} synthetic practice points, {report.pairings} pairings, "
        f"{report.venues} venues, {report.projects} projects, {report.teams} teams "
        f"(seed {report.seed})"
    )
    rows = [
        (dept, n.get("points", 0), n.get("venues", 0), n.get("projects", 0), n.get("teams", 0))
        for dept, n in report.departments.items()
    ]
    for line in render(("department", "points", "venues", "projects", "teams"), rows):
        click.echo(line)


@network.command()
@json_option
@click.pass_obj
def stats(state: State, as_json: bool) -> None:
    """Counts by level, compared with the region's published figures, with the reasons."""
    data = state.read(lambda reader: _light_stats(state, reader), lambda: _network(state).stats())
    if as_json:
        echo_json(data)
        return
    code = f" ({data['region']['code']})" if data["region"]["code"] else ""
    click.echo(f"{data['region']['name']}{code}: {data['total']} sites")
    if data["edition"]:
        click.echo(f"division data: {data['edition']}")
    if data["reference"]["source"]:
        click.echo(f"published: {data['reference']['source']}")
    click.echo("")
    published = {r["level"]: r for r in data["reference"]["rows"]}
    rows = []
    for level, n in data["levels"].items():
        row = published.get(level)
        rows.append(
            (level, n, row["reference"] if row else None, f"{row['difference']:+d}" if row else "")
        )
    for line in render(("level", "loaded", "published", "diff"), rows, align="<>>>"):
        click.echo(line)
    zones = data["functional_zones"]
    if zones:
        click.echo(
            "functional zones: " + ", ".join(f"{n} {level}s" for level, n in sorted(zones.items()))
        )
    click.echo(f"approximate positions: {data['approximate']}; pairings: {data['pairings']}")
    if data["synthetic"]:
        made = ", ".join(f"{n} {level}s" for level, n in sorted(data["synthetic"].items()))
        click.echo(f"synthetic (generated, not real): {made}")
    click.echo("")
    for line in data["explanation"]:
        click.echo(f"- {line}")


@network.command()
@click.argument("code")
@json_option
@click.pass_obj
def show(state: State, code: str, as_json: bool) -> None:
    """A site with its ancestors and children on both axes, pairings and navigation links.

    CODE is a site code, or a name that fits one site only (see 'network find').
    """
    detail = _network(state).site(code)
    if as_json:
        echo_json(detail.as_dict())
        return
    s = detail.site
    click.echo(_label(s))
    if s.lng is not None:
        click.echo(f"  position (WGS-84): {s.lng:.6f}, {s.lat:.6f}")
    sections = (
        ("territorial parents", detail.ancestors),
        ("industry line", detail.line),
        ("children", detail.children),
        ("industry sites in its line", detail.line_children),
        ("industry sites located here", detail.located_here),
        ("paired with", detail.pairings),
    )
    for title, items in sections:
        if not items:
            continue
        click.echo(f"  {title} ({len(items)}):")
        for item in items[:20]:
            click.echo(f"    {_label(item)}")
        if len(items) > 20:
            click.echo(f"    … and {len(items) - 20} more (--json lists all)")
    nav = s.navigation()
    if nav is not None:
        click.echo("  navigation:")
        for name, link in nav.as_dict().items():
            click.echo(f"    {name}: {link}")


@network.command()
@click.argument("name")
@click.option("--level", default=None, help="Only sites of this level (station, institute …).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
@click.pass_obj
def find(state: State, name: str, level: str | None, limit: int, as_json: bool) -> None:
    """Find sites by name: Chinese (狮山), part of a name, pinyin (shishan) or initials (ssjd).

    Best matches first: exact names, then names starting with NAME, then names
    containing it; a code prefix (3205051) works too. Prints each site's code, to use
    with 'network show', '--place' and '--site'.
    """
    found = _network(state).find(name, level=level, limit=limit)
    if as_json:
        echo_json([f.as_dict() for f in found])
        return
    if not found:
        click.echo(f"no site matches {name!r}")
        return
    rows = [(f.code, f.name, f.level, f.matched) for f in found]
    for line in render(
        ("code", "name", "level", "matched on"), rows, max_width=(None, 40, None, None)
    ):
        click.echo(line)


def _lnglat(value: str) -> tuple[float, float]:
    try:
        lng, lat = (float(x) for x in value.split(","))
    except ValueError:
        raise WenmingError(f"expected LNG,LAT (e.g. 120.62,31.30), got {value!r}") from None
    return lng, lat


@network.command()
@click.argument("point", metavar="LNG,LAT")
@click.option("--type", "site_type", default=None, help="Site type ID or core level name.")
@click.option("--level", default=None, help="Only sites of this level.")
@click.option("--department", default=None, help="Only sites of this department.")
@click.option("--k", "k", type=int, default=None, help="How many (default 10).")
@click.option("--radius", "radius_km", type=float, default=None, help="Within this many km.")
@json_option
@click.pass_obj
def near(
    state: State,
    point: str,
    site_type: str | None,
    level: str | None,
    department: str | None,
    k: int | None,
    radius_km: float | None,
    as_json: bool,
) -> None:
    """The nearest sites to a WGS-84 point LNG,LAT (k nearest, or all within --radius)."""
    lng, lat = _lnglat(point)
    if k is None and radius_km is None:
        k = 10
    hits = _network(state).near(
        lng, lat, k=k, radius_km=radius_km, site_type=site_type, level=level, department=department
    )
    if as_json:
        echo_json([h.as_dict() for h in hits])
        return
    if not hits:
        click.echo("no sites found")
    for h in hits:
        click.echo(f"{h.distance_km:8.2f} km  {_label(h.site)}")


@network.command()
@click.option("--department", default=None, help="Only this department's practice points.")
@click.option("--list", "show_list", is_flag=True, help="List the codes, not just the counts.")
@json_option
@click.pass_obj
def coverage(state: State, department: str | None, show_list: bool, as_json: bool) -> None:
    """Stations with no pairing, towns with no practice point of a department, counts by county."""
    data = _network(state).coverage(department)
    if as_json:
        echo_json(data)
        return
    unpaired = data["unpaired_stations"]
    click.echo(f"stations with no paired industry site: {len(unpaired)} of {data['stations']}")
    if show_list and unpaired:
        click.echo("  " + " ".join(unpaired))
    for dept, towns in data["towns_without_practice_point"].items():
        click.echo(f"towns with no {dept} practice point: {len(towns)} of {data['institutes']}")
        if show_list and towns:
            click.echo("  " + " ".join(towns))
    click.echo("")
    rows = [
        (
            row["code"],
            core_name(row["name"]),
            row["institute"],
            row["station"],
            row["practice_point"],
            row["unpaired_station"],
        )
        for row in data["by_county"]
    ]
    headers = ("code", "county", "institutes", "stations", "points", "unpaired")
    for line in render(headers, rows, max_width=(None, 24, None, None, None, None)):
        click.echo(line)


@network.command()
@click.argument("industry_code", required=False)
@click.argument("territorial_code", required=False)
@click.option("--note", default="", help="A note on the pairing.")
@click.option("--remove", is_flag=True, help="Remove the pairing instead.")
@json_option
@click.pass_obj
def pair(
    state: State,
    industry_code: str | None,
    territorial_code: str | None,
    note: str,
    remove: bool,
    as_json: bool,
) -> None:
    """Pair (结对共建) an industry site or sub-center with a territorial site.

    With one code, list that site's pairings; with none, list all pairings.
    """
    net = _network(state)
    if territorial_code is None:
        if remove:
            raise WenmingError("--remove needs INDUSTRY_CODE and TERRITORIAL_CODE")
        rows = net.pairings(industry_code)
        if as_json:
            echo_json(rows)
            return
        if not rows:
            click.echo("no pairings")
        for r in rows:
            note_text = f"  ({r['note']})" if r["note"] else ""
            click.echo(f"{r['industry_code']} ⇄ {r['territorial_code']}{note_text}")
        return
    assert industry_code is not None
    if remove:
        net.unpair(industry_code, territorial_code)
        result = {
            "removed": True,
            "industry_code": industry_code,
            "territorial_code": territorial_code,
        }
        if as_json:
            echo_json(result)
        else:
            click.echo(f"unpaired {industry_code} and {territorial_code}")
        return
    row = net.pair(industry_code, territorial_code, note)
    if as_json:
        echo_json(row)
    else:
        click.echo(f"paired {industry_code} ⇄ {territorial_code}")


@network.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "csv", "xlsx"]),
    default=None,
    help="geojson (default), csv (the import format) or xlsx; default from -o's suffix.",
)
@click.option("--csv", "as_csv", is_flag=True, help="Same as --format csv.")
@click.option("--xlsx", "as_xlsx", is_flag=True, help="Same as --format xlsx (needs -o).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output).",
)
@json_option
@click.pass_obj
def export(
    state: State,
    fmt: str | None,
    as_csv: bool,
    as_xlsx: bool,
    output: Path | None,
    as_json: bool,
) -> None:
    """Export the network as GeoJSON, CSV (the import format) or an Excel workbook.

    A CSV file starts with a UTF-8 byte-order mark so that Excel shows Chinese names;
    'network load FILE' reads it back. An .xlsx workbook has a header row and columns
    sized to their content.
    """
    chosen = [f for f, on in (("csv", as_csv), ("xlsx", as_xlsx)) if on]
    if fmt:
        chosen.append(fmt)
    if len(set(chosen)) > 1:
        raise WenmingError(f"choose one format, not {' and '.join(sorted(set(chosen)))}")
    if not chosen and output is not None and output.suffix.lower() in (".csv", ".xlsx"):
        chosen.append(output.suffix.lower().lstrip("."))
    fmt = chosen[0] if chosen else "geojson"
    if fmt == "xlsx" and output is None:
        raise WenmingError("--xlsx writes a file: give -o FILE.xlsx")
    net = _network(state)
    if fmt == "geojson":
        data = net.geojson()
        text = json.dumps(data, ensure_ascii=False, indent=None if output else 1) + "\n"
        count = len(data["features"])
        if output is not None:
            output.write_text(text, encoding="utf-8")
    elif output is None:  # CSV to standard output: no byte-order mark in a pipe
        text = net.csv_text()
        count = text.count("\n") - 1
        if as_json:
            echo_json({"format": "csv", "sites": count, "csv": text})
            return
    else:
        from wenming.export import write_table

        headers, rows = net.table()
        count = write_table(output, headers, rows, fmt=fmt, sheet="sites")
    if output is None:
        click.echo(text, nl=False)
        return
    if as_json:
        echo_json({"written": str(output), "format": fmt, "sites": count})
    else:
        click.echo(f"wrote {count} sites to {output} ({fmt})")


@network.command(name="map")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--title", default=None, help="Page title (default: the region's name).")
@json_option
@click.pass_obj
def map_(state: State, output: Path, title: str | None, as_json: bool) -> None:
    """Write the network map (一图导览): one self-contained HTML file that works offline."""
    from wenming.network.mapview import write_map

    reach = state.deployment(required=True).config.matching.reach_km
    info = write_map(_network(state), output, title=title, living_circle_km=reach)
    if as_json:
        echo_json(info)
    else:
        click.echo(
            f"wrote {output}: {info['sites']} sites, {info['pairings']} pairings, {info['bytes']:,} bytes"
        )
        click.echo(f"open it in a web browser (it needs no network): {output.resolve().as_uri()}")

"""``oqs-sim scenario``: list the catalogue, load a scenario, check scenario files."""

from __future__ import annotations

from pathlib import Path

import click

from .common import Commands, db_option, engine_of, settings_of


@click.group(cls=Commands)
def scenario() -> None:
    """Scenario files: stories over business time with expected answers."""


@scenario.command("list")
def scenario_list() -> None:
    """List the scenarios shipped in datasets/scenarios."""
    from ..scenarios.load import catalogue, parse_scenario

    for path in catalogue():
        found = parse_scenario(path.read_text(encoding="utf-8"), str(path))
        click.echo(f"{found.name:<32} {found.title}")


@scenario.command("load")
@click.argument("file_or_name")
@db_option
@click.pass_context
def scenario_load(ctx: click.Context, file_or_name: str, db: str | None) -> None:
    """Load FILE_OR_NAME (a file, or a catalogue name) and set the clock to its start."""
    from ..auth import hash_password
    from ..clock import wall_now
    from ..config import consent_hours
    from ..pki.card_files import scenario_card_folder, write_bundle
    from ..pki.jpki import JpkiHolder
    from ..profiles import load_profiles
    from ..scenarios.load import find_scenario, load_scenario, parse_scenario
    from ..store import SqlUnitOfWork

    path = find_scenario(file_or_name)
    found = parse_scenario(path.read_text(encoding="utf-8"), str(path))
    settings = settings_of(ctx, db)
    folders = []

    def keep_card(handle, bundle) -> None:
        folders.append(write_bundle(scenario_card_folder(settings.pki_dir, found.name, handle),
                                    bundle))

    with engine_of(ctx, db, migrated=True) as engine:
        counts = load_scenario(uow=SqlUnitOfWork(engine), scenario=found,
                               profiles=load_profiles(), password_hash=hash_password,
                               wall=wall_now(), jpki=JpkiHolder(settings.pki_dir),
                               consent_hours=consent_hours(settings), on_card=keep_card)
    summary = ", ".join(f"{value} {key}" for key, value in counts.items())
    click.echo(f"loaded {found.name}: {summary}; business clock at {found.clock.isoformat()}")
    for folder in folders:
        click.echo(f"card: {folder}")


@scenario.command("check")
@click.argument("files", nargs=-1, required=True)
@click.option("--junit", "junit", type=click.Path(dir_okay=False, writable=True),
              help="Also write a JUnit XML report to this file (for CI).")
def scenario_check(files: tuple[str, ...], junit: str | None) -> None:
    """Run each FILE (or catalogue name) in a fresh store; exit 1 on any mismatch."""
    from ..scenarios.check import check_files, junit_xml, render_table
    from ..scenarios.load import find_scenario

    paths: list[Path] = [find_scenario(item) for item in files]
    reports = check_files(paths)
    click.echo(render_table(reports))
    if junit:
        Path(junit).write_bytes(junit_xml(reports))
    if not all(report.ok for report in reports):
        raise SystemExit(1)

"""``oqs-sim import``: load a vendor's own fixtures (docs/import.md)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import Commands, db_option, engine_of, settings_of


@click.group("import", cls=Commands)
def import_group() -> None:
    """Import fixtures from CSV or JSON files."""


@import_group.command("persons")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"], case_sensitive=False),
              help="csv or json (default: from the file name).")
@click.option("--replace", is_flag=True,
              help="Replace persons already imported with the same id (default: refuse).")
@db_option
@click.pass_context
def import_persons(ctx: click.Context, file: str, fmt: str | None, replace: bool,
                   db: str | None) -> None:
    """Import FILE's persons with their qualifications, cards, drugs and checkups.

    All or nothing: any problem stores nothing; every problem (at most 50) is printed with its
    line and column (CSV) or its path (JSON), and the command exits 1.
    """
    from ..clock import SimulatedClock
    from ..imports.model import ImportRejected
    from ..imports.read import read_import
    from ..imports.service import CARDS_FOLDER, card_folder
    from ..imports.service import import_persons as run_import
    from ..pki.card_files import write_bundle
    from ..pki.jpki import JpkiHolder
    from ..profiles import load_profiles
    from ..store import SqlUnitOfWork

    settings = settings_of(ctx, db)
    try:
        found = read_import(Path(file).read_bytes(), file, fmt)
        with engine_of(ctx, db, migrated=True) as engine:
            done = run_import(uow=SqlUnitOfWork(engine), clock=SimulatedClock(engine),
                              file=found, profiles=load_profiles(),
                              jpki=JpkiHolder(settings.pki_dir), replace=replace)
    except ImportRejected as rejected:
        for line in rejected.lines():
            click.echo(line, err=True)
        raise SystemExit(1) from None
    for handle, bundle in done.cards.items():
        write_bundle(card_folder(settings.pki_dir, handle), bundle)
    where = (f"; card keys in {Path(settings.pki_dir) / 'cards' / CARDS_FOLDER}/<id>/"
             if done.cards else "")
    click.echo(f"{file}: {done.summary()}{where}")

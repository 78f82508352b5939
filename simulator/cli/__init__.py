"""The ``oqs-sim`` command: thin wrappers that parse, call the services and print."""

from __future__ import annotations

import click

from .card import card
from .common import Commands
from .disaster import disaster
from .fault import emergency, fault
from .imports import import_group
from .jobs import jobs, scheduler
from .pki import ca, institution
from .population import generate, store_group
from .scenario import scenario
from .serve import serve
from .store import clock, db

__all__ = ["main"]


@click.group(cls=Commands)
@click.option("--config", type=click.Path(dir_okay=False), envvar="OQS_CONFIG",
              help="TOML settings file (also OQS_CONFIG).")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """oqs-sim: a payer-side simulator of オンライン資格確認等システム."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


for command in (serve, db, clock, ca, institution, card, scenario, import_group, jobs, scheduler,
                disaster, fault, emergency, generate, store_group):
    main.add_command(command)

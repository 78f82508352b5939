"""``oqs-sim db`` (schema) and ``oqs-sim clock`` (the business clock)."""

from __future__ import annotations

import contextlib

import click

from ..clock import SimulatedClock, parse_duration, parse_instant
from .common import Commands, db_option, engine_of


@click.group(cls=Commands)
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@db_option
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str, db: str | None) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    from ..migrate import current_revision, upgrade

    with engine_of(ctx, db) as engine:
        upgrade(engine, revision)
        click.echo(f"schema at revision {current_revision(engine)}")


@db.command("current")
@db_option
@click.pass_context
def db_current(ctx: click.Context, db: str | None) -> None:
    """Print the schema revision of the database."""
    from ..migrate import current_revision, head_revision

    with engine_of(ctx, db) as engine:
        revision = current_revision(engine)
    click.echo(f"{revision or 'empty (run: oqs-sim db upgrade)'} (head: {head_revision()})")


@click.group(cls=Commands)
def clock() -> None:
    """The business clock (JST) every rule is evaluated at."""


@contextlib.contextmanager
def _clock(ctx: click.Context, db: str | None):
    with engine_of(ctx, db, migrated=True) as engine:
        yield SimulatedClock(engine)


def _show(state: dict) -> None:
    speed = "" if state["mode"] == "frozen" else f" ×{state['speed']:g}"
    click.echo(f"{state['now']}  {state['mode']}{speed}")


@clock.command("show")
@db_option
@click.pass_context
def clock_show(ctx: click.Context, db: str | None) -> None:
    """Print business now, the mode and the speed."""
    with _clock(ctx, db) as business:
        _show(business.describe())


@clock.command("set")
@click.argument("instant")
@click.option("--frozen/--running", default=None, help="Stop or run the clock (default: keep).")
@click.option("--speed", type=float, help="Business seconds per wall second when running.")
@db_option
@click.pass_context
def clock_set(ctx, instant: str, frozen: bool | None, speed: float | None, db) -> None:
    """Set business time to INSTANT (ISO 8601; no offset means JST; a date means 00:00)."""
    with _clock(ctx, db) as business:
        business.set(parse_instant(instant, field="INSTANT"), frozen=frozen, speed=speed)
        _show(business.describe())


@clock.command("advance")
@click.argument("duration")
@db_option
@click.pass_context
def clock_advance(ctx: click.Context, duration: str, db: str | None) -> None:
    """Move business time forward by DURATION (5d, 3h, 1d12h, 90m, P5D, PT3H, P1M)."""
    with _clock(ctx, db) as business:
        business.advance(parse_duration(duration, field="DURATION"))
        _show(business.describe())

"""The ``oqs-sim`` command: thin wrappers that parse, call the services and print."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import secrets
import sys

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from .clock import SimulatedClock, parse_duration, parse_instant
from .config import ConfigError, Settings, load_settings
from .db import make_engine
from .registry.errors import OqsError

__all__ = ["main"]


def _settings(ctx: click.Context, db: str | None) -> Settings:
    """Settings from the group's --config and the command's --db (the explicit mapping)."""
    overrides = {"database_url": db} if db else {}
    try:
        return load_settings(overrides, toml_path=ctx.obj.get("config"))
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


@contextlib.contextmanager
def _engine(ctx: click.Context, db: str | None, *, migrated: bool = False):
    """The configured database's engine, disposed on exit; ``migrated`` requires the head schema."""
    engine = make_engine(_settings(ctx, db).database_url)
    try:
        if migrated:
            _require_head(engine)
        yield engine
    finally:
        engine.dispose()


def _require_head(engine) -> None:
    from .migrate import current_revision, head_revision

    revision, head = current_revision(engine), head_revision()
    if revision != head:
        raise click.ClickException(
            f"database schema is at {revision or 'nothing'}, not {head}: run `oqs-sim db upgrade`"
        )


def db_option(command):
    """Add ``--db URL`` (default: the configured database) to a command."""
    return click.option(
        "--db", "db", metavar="URL", help="SQLAlchemy database URL (default: sqlite:///oqs-sim.db)."
    )(command)


class _Commands(click.Group):
    """The command group; known failures become one-line messages, never tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OqsError as error:
            raise click.UsageError(error.message, ctx) from error
        except ArgumentError as error:  # a database URL SQLAlchemy cannot use
            raise click.ClickException(f"database URL: {error}") from error
        except SQLAlchemyError as error:
            first_line = str(error.orig if hasattr(error, "orig") else error).splitlines()[0]
            raise click.ClickException(f"database: {first_line}") from error


@click.group(cls=_Commands)
@click.option("--config", type=click.Path(dir_okay=False), envvar="OQS_CONFIG",
              help="TOML settings file (also OQS_CONFIG).")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """oqs-sim: a payer-side simulator of オンライン資格確認等システム."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


# -- serve ------------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@db_option
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, db: str | None) -> None:
    """Upgrade the database schema, then serve the simulator."""
    from . import create_app
    from .migrate import upgrade

    settings = _settings(ctx, db)
    _refuse_in_memory(settings.database_url)
    with _engine(ctx, db) as engine:
        upgrade(engine)
    token = settings.admin_token or secrets.token_urlsafe(24)
    app = create_app(dataclasses.asdict(settings) | {"admin_token": token})
    click.echo(f"oqs-sim on http://{host}:{port}  database: {settings.database_url}")
    click.echo(f"admin token (Authorization: Bearer ...): {token}")
    logging.basicConfig(level=settings.log_level)
    app.run(host=host, port=port, threaded=True, use_reloader=False)


def _refuse_in_memory(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise click.UsageError(
            "an in-memory SQLite database cannot be shared by the migration and the server: "
            "use a file (sqlite:///oqs-sim.db)"
        )


# -- db ---------------------------------------------------------------------------------------


@main.group(cls=_Commands)
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@db_option
@click.pass_context
def db_upgrade(ctx: click.Context, revision: str, db: str | None) -> None:
    """Upgrade the schema to REVISION (default: head)."""
    from .migrate import current_revision, upgrade

    with _engine(ctx, db) as engine:
        upgrade(engine, revision)
        click.echo(f"schema at revision {current_revision(engine)}")


@db.command("current")
@db_option
@click.pass_context
def db_current(ctx: click.Context, db: str | None) -> None:
    """Print the schema revision of the database."""
    from .migrate import current_revision, head_revision

    with _engine(ctx, db) as engine:
        revision = current_revision(engine)
    click.echo(f"{revision or 'empty (run: oqs-sim db upgrade)'} (head: {head_revision()})")


# -- clock ------------------------------------------------------------------------------------


@main.group(cls=_Commands)
def clock() -> None:
    """The business clock (JST) every rule is evaluated at."""


@contextlib.contextmanager
def _clock(ctx: click.Context, db: str | None):
    with _engine(ctx, db, migrated=True) as engine:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

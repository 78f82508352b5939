"""What the commands share: settings, engines, the --db option, one-line errors."""

from __future__ import annotations

import contextlib

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..config import ConfigError, Settings, load_settings
from ..db import make_engine
from ..registry.errors import OqsError

__all__ = ["Commands", "settings_of", "engine_of", "db_option", "refuse_in_memory"]


class Commands(click.Group):
    """A command group whose known failures become one-line messages, never tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OqsError as error:
            raise click.UsageError(error.message, ctx) from error
        except ArgumentError as error:  # a database URL SQLAlchemy cannot use
            raise click.ClickException(f"database URL: {error}") from error
        except SQLAlchemyError as error:
            first_line = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise click.ClickException(f"database: {first_line}") from error
        except (FileNotFoundError, FileExistsError) as error:
            raise click.ClickException(str(error)) from error


def settings_of(ctx: click.Context, db: str | None = None) -> Settings:
    """Settings from the group's --config and the command's --db (the explicit mapping)."""
    overrides = {"database_url": db} if db else {}
    try:
        return load_settings(overrides, toml_path=ctx.find_root().obj.get("config"))
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


@contextlib.contextmanager
def engine_of(ctx: click.Context, db: str | None, *, migrated: bool = False):
    """The configured database's engine, disposed on exit; ``migrated`` requires the head schema."""
    engine = make_engine(settings_of(ctx, db).database_url)
    try:
        if migrated:
            _require_head(engine)
        yield engine
    finally:
        engine.dispose()


def _require_head(engine) -> None:
    from ..migrate import current_revision, head_revision

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


def refuse_in_memory(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise click.UsageError(
            "an in-memory SQLite database cannot be shared by the migration and the server: "
            "use a file (sqlite:///oqs-sim.db)"
        )


def run_use_case(ctx: click.Context, db: str | None, use_case, **arguments):
    """Call ``use_case(uow=..., clock=..., **arguments)`` on the configured, migrated store at
    its business clock."""
    from ..clock import SimulatedClock
    from ..store import SqlUnitOfWork

    with engine_of(ctx, db, migrated=True) as engine:
        return use_case(uow=SqlUnitOfWork(engine), clock=SimulatedClock(engine), **arguments)

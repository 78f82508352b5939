"""Engine creation: any SQLAlchemy URL; SQLite gets WAL, foreign keys and a busy timeout."""

from __future__ import annotations

import json

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["make_engine"]


def _on_sqlite_connect(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # up to 64 MiB of pages (default 2 MiB)
    cursor.close()


def _load_json(text: str | bytes) -> object:
    """``json.loads``, but the empty list — what most certificate columns hold — is not parsed
    (four JSON columns per record read: the bulk job's hot path)."""
    return [] if text in ("[]", b"[]") else json.loads(text)


def make_engine(url: str, **options) -> Engine:
    """Create the engine for ``url``; PostgreSQL URLs without a driver use psycopg 3."""
    options.setdefault("json_deserializer", _load_json)
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
        engine = create_engine(parsed, **options)
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    options.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **options)

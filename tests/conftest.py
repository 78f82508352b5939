"""Clean stores for every test, on SQLite and, when ``OQS_TEST_DATABASE_URL`` is set, PostgreSQL.

SQLite: the migrations run once into a template file, copied for each test.
PostgreSQL: the migrations run once into a private schema of the session (dropped at the end);
each test starts from truncated tables.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from sqlalchemy import make_url, text

from simulator.db import make_engine
from simulator.migrate import upgrade
from simulator.schema import metadata

PG_URL = os.environ.get("OQS_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture(scope="session", autouse=True)
def _pki_outside_the_checkout(tmp_path_factory):
    """CAs and card bundles a test creates go to a temporary folder, never the working tree."""
    previous = os.environ.get("OQS_PKI_DIR")
    os.environ["OQS_PKI_DIR"] = str(tmp_path_factory.mktemp("pki"))
    yield
    if previous is None:
        os.environ.pop("OQS_PKI_DIR", None)
    else:
        os.environ["OQS_PKI_DIR"] = previous


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "oqs.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _with_search_path(url: str, schema: str) -> str:
    parsed = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgresql_url():
    if not PG_URL:
        pytest.skip("OQS_TEST_DATABASE_URL is not set")
    schema = f"oqs_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(PG_URL, schema)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """The URL of an empty, migrated store."""
    if request.param == "sqlite":
        path = tmp_path / "oqs.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgresql_url")
    _truncate(url)
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()

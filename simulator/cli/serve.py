"""``oqs-sim serve``: migrate, seed a demo world into an empty store, run gunicorn.

With ``--tls`` the server speaks HTTPS with certificates of the simulator CA, asks every client
for a certificate (optional at the handshake: the search call presents none) and institution
login then requires it (``auth = certificate``).

Unless ``--no-scheduler``, gunicorn's master process (never a worker) also runs the housekeeping
jobs, when no other process runs them on the same database (:mod:`simulator.cli.jobs`).

Slow clients: each worker serves ``threads`` requests at once (gunicorn's gthread worker), so a
few clients trickling their bodies hold a few threads, not the worker; a body must arrive within
``body_read_seconds`` (:func:`simulator.api.common.read_body`), and request lines and headers
are bounded in size. Every log line is escaped (:mod:`simulator.logs`).
"""

from __future__ import annotations

import dataclasses
import secrets
import ssl
from pathlib import Path

import click
from gunicorn.app.base import BaseApplication

from ..clock import SimulatedClock, wall_now
from ..config import Settings
from ..logs import GunicornLogger
from ..pki import init_ca, issue_server_certificate, load_ca
from ..store import SqlUnitOfWork
from .common import Commands, db_option, engine_of, refuse_in_memory, settings_of
from .jobs import MasterScheduler

#: Request line, header count and header size limits (gunicorn's defaults, stated): a request
#: with more is refused before the app sees it. A forwarded client certificate fits in one header.
HEADER_LIMITS = {"limit_request_line": 4094, "limit_request_fields": 100,
                 "limit_request_field_size": 8190}


def worker_options(threads: int) -> dict:
    """gunicorn's worker settings for ``threads`` requests at once per worker.

    More than one: the gthread worker. Its main loop keeps answering the master's liveness
    check while threads wait on slow clients, so ``timeout`` no longer kills a worker whose
    threads are all reading; a thread waits at most ``body_read_seconds`` for a body.
    """
    worker = {"worker_class": "gthread", "threads": threads} if threads > 1 else {
        "worker_class": "sync"}
    return worker | HEADER_LIMITS


class _Gunicorn(BaseApplication):
    """gunicorn with our options; each worker builds its own app (and engine) after the fork."""

    def __init__(self, config: dict, options: dict) -> None:
        self.app_config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .. import create_app

        return create_app(self.app_config)


def _tls_options(settings: Settings, host: str) -> dict:
    pki = Path(settings.pki_dir)
    if not (pki / "ca.cert.pem").exists():
        init_ca(pki, at=wall_now())
        click.echo(f"created the simulator CA in {pki}")
    authority = load_ca(pki)
    issued = issue_server_certificate(
        authority, hostnames=sorted({host, "localhost", "127.0.0.1"}), at=wall_now())
    server = pki / "server"
    server.mkdir(parents=True, exist_ok=True)
    (server / "cert.pem").write_bytes(issued.cert_pem)
    (server / "key.pem").write_bytes(issued.key_pem)
    (server / "key.pem").chmod(0o600)
    return {"certfile": str(server / "cert.pem"), "keyfile": str(server / "key.pem"),
            "ca_certs": str(pki / "ca.cert.pem"), "cert_reqs": ssl.CERT_OPTIONAL}


def _seed_demo(engine) -> None:
    from ..auth import hash_password
    from ..loaders.demo import generate_demo_world, save_demo_world

    with SqlUnitOfWork(engine) as uow:
        if any(uow.repo.counts().values()):
            return
    world = generate_demo_world()
    counts = save_demo_world(world, uow=SqlUnitOfWork(engine), password_hash=hash_password)
    SimulatedClock(engine).set(world.business_now, frozen=True)
    click.echo(f"empty database: created the demo world (seed {world.seed}): "
               f"{counts['persons']} persons, {counts['qualifications']} qualifications; "
               f"business time {world.business_now.isoformat()} (frozen)")
    for account in world.accounts:
        click.echo(f"  institution {account.institution_code}  userId {account.user}  "
                   f"password {account.password}")


def _populate(engine, persons: int) -> None:
    import os

    from .population import generate_population

    result = generate_population(engine, persons=persons, seed=1,
                                 workers=min(2, os.cpu_count() or 1))
    click.echo(f"population: {result.persons:,} persons (seed 1, run {result.run}, business "
               f"date {result.today.isoformat()}); {result.added:,} added now")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", type=click.IntRange(1, 1024),
              help="Threads per worker (default: the threads setting, 32); 1: one request at "
                   "a time per worker (gunicorn's sync worker).")
@click.option("--tls", is_flag=True, help="HTTPS; institution login requires its certificate.")
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Create the demo world when the database is empty.")
@click.option("--population", type=click.IntRange(1, 10**8), metavar="N",
              help="Also generate a synthetic population of N persons (seed 1) before serving; "
                   "resumed or kept when the store has it already (oqs-sim generate).")
@click.option("--scheduler/--no-scheduler", default=True, show_default=True,
              help="Run the housekeeping jobs in the master process (one per database).")
@db_option
@click.pass_context
def serve(ctx: click.Context, host, port, workers, threads, tls, demo, population, scheduler,
          db) -> None:
    """Upgrade the schema, seed an empty store with the demo world, and serve."""
    from ..migrate import upgrade

    settings = settings_of(ctx, db)
    refuse_in_memory(settings.database_url)
    with engine_of(ctx, db) as engine:
        upgrade(engine)
        if demo:
            _seed_demo(engine)
        if population:
            _populate(engine, population)
    config = dataclasses.asdict(settings) | {
        "admin_token": settings.admin_token or secrets.token_urlsafe(24),
        "secret_key": settings.secret_key or secrets.token_urlsafe(32),
    }
    options = {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-",
               "control_socket_disable": True,  # one per home directory would collide
               "loglevel": settings.log_level.lower(), "logger_class": GunicornLogger,
               **worker_options(threads or settings.threads)}
    if scheduler:
        options |= MasterScheduler(settings.database_url, settings).hooks()
    if tls:
        options |= _tls_options(settings, host)
        config["auth"] = "certificate"
    scheme = "https" if tls else "http"
    click.echo(f"oqs-sim on {scheme}://{host}:{port}  database: {settings.database_url}  "
               f"institution login: {config['auth']}")
    click.echo(f"admin token (Authorization: Bearer ...): {config['admin_token']}")
    _Gunicorn(config, options).run()


__all__ = ["serve", "Commands"]

"""``oqs-sim ca`` (the simulator CA) and ``oqs-sim institution`` (accounts and certificates)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..clock import wall_now
from ..institutions.service import register_institution, revoke_certificates
from ..pki import init_ca, load_ca
from ..store import SqlUnitOfWork
from .common import Commands, db_option, engine_of, settings_of


@click.group(cls=Commands)
def ca() -> None:
    """The simulator's certificate authority (institution and server certificates)."""


@ca.command("init")
@click.option("--dir", "directory", type=click.Path(file_okay=False),
              help="Where to keep the CA (default: the pki_dir setting, oqs-sim-pki).")
@click.option("--force", is_flag=True, help="Replace an existing CA (old certificates die).")
@click.pass_context
def ca_init(ctx: click.Context, directory: str | None, force: bool) -> None:
    """Create the CA: ca.key.pem (0600) and ca.cert.pem."""
    target = Path(directory or settings_of(ctx).pki_dir)
    init_ca(target, at=wall_now(), force=force)
    click.echo(f"CA created in {target} (certificate: {target / 'ca.cert.pem'})")


@click.group(cls=Commands)
def institution() -> None:
    """Institutions: Web API accounts and client certificates."""


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


@institution.command("add")
@click.argument("code")
@click.option("--name", required=True, help="Name of the institution (Japanese).")
@click.option("--user", required=True, help="Web API userId.")
@click.option("--password", required=True, help="Web API password.")
@click.option("--municipality", help="市区町村コード (6 digits), for disaster areas.")
@click.option("--out", type=click.Path(file_okay=False),
              help="Where to write cert.pem and key.pem (default: PKI_DIR/institutions/CODE).")
@db_option
@click.pass_context
def institution_add(ctx, code, name, user, password, municipality, out, db) -> None:
    """Register institution CODE with an account, and issue its client certificate."""
    settings = settings_of(ctx, db)
    authority = load_ca(Path(settings.pki_dir))
    with engine_of(ctx, db, migrated=True) as engine:
        issued = register_institution(
            uow=SqlUnitOfWork(engine), ca=authority, code=code, name=name, user=user,
            password=password, municipality=municipality, at=wall_now())
    folder = Path(out or Path(settings.pki_dir) / "institutions" / code.strip())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cert.pem").write_bytes(issued.cert_pem)
    _write_private(folder / "key.pem", issued.key_pem)
    (folder / "ca.cert.pem").write_bytes(authority.cert_pem)
    click.echo(f"institution {code.strip()} ({name}) account {user}; certificate serial "
               f"{issued.serial:x} valid to {issued.not_after:%Y-%m-%d}; files in {folder}")


@institution.command("revoke")
@click.argument("code")
@db_option
@click.pass_context
def institution_revoke(ctx: click.Context, code: str, db: str | None) -> None:
    """Revoke every live client certificate of institution CODE (login then fails)."""
    with engine_of(ctx, db, migrated=True) as engine:
        serials = revoke_certificates(uow=SqlUnitOfWork(engine), code=code, at=wall_now())
    click.echo(f"revoked {len(serials)} certificate(s) of {code}: "
               + (", ".join(f"{s:x}" for s in serials) or "none live"))


@institution.command("list")
@db_option
@click.pass_context
def institution_list(ctx: click.Context, db: str | None) -> None:
    """List institutions with their kind, account and certificates."""
    with engine_of(ctx, db, migrated=True) as engine, SqlUnitOfWork(engine) as uow:
        for inst in uow.repo.list_institutions():
            certs = uow.repo.certificates_of(inst.code)
            live = sum(1 for c in certs if c.revoked_at is None)
            click.echo(f"{inst.code}  {inst.kind.name.lower():8}  {inst.account or '-':12}  "
                       f"certificates {live} live / {len(certs)}  {inst.name}")

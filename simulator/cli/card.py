"""``oqs-sim card``: virtual My Number cards (issue, bundle, list, revoke, resume) in business
time."""

from __future__ import annotations

from pathlib import Path

import click

from ..cards import service as card_service
from ..clock import SimulatedClock
from ..pki import JpkiHolder
from ..pki.card_files import CA_FILE, CERT_FILE, KEY_FILE, serial_card_folder, write_bundle
from ..registry.identifiers import parse_date
from ..store import SqlUnitOfWork
from .common import Commands, db_option, engine_of, run_use_case, settings_of


@click.group(cls=Commands)
def card() -> None:
    """Virtual My Number cards: a key and a certificate of the simulator's JPKI CA."""


@card.command("issue")
@click.option("--person", required=True, help="Person id, or scenario/handle.")
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help=f"Where to write {KEY_FILE} (0600), {CERT_FILE} and {CA_FILE}.")
@click.option("--expires", help="Last day the card works, YYYY-MM-DD (default: 5 years on).")
@click.option("--pin", default=card_service.DEFAULT_PIN, show_default=True,
              help="利用者証明用暗証番号 (4 digits).")
@click.option("--unregistered", is_flag=True, help="Not registered for insurance use yet.")
@db_option
@click.pass_context
def card_issue(ctx, person, out, expires, pin, unregistered, db) -> None:
    """Issue a card to a person at business now and write its files; print the serial."""
    settings = settings_of(ctx, db)
    last_day = parse_date(expires, field="--expires") if expires else None
    authority = JpkiHolder(settings.pki_dir).ca()
    with engine_of(ctx, db, migrated=True) as engine:
        issued = card_service.issue_card(
            uow=SqlUnitOfWork(engine), clock=SimulatedClock(engine), ca=authority,
            person=person, expires=last_day, insurance_use=not unregistered, pin=pin)
    write_bundle(Path(out), issued.bundle)
    click.echo(issued.bundle.serial)


@card.command("bundle")
@click.argument("serial")
@click.option("--out", type=click.Path(file_okay=False),
              help=f"Where to write {KEY_FILE} (0600), {CERT_FILE} and {CA_FILE} "
                   "(default: <pki_dir>/cards/_serial/SERIAL).")
@click.option("--replace", is_flag=True,
              help="The card has a certificate: issue a new one (the old key stops working).")
@db_option
@click.pass_context
def card_bundle(ctx, serial, out, replace, db) -> None:
    """Issue the certificate of card SERIAL (held without one) with a new key, write its files
    and print the folder."""
    settings = settings_of(ctx, db)
    authority = JpkiHolder(settings.pki_dir).ca()
    with engine_of(ctx, db, migrated=True) as engine:
        issued = card_service.bundle_card(uow=SqlUnitOfWork(engine), ca=authority,
                                          serial=serial, replace=replace)
    folder = Path(out) if out else serial_card_folder(settings.pki_dir, issued.bundle.serial)
    click.echo(write_bundle(folder, issued.bundle))


@card.command("list")
@click.option("--person", help="Person id, or scenario/handle (default: every card).")
@db_option
@click.pass_context
def card_list(ctx: click.Context, person: str | None, db: str | None) -> None:
    """List cards with their state at business now."""
    with engine_of(ctx, db, migrated=True) as engine:
        cards = card_service.card_list(uow=SqlUnitOfWork(engine), clock=SimulatedClock(engine),
                                       person=person)
    for view in cards:
        held = "" if view["certificate_issued"] else "  held (no certificate: card bundle)"
        click.echo(f"{view['serial']}  person {view['person']}  {view['status']:<19}  "
                   f"to {view['expires_at'] or view['not_after']}  "
                   f"registered {view['insurance_registered_at'] or '-'}{held}")


@card.command("revoke")
@click.argument("serial")
@click.option("--reason", type=click.Choice(["lost", "revoked"]), default="revoked",
              show_default=True, help="lost: 一時停止 (may be resumed); revoked: 失効 (final).")
@db_option
@click.pass_context
def card_revoke(ctx: click.Context, serial: str, reason: str, db: str | None) -> None:
    """Suspend or revoke card SERIAL from business now."""
    view = run_use_case(ctx, db, card_service.revoke_card, serial=serial, reason=reason)
    click.echo(f"card {view['serial']}: {view['revoke_reason']} at {view['revoked_at']}")


@card.command("resume")
@click.argument("serial")
@db_option
@click.pass_context
def card_resume(ctx: click.Context, serial: str, db: str | None) -> None:
    """Lift the suspension (lost) of card SERIAL."""
    view = run_use_case(ctx, db, card_service.resume_card, serial=serial)
    click.echo(f"card {view['serial']}: {view['status']}")

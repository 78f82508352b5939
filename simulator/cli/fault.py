"""``oqs-sim fault`` (injected faults) and ``oqs-sim emergency`` (emergency modes), in business
time. A running server picks up a change made here within ``fault_refresh_ms``."""

from __future__ import annotations

import click

from ..clock import parse_instant
from ..disaster_mode import emergency_service
from ..faults import service
from ..faults.model import Answer, Distribution, Kind, Route, System
from .common import Commands, db_option, run_use_case

_INSTANT = "ISO 8601 instant (no offset: JST; a date alone: 00:00 JST)"


def _instant(value: str | None, option: str):
    return parse_instant(value, field=option) if value else None


def _values(enum) -> click.Choice:
    return click.Choice([e.value for e in enum])


@click.group(cls=Commands)
def fault() -> None:
    """Injected faults: outage, maintenance window, latency, intermittent errors."""


def _show_fault(view: dict) -> str:
    scope = view["route"] + (f" {view['institution']}" if view["institution"] else "")
    if view["kind"] == "latency":
        detail = f"+{view['latency_ms']}ms ±{view['jitter_ms']} {view['distribution']}"
    else:
        detail = f"{view['code']} as {view['answer']}"
        if view["kind"] == "errors":
            detail += f" at rate {view['rate']}"
    until = view["to"] or "until ended"
    ended = f"  ended {view['ended_at']}" if view["ended_at"] else ""
    return (f"{view['name']}  {view['status']:<9}  {view['kind']}  {scope}  {detail}  "
            f"{view['from']} → {until}{ended}")


@fault.command("start")
@click.argument("kind", type=_values(Kind))
@click.option("--name", help="Name to end it by (default: KIND-n).")
@click.option("--route", type=_values(Route), default="all", show_default=True)
@click.option("--institution", help="Only this institution's requests (医療機関コード).")
@click.option("--system", type=_values(System), help="maintenance: oqs, or jpki (card route).")
@click.option("--answer", type=_values(Answer),
              help="segment (SegmentOfResult 9, 503), http (bare HTTP error), timeout.")
@click.option("--http-status", type=int, help="Status of an http answer (500/502/503/504).")
@click.option("--hold-seconds", type=float, help="How long a timeout answer holds (wall).")
@click.option("--latency-ms", type=int, help="latency: milliseconds added.")
@click.option("--jitter-ms", type=int, help="latency: spread (uniform ±, normal σ).")
@click.option("--distribution", type=_values(Distribution))
@click.option("--rate", type=float, help="errors: share of requests refused (0–1).")
@click.option("--seed", type=int, help="errors: seed of the draws (reproducible).")
@click.option("--from", "starts", help=f"Start (default business now), {_INSTANT}.")
@click.option("--to", "ends", help=f"End, exclusive (default: until ended), {_INSTANT}.")
@db_option
@click.pass_context
def fault_start(ctx, kind, starts, ends, db, **options) -> None:
    """Start (or schedule) a fault of KIND."""
    values = {k: v for k, v in options.items() if v is not None}
    view = run_use_case(ctx, db, service.start, values={"kind": kind, **values},
                        starts_at=_instant(starts, "--from"), ends_at=_instant(ends, "--to"))
    click.echo(_show_fault(view))


@fault.command("list")
@db_option
@click.pass_context
def fault_list(ctx: click.Context, db: str | None) -> None:
    """List faults with their status at business now."""
    for view in run_use_case(ctx, db, service.fault_list):
        click.echo(_show_fault(view))


@fault.command("end")
@click.argument("name")
@click.option("--at", "at", help=f"When it stops (default business now), {_INSTANT}.")
@db_option
@click.pass_context
def fault_end(ctx: click.Context, name: str, at: str | None, db: str | None) -> None:
    """Stop fault NAME."""
    click.echo(_show_fault(run_use_case(ctx, db, service.end, name=name, at=_instant(at, "--at"))))


@click.group(cls=Commands)
def emergency() -> None:
    """Emergency mode (緊急時医療情報・資格確認機能) of an institution that reported a failure."""


def _show_mode(view: dict) -> str:
    until = view["to"] or "until ended"
    ended = f"  ended {view['ended_at']}" if view["ended_at"] else ""
    reason = f"  {view['reason']}" if view["reason"] else ""
    return (f"{view['id']}  {view['institution']}  {view['status']:<9}  {view['from']} → "
            f"{until}{ended}{reason}")


@emergency.command("start")
@click.argument("institution")
@click.option("--reason", default="", help="What the institution reported.")
@click.option("--from", "starts", help=f"Start (default business now), {_INSTANT}.")
@click.option("--to", "ends", help=f"End, exclusive (default: until ended), {_INSTANT}.")
@db_option
@click.pass_context
def emergency_start(ctx, institution, reason, starts, ends, db) -> None:
    """Switch INSTITUTION (医療機関コード) into emergency mode."""
    view = run_use_case(ctx, db, emergency_service.start, institution=institution, reason=reason,
                        starts_at=_instant(starts, "--from"), ends_at=_instant(ends, "--to"))
    click.echo(_show_mode(view))


@emergency.command("list")
@db_option
@click.pass_context
def emergency_list(ctx: click.Context, db: str | None) -> None:
    """List emergency modes with their status at business now."""
    for view in run_use_case(ctx, db, emergency_service.mode_list):
        click.echo(_show_mode(view))


@emergency.command("end")
@click.argument("mode_id", type=int)
@click.option("--at", "at", help=f"When it ends (default business now), {_INSTANT}.")
@db_option
@click.pass_context
def emergency_end(ctx: click.Context, mode_id: int, at: str | None, db: str | None) -> None:
    """End emergency mode MODE_ID."""
    view = run_use_case(ctx, db, emergency_service.end, mode_id=mode_id, at=_instant(at, "--at"))
    click.echo(_show_mode(view))

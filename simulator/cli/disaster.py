"""``oqs-sim disaster``: disaster declarations (declare, list, extend, end) in business time."""

from __future__ import annotations

import click

from ..clock import parse_instant
from ..disaster_mode import service
from .common import Commands, db_option, run_use_case

_INSTANT = "ISO 8601 instant (no offset: JST; a date alone: 00:00 JST)"


@click.group(cls=Commands)
def disaster() -> None:
    """Disaster declarations (災害救助法の適用): an area and a period in business time."""


def _show(view: dict) -> str:
    area = ",".join(view["municipalities"] or view["prefectures"])
    extended = "".join(f"  extended to {e['to']} in "
                       f"{','.join(e['municipalities'] + e['prefectures']) or 'all'}"
                       for e in view["extensions"])
    ended = f"  ended {view['ended_at']}" if view["ended_at"] else ""
    return (f"{view['name']}  {view['status']:<9}  {area}  {view['from']} → {view['to']}"
            f"{extended}{ended}")


@disaster.command("declare")
@click.argument("name")
@click.option("--prefecture", "prefectures", multiple=True, required=True,
              help="都道府県コード (01–47); repeat for several.")
@click.option("--municipality", "municipalities", multiple=True,
              help="市区町村 (全国地方公共団体コード, 6 digits); only these are covered.")
@click.option("--from", "starts", required=True, help=f"Start, {_INSTANT}.")
@click.option("--to", "ends", required=True, help=f"End (exclusive), {_INSTANT}.")
@db_option
@click.pass_context
def disaster_declare(ctx, name, prefectures, municipalities, starts, ends, db) -> None:
    """Declare disaster NAME over an area for a period."""
    view = run_use_case(ctx, db, service.declare, name=name, prefectures=list(prefectures),
                        municipalities=list(municipalities),
                        starts_at=parse_instant(starts, field="--from"),
                        ends_at=parse_instant(ends, field="--to"))
    click.echo(_show(view))


@disaster.command("list")
@db_option
@click.pass_context
def disaster_list(ctx: click.Context, db: str | None) -> None:
    """List declarations with their status at business now."""
    for view in run_use_case(ctx, db, service.disaster_list):
        click.echo(_show(view))


@disaster.command("extend")
@click.argument("name")
@click.option("--to", "ends", required=True, help=f"New end (exclusive), {_INSTANT}.")
@click.option("--prefecture", "prefectures", multiple=True,
              help="Extend only in this prefecture (repeatable).")
@click.option("--municipality", "municipalities", multiple=True,
              help="Extend only in this municipality (repeatable).")
@db_option
@click.pass_context
def disaster_extend(ctx, name, ends, prefectures, municipalities, db) -> None:
    """Extend disaster NAME, in part of its area (default: all of it)."""
    view = run_use_case(ctx, db, service.extend, name=name,
                        ends_at=parse_instant(ends, field="--to"),
                        prefectures=list(prefectures), municipalities=list(municipalities))
    click.echo(_show(view))


@disaster.command("end")
@click.argument("name")
@click.option("--at", "at", help=f"When it ends (default business now), {_INSTANT}.")
@db_option
@click.pass_context
def disaster_end(ctx: click.Context, name: str, at: str | None, db: str | None) -> None:
    """End disaster NAME early, in every part of its area."""
    view = run_use_case(ctx, db, service.end, name=name,
                        at=parse_instant(at, field="--at") if at else None)
    click.echo(_show(view))

"""``oqs-sim generate`` (a synthetic population) and ``oqs-sim store`` (stats, digest)."""

from __future__ import annotations

import json
import os

import click

from .common import Commands, db_option, engine_of, refuse_in_memory, settings_of

__all__ = ["generate", "store_group", "generate_population"]


def generate_population(engine, *, persons: int, seed: int, workers: int,
                        progress: bool = True, **options):
    """Generate with a progress bar (rate, ETA) on the terminal; return the result."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from ..clock import SimulatedClock
    from ..population.service import generate as run

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
               TaskProgressColumn(), "[cyan]{task.fields[rate]} persons/s", TimeElapsedColumn(),
               "ETA", TimeRemainingColumn())
    with Progress(*columns, disable=not progress, transient=False) as bar:
        task = bar.add_task("generating", total=persons, rate="–")

        def show(done: int, total: int) -> None:
            elapsed = bar.tasks[0].elapsed or 0
            rate = f"{(done - start[0]) / elapsed:,.0f}" if elapsed > 0.5 else "–"
            bar.update(task, completed=done, total=total, rate=rate)

        start = [0]

        def first(done: int, total: int) -> None:
            start[0] = done
            callback[0] = show
            show(done, total)

        callback = [first]
        return run(engine, clock=SimulatedClock(engine), persons=persons, seed=seed,
                   workers=workers, on_progress=lambda d, t: callback[0](d, t), **options)


@click.command()
@click.option("--persons", "-n", required=True, type=click.IntRange(1, 10**8),
              help="How many persons the population has in all.")
@click.option("--seed", default=1, show_default=True, type=click.IntRange(0, 2**31 - 1),
              help="The master seed: the same seed and N give the same store.")
@click.option("--workers", default=min(2, os.cpu_count() or 1), show_default=True,
              type=click.IntRange(0, 64),
              help="Processes that make households while this one writes (0: none).")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
              help="The date the population is drawn for (default: the business date).")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1, 10**6),
              help="Households written per transaction.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@db_option
@click.pass_context
def generate(ctx: click.Context, persons: int, seed: int, workers: int, as_of, batch: int,
             quiet: bool, db: str | None) -> None:
    """Generate a synthetic Japanese population at the business date.

    Runs in batches of whole households; when stopped (Ctrl-C, a kill) the store keeps the
    batches written, and the same command resumes. The same seed with a larger N extends the
    population, leaving its first persons as they were.
    """
    from ..migrate import upgrade

    refuse_in_memory(settings_of(ctx, db).database_url)
    with engine_of(ctx, db) as engine:
        upgrade(engine)
        try:
            result = generate_population(
                engine, persons=persons, seed=seed, workers=workers, progress=not quiet,
                as_of=as_of.date() if as_of else None, batch_households=batch)
        except KeyboardInterrupt:
            raise click.ClickException(
                "interrupted: the households written so far are kept; run the same command "
                "again to resume") from None
    added = ", ".join(f"{name} {count:,}" for name, count in result.counts.items())
    verb = "resumed" if result.resumed else "generated"
    click.echo(f"{verb} run {result.run} (seed {result.seed}, business date "
               f"{result.today.isoformat()}): {result.persons:,} persons; added {added}")


@click.group("store", cls=Commands)
def store_group() -> None:
    """What the store holds: statistics and a digest."""


@store_group.command("stats")
@click.option("--sample", default=2000, show_default=True, type=click.IntRange(1, 10**6),
              help="Lookups asked to measure the validity shares.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@click.pass_context
def store_stats(ctx: click.Context, sample: int, as_json: bool, db: str | None) -> None:
    """Counts by insurer kind, age band, validity, card holding, drugs and checkups."""
    from ..clock import SimulatedClock
    from ..population.report import store_stats as stats_of

    with engine_of(ctx, db, migrated=True) as engine:
        stats = stats_of(engine, clock=SimulatedClock(engine), sample=sample)
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    click.echo(f"business time {stats['business_time']}  persons {stats['persons']:,}")
    for section in ("age_bands", "insurer_kinds"):
        click.echo(f"{section}:")
        for name, value in stats.get(section, {}).items():
            click.echo(f"  {name:<10} {value['count']:>12,}  {value['share']:7.2%}")
    if "cards" in stats:
        cards = stats["cards"]
        click.echo(f"my number cards held {cards['held']['share']:.1%}, registered for "
                   f"insurance use {cards['registered_for_insurance']['share']:.1%} of them")
        medical = stats["medical"]
        click.echo(f"drug lines per person {medical['drug_lines_per_person']}, checkups per "
                   f"person {medical['checkups_per_person']}")
        validity = stats["validity"]
        click.echo(f"validity of {validity['lookups']} lookups by card items (with 枝番 / "
                   "without):")
        for code in "12345":
            click.echo(f"  {code}  {validity['with_branch'][code]['share']:7.2%}  "
                       f"{validity['without_branch'][code]['share']:7.2%}")


@store_group.command("digest")
@db_option
@click.pass_context
def store_digest(ctx: click.Context, db: str | None) -> None:
    """SHA-256 of the population's tables: equal digests, equal stores."""
    from ..population.report import store_digest as digest_of

    with engine_of(ctx, db, migrated=True) as engine:
        digests = digest_of(engine)
    for name, value in digests.items():
        click.echo(f"{value}  {name}")

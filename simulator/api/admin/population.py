"""``/sim/v1/population``: generate a synthetic population, and look at the store's."""

from __future__ import annotations

from ...population.report import store_digest, store_stats
from ...population.service import generate
from ...registry.errors import InvalidInput
from ...runtime import current_runtime
from . import bp
from .body import json_object

#: An HTTP request waits for the whole run; larger populations go through ``oqs-sim generate``.
MAX_PERSONS_OVER_HTTP = 100_000


@bp.post("/population")
def post_population():
    """Body: ``{"persons": N, "seed": S}`` (seed 1 by default)."""
    body = json_object()
    persons, seed = body.get("persons"), body.get("seed", 1)
    if isinstance(persons, int) and not isinstance(persons, bool) and \
            persons > MAX_PERSONS_OVER_HTTP:
        raise InvalidInput("persons", f"APIでは{MAX_PERSONS_OVER_HTTP}人までです。それ以上は"
                           "oqs-sim generate を使ってください。")
    runtime = current_runtime()
    result = generate(runtime.engine, clock=runtime.clock, persons=persons, seed=seed)
    return {"run": result.run, "seed": result.seed, "business_date": result.today.isoformat(),
            "persons": result.persons, "added": result.added, "resumed": result.resumed,
            "rows": result.counts}


@bp.get("/population/stats")
def get_population_stats():
    runtime = current_runtime()
    return store_stats(runtime.engine, clock=runtime.clock, sample=500)


@bp.get("/population/digest")
def get_population_digest():
    return store_digest(current_runtime().engine)

"""Property (DESIGN §7): no drug or checkup record ever leaves without a live consent of that
kind for that institution, and every access is in the audit trail with its basis.

Hypothesis draws whole stores (persons, drug lines from the three sources with their arrival,
checkups with their upload, consents given, expiring and withdrawn at random instants, for
several institutions and kinds) and a series of requests at random business times. The oracle
below recomputes "is there a live consent" from the drawn data alone, without the rules module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.clock import FixedClock
from simulator.registry import medical_services
from simulator.registry.medical import (
    Checkup,
    CheckupResult,
    Consent,
    DrugRecord,
    DrugSource,
    InfoKind,
    WithdrawReason,
)
from simulator.registry.unit_of_work import SqlUnitOfWork
from tests.builders import at, institution, person, record

T0 = at(2026, 6, 1, 9)
BIRTHDATE = dt.date(1970, 1, 1)  # 40–74 for every exam date drawn
INSTITUTIONS = ("1311000002", "1311000010", "1341000006")
KINDS = (InfoKind.DRUG, InfoKind.CHECKUP, InfoKind.DIAGNOSIS)
HOURS = st.integers(min_value=-24 * 60, max_value=24 * 60)


@dataclass(frozen=True)
class DrawnConsent:
    person: int
    institution: int
    kind: InfoKind
    given: int  # hours from T0
    lasts: int | None  # hours; None: while care continues
    withdrawn_after: int | None  # hours after given


@dataclass(frozen=True)
class Request:
    institution: int
    person: int
    kind: InfoKind
    at: dt.datetime


def _hours(n: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def _edges(drawn: DrawnConsent) -> list[dt.datetime]:
    """The instants where the consent starts, expires or is withdrawn."""
    given_at = _hours(drawn.given)
    offsets = [0, drawn.lasts, drawn.withdrawn_after]
    return [given_at + dt.timedelta(hours=h) for h in offsets if h is not None]


consents = st.builds(
    DrawnConsent,
    person=st.integers(0, 2), institution=st.integers(0, 2), kind=st.sampled_from(KINDS),
    given=HOURS, lasts=st.one_of(st.none(), st.integers(1, 72)),
    withdrawn_after=st.one_of(st.none(), st.integers(0, 48)),
)
drugs = st.tuples(st.integers(0, 2), st.integers(-1400, 20), st.sampled_from(list(DrugSource)),
                  st.integers(0, 24 * 80))
checkups = st.tuples(st.integers(0, 2), st.integers(-2000, 20), st.integers(0, 120))


@st.composite
def requests(draw, drawn_consents: list[DrawnConsent]) -> Request:
    """A request at a random instant, or (often) one second around a consent's edge, for the
    same person, institution and kind or another."""
    kinds = (InfoKind.DRUG, InfoKind.CHECKUP)
    edges = [(e, c) for c in drawn_consents for e in _edges(c)]
    if edges and draw(st.integers(0, 2)):
        edge, consent = draw(st.sampled_from(edges))
        instant = edge + dt.timedelta(seconds=draw(st.sampled_from((0, 0, -1, 1))))
        if consent.kind in kinds and draw(st.integers(0, 3)):  # the consent's own triple
            return Request(consent.institution, consent.person, consent.kind, instant)
    else:
        instant = _hours(draw(st.integers(-24 * 60, 24 * 70)))
    return Request(draw(st.integers(0, 2)), draw(st.integers(0, 2)), draw(st.sampled_from(kinds)),
                   instant)


def _live(drawn: DrawnConsent, instant: dt.datetime) -> bool:
    """The oracle: given ≤ T < given + lasts, and not withdrawn by T."""
    given_at = _hours(drawn.given)
    if instant < given_at:
        return False
    if drawn.withdrawn_after is not None and instant >= given_at + dt.timedelta(
            hours=drawn.withdrawn_after):
        return False
    return drawn.lasts is None or instant < given_at + dt.timedelta(hours=drawn.lasts)


def _consent(drawn: DrawnConsent, person_id: int) -> Consent:
    given_at = _hours(drawn.given)
    until = None if drawn.lasts is None else given_at + dt.timedelta(hours=drawn.lasts)
    withdrawn = (None if drawn.withdrawn_after is None
                 else given_at + dt.timedelta(hours=drawn.withdrawn_after))
    return Consent(person_id, INSTITUTIONS[drawn.institution], drawn.kind, given_at, until,
                   withdrawn_at=withdrawn,
                   withdraw_reason=WithdrawReason.BY_PATIENT if withdrawn else None)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), T0.tzinfo)


def _build(engine, drawn_drugs, drawn_checkups, drawn_consents):
    """Write a fresh store; return person ids and {consent id: drawn consent}."""
    with SqlUnitOfWork(engine) as uow:
        repo = uow.repo
        repo.delete_registry()
        if repo.get_insurer("06130017") is None:
            repo.add_insurer(record().insurer)
        for code in INSTITUTIONS:
            if repo.get_institution(code) is None:
                repo.add_institution(institution(code, name=f"医療機関{code}"))
        ids = []
        for index in range(3):
            person_id = repo.add_person(person(birthdate=BIRTHDATE))
            repo.add_qualification(record(person_id, number=f"{500 + index}",
                                          birthdate=BIRTHDATE))
            ids.append(person_id)
        for who, day, source, delay in drawn_drugs:
            dispensed = T0.date() + dt.timedelta(days=day)
            visible = _midnight(dispensed) + dt.timedelta(hours=delay)
            repo.add_drug(DrugRecord(ids[who], source, dispensed, "620098801", "ロキソニン錠",
                                     visible_at=visible, dispensing_code="1341000006"))
        for who, day, delay in drawn_checkups:
            exam = T0.date() + dt.timedelta(days=day)
            visible = _midnight(exam) + dt.timedelta(days=delay)
            repo.add_checkup(Checkup(ids[who], exam, (CheckupResult("9N001000000000001",
                                                                    "170.0"),), visible))
        stored = {repo.add_consent(_consent(c, ids[c.person])): c for c in drawn_consents}
        uow.commit()
    return ids, stored


def _ask(engine, request: Request, person_number: str):
    service = (medical_services.drug_information if request.kind is InfoKind.DRUG
               else medical_services.checkup_information)
    return service(
        uow=SqlUnitOfWork(engine), clock=FixedClock(request.at),
        institution=INSTITUTIONS[request.institution],
        request={"InsurerNumber": "06130017", "InsuranceCardSymbol": "1234",
                 "InsuredPersonIdentificationNumber": person_number, "BranchNumber": "00",
                 "FileCategory": "2"},
    )


def _audit(engine):
    with SqlUnitOfWork(engine) as uow:
        return uow.repo.audit()


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param(
    "postgresql", marks=pytest.mark.postgresql)], indirect=True)
@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(drawn_drugs=st.lists(drugs, max_size=8), drawn_checkups=st.lists(checkups, max_size=5),
       drawn_consents=st.lists(consents, min_size=1, max_size=8), data=st.data())
def test_information_leaves_only_with_a_live_consent_and_is_always_audited(
    engine, drawn_drugs, drawn_checkups, drawn_consents, data
) -> None:
    asked = data.draw(st.lists(requests(drawn_consents), min_size=1, max_size=8), label="asked")
    ids, stored = _build(engine, drawn_drugs, drawn_checkups, drawn_consents)
    audited = len(_audit(engine))

    for request in asked:
        instant = request.at
        answer = _ask(engine, request, f"{500 + request.person}")
        person_id, institution_code = ids[request.person], INSTITUTIONS[request.institution]
        live = {cid for cid, c in stored.items()
                if (c.person, c.institution, c.kind)
                == (request.person, request.institution, request.kind) and _live(c, instant)}
        returned = answer.drugs if request.kind is InfoKind.DRUG else answer.checkups

        if live:
            assert answer.refusal is None
            assert (answer.basis.name, answer.basis.id in live) == ("consent", True)
        else:
            assert (answer.refusal, returned, answer.basis) == ("consent_missing", (), None)
        assert all(r.person_id == person_id and r.visible_at <= instant for r in returned)

        trail = _audit(engine)
        assert len(trail) == audited + 1
        audited += 1
        entry = max(trail, key=lambda e: e.id)  # the newest, whatever its business time
        assert (entry.institution_code, entry.person_id, entry.kind, entry.at) == (
            institution_code, person_id, request.kind.value, instant)
        assert (entry.basis, entry.basis_id, entry.count) == (
            ("consent", answer.basis.id, len(returned)) if live
            else ("none", None, 0))
        assert entry.outcome == ("ok" if live else "consent_missing")

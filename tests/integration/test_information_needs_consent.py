"""Property: no drug or checkup record ever leaves without a live consent of that
kind for that institution, or an active disaster declaration covering that institution, or the
institution's active emergency mode; nobody is found without a card except under the last two;
and every access is in the audit trail with its basis.

Hypothesis draws whole stores (persons, drug lines from the three sources with their arrival,
checkups with their upload, consents given, expiring and withdrawn at random instants, for
several institutions and kinds; disaster declarations over prefectures or municipalities, some
extended in part or ended early; emergency modes, some open-ended or ended by hand) and a
series of requests at random business times, half of them within a second of an edge. The
oracle below recomputes the basis from the drawn data alone, without the rules modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator.clock import FixedClock
from simulator.consent.model import Consent, InfoKind, WithdrawReason
from simulator.disaster_mode.emergency import EmergencyMode
from simulator.disaster_mode.model import Disaster, Extension
from simulator.disaster_mode.search_service import search_without_card
from simulator.medical import service as medical_services
from simulator.medical.model import Checkup, CheckupResult, DrugRecord, DrugSource
from simulator.store import SqlUnitOfWork
from tests.builders import at, institution, person, record

T0 = at(2026, 6, 1, 9)
BIRTHDATE = dt.date(1970, 1, 1)  # 40–74 for every exam date drawn
INSTITUTIONS = ("1311000002", "1711000008", "1341000006")
#: Where each institution is: 都道府県 and 市区町村 (千代田区, 輪島市, 中央区).
PLACES = (("13", "131016"), ("17", "172049"), ("13", "131024"))
TOWNS = {"13": ("131016", "131024"), "17": ("172049",)}
KINDS = (InfoKind.DRUG, InfoKind.CHECKUP, InfoKind.DIAGNOSIS)
SEARCH = "search"  # a request kind: the search without a card
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
class DrawnDisaster:
    prefectures: tuple[str, ...]
    municipalities: tuple[str, ...]  # empty: whole prefectures
    start: int  # hours from T0
    lasts: int  # hours
    extension: tuple[int, str] | None  # (more hours, "" for the whole area or a place named)
    ended_after: int | None  # hours after start


@dataclass(frozen=True)
class DrawnMode:
    institution: int
    start: int  # hours from T0
    lasts: int | None  # hours; None: until ended
    ended_after: int | None  # hours after start


@dataclass(frozen=True)
class Request:
    institution: int
    person: int
    kind: InfoKind | str
    at: dt.datetime


def _hours(n: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def _edges(drawn) -> list[dt.datetime]:
    """The instants where a consent, declaration or emergency mode starts or stops."""
    if isinstance(drawn, DrawnConsent):
        start, offsets = drawn.given, [0, drawn.lasts, drawn.withdrawn_after]
    else:
        start, offsets = drawn.start, [0, drawn.lasts, drawn.ended_after]
        if isinstance(drawn, DrawnDisaster) and drawn.extension:
            offsets.append(drawn.lasts + drawn.extension[0])
    return [_hours(start) + dt.timedelta(hours=h) for h in offsets if h is not None]


consents = st.builds(
    DrawnConsent,
    person=st.integers(0, 2), institution=st.integers(0, 2), kind=st.sampled_from(KINDS),
    given=HOURS, lasts=st.one_of(st.none(), st.integers(1, 72)),
    withdrawn_after=st.one_of(st.none(), st.integers(0, 48)),
)
drugs = st.tuples(st.integers(0, 2), st.integers(-1400, 20), st.sampled_from(list(DrugSource)),
                  st.integers(0, 24 * 80))
checkups = st.tuples(st.integers(0, 2), st.integers(-2000, 20), st.integers(0, 120))
modes = st.builds(DrawnMode, institution=st.integers(0, 2), start=HOURS,
                  lasts=st.one_of(st.none(), st.integers(1, 48)),
                  ended_after=st.one_of(st.none(), st.integers(0, 48)))


@st.composite
def disasters(draw) -> DrawnDisaster:
    """A declaration over one or both prefectures, or over some of their municipalities."""
    prefectures = tuple(sorted(draw(st.sets(st.sampled_from(("13", "17")), min_size=1))))
    towns = [t for p in prefectures for t in TOWNS[p]]
    municipalities = tuple(sorted(draw(st.sets(st.sampled_from(towns)))))
    if municipalities:
        prefectures = tuple(sorted({t[:2] for t in municipalities}))
    places = ["", *prefectures, *(municipalities or towns)]
    extension = draw(st.one_of(st.none(), st.tuples(st.integers(1, 96),
                                                    st.sampled_from(places))))
    return DrawnDisaster(prefectures, municipalities, draw(HOURS), draw(st.integers(1, 96)),
                         extension, draw(st.one_of(st.none(), st.integers(0, 120))))


@st.composite
def requests(draw, drawn: list) -> Request:
    """A request at a random instant, or (often) one second around an edge of a consent, a
    declaration or an emergency mode; for a consent often its own person, institution and
    kind, for a mode its own institution."""
    kinds = (InfoKind.DRUG, InfoKind.CHECKUP, SEARCH)
    edges = [(e, c) for c in drawn for e in _edges(c)]
    institution = None
    if edges and draw(st.integers(0, 2)):
        edge, source = draw(st.sampled_from(edges))
        instant = edge + dt.timedelta(seconds=draw(st.sampled_from((0, 0, -1, 1))))
        if (isinstance(source, DrawnConsent) and source.kind in kinds
                and draw(st.integers(0, 3))):  # the consent's own triple
            return Request(source.institution, source.person, source.kind, instant)
        if isinstance(source, DrawnMode) and draw(st.integers(0, 3)):
            institution = source.institution
    else:
        instant = _hours(draw(st.integers(-24 * 60, 24 * 70)))
    if institution is None:
        institution = draw(st.integers(0, 2))
    return Request(institution, draw(st.integers(0, 2)), draw(st.sampled_from(kinds)), instant)


def _live(drawn: DrawnConsent, instant: dt.datetime) -> bool:
    """The oracle: given ≤ T < given + lasts, and not withdrawn by T."""
    given_at = _hours(drawn.given)
    if instant < given_at:
        return False
    if drawn.withdrawn_after is not None and instant >= given_at + dt.timedelta(
            hours=drawn.withdrawn_after):
        return False
    return drawn.lasts is None or instant < given_at + dt.timedelta(hours=drawn.lasts)


def _covers(drawn: DrawnDisaster, institution: int, instant: dt.datetime) -> bool:
    """The oracle: the place is in the area, start ≤ T < end (the extension's end where it
    names the place or the whole area; cut by an early end)."""
    prefecture, town = PLACES[institution]
    if not (town in drawn.municipalities if drawn.municipalities
            else prefecture in drawn.prefectures):
        return False
    hours = drawn.lasts
    if drawn.extension and drawn.extension[1] in ("", prefecture, town):
        hours += drawn.extension[0]
    if drawn.ended_after is not None:
        hours = min(hours, drawn.ended_after)
    return _hours(drawn.start) <= instant < _hours(drawn.start + hours)


def _active(drawn: DrawnMode, institution: int, instant: dt.datetime) -> bool:
    """The oracle: its institution, start ≤ T < the earlier of its end and its manual end."""
    ends = [h for h in (drawn.lasts, drawn.ended_after) if h is not None]
    return (drawn.institution == institution and _hours(drawn.start) <= instant
            and (not ends or instant < _hours(drawn.start + min(ends))))


def _disaster(index: int, drawn: DrawnDisaster) -> Disaster:
    starts_at = _hours(drawn.start)
    ends_at = starts_at + dt.timedelta(hours=drawn.lasts)
    extensions = ()
    if drawn.extension:
        more, place = drawn.extension
        extensions = (Extension(ends_at + dt.timedelta(hours=more),
                                (place,) if len(place) == 2 else (),
                                (place,) if len(place) == 6 else ()),)
    ended = (None if drawn.ended_after is None
             else starts_at + dt.timedelta(hours=drawn.ended_after))
    return Disaster(f"災害{index}", drawn.prefectures, drawn.municipalities, starts_at, ends_at,
                    ended, extensions)


def _mode(drawn: DrawnMode) -> EmergencyMode:
    starts_at = _hours(drawn.start)
    return EmergencyMode(
        INSTITUTIONS[drawn.institution], starts_at,
        None if drawn.lasts is None else starts_at + dt.timedelta(hours=drawn.lasts),
        ended_at=(None if drawn.ended_after is None
                  else starts_at + dt.timedelta(hours=drawn.ended_after)))


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


def _build(engine, drawn_drugs, drawn_checkups, drawn_consents, drawn_disasters, drawn_modes):
    """Write a fresh store; return person ids and {id: drawn} of consents, declarations and
    emergency modes."""
    with SqlUnitOfWork(engine) as uow:
        repo = uow.repo
        repo.delete_registry()  # with declarations and emergency modes
        if repo.get_insurer("06130017") is None:
            repo.add_insurer(record().insurer)
        for code, (_, town) in zip(INSTITUTIONS, PLACES, strict=True):
            if repo.get_institution(code) is None:
                repo.add_institution(institution(code, name=f"医療機関{code}",
                                                 municipality=town))
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
        declared = {repo.add_disaster(_disaster(i, d)): d for i, d in enumerate(drawn_disasters)}
        switched = {repo.add_emergency_mode(_mode(m)): m for m in drawn_modes}
        uow.commit()
    return ids, stored, declared, switched


def _ask(engine, request: Request, person_number: str):
    if request.kind == SEARCH:
        return search_without_card(
            uow=SqlUnitOfWork(engine), clock=FixedClock(request.at),
            institution=INSTITUTIONS[request.institution],
            request={"KanaName": "やまだ　たろう", "Birthdate": BIRTHDATE.strftime("%Y%m%d"),
                     "Sex": "1"})
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


def _expected_basis(request: Request, stored, declared, switched) -> tuple[str, set[int]]:
    """The oracle's basis: consent (drug/checkup only), then disaster, then emergency; with
    the ids that may be named."""
    instant, place = request.at, request.institution
    if request.kind != SEARCH:
        live = {cid for cid, c in stored.items()
                if (c.person, c.institution, c.kind)
                == (request.person, request.institution, request.kind) and _live(c, instant)}
        if live:
            return "consent", live
    covering = {did for did, d in declared.items() if _covers(d, place, instant)}
    if covering:
        return "disaster", covering
    active = {mid for mid, m in switched.items() if _active(m, place, instant)}
    return ("emergency", active) if active else ("none", set())


def _check_search(answer, basis: str, allowed: set[int], ids: list[int], new_entries) -> None:
    if basis == "none":
        assert (answer.refusal, answer.candidates, answer.basis) == (
            "disaster_not_covered", (), None)
        assert [(e.basis, e.basis_id, e.person_id, e.outcome) for e in new_entries] == [
            ("none", None, None, "disaster_not_covered")]
        return
    assert answer.refusal is None and answer.basis.name == basis and answer.basis.id in allowed
    # the three persons share カナ, 生年月日 and 性別: an ambiguous search lists them all
    assert sorted(c.person_id for c in answer.candidates) == sorted(ids)
    assert sorted(e.person_id for e in new_entries) == sorted(ids)
    assert {(e.kind, e.basis, e.basis_id, e.count) for e in new_entries} == {
        ("search", basis, answer.basis.id, len(ids))}


def _check_information(answer, request, basis, allowed, person_id, new_entries) -> None:
    returned = answer.drugs if request.kind is InfoKind.DRUG else answer.checkups
    if basis == "none":
        assert (answer.refusal, returned, answer.basis) == ("consent_missing", (), None)
    else:
        assert answer.refusal is None
        assert (answer.basis.name, answer.basis.id in allowed) == (basis, True)
    assert all(r.person_id == person_id and r.visible_at <= request.at for r in returned)
    (entry,) = new_entries
    assert (entry.person_id, entry.kind) == (person_id, request.kind.value)
    assert (entry.basis, entry.basis_id, entry.count, entry.outcome) == (
        (basis, answer.basis.id, len(returned), "ok") if basis != "none"
        else ("none", None, 0, "consent_missing"))


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param(
    "postgresql", marks=pytest.mark.postgresql)], indirect=True)
@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(drawn_drugs=st.lists(drugs, max_size=8), drawn_checkups=st.lists(checkups, max_size=5),
       drawn_consents=st.lists(consents, min_size=1, max_size=8),
       drawn_disasters=st.lists(disasters(), max_size=2),
       drawn_modes=st.lists(modes, max_size=2), data=st.data())
def test_information_leaves_only_on_a_live_basis_and_is_always_audited(
    engine, drawn_drugs, drawn_checkups, drawn_consents, drawn_disasters, drawn_modes, data
) -> None:
    drawn = [*drawn_consents, *drawn_disasters, *drawn_modes]
    asked = data.draw(st.lists(requests(drawn), min_size=1, max_size=8), label="asked")
    ids, stored, declared, switched = _build(engine, drawn_drugs, drawn_checkups,
                                             drawn_consents, drawn_disasters, drawn_modes)
    audited = len(_audit(engine))

    for request in asked:
        answer = _ask(engine, request, f"{500 + request.person}")
        basis, allowed = _expected_basis(request, stored, declared, switched)
        event(f"{'search' if request.kind == SEARCH else 'information'} on basis {basis}")

        trail = sorted(_audit(engine), key=lambda e: e.id)
        new_entries = trail[audited:]
        audited = len(trail)
        assert all((e.institution_code, e.at) == (INSTITUTIONS[request.institution], request.at)
                   for e in new_entries)
        if request.kind == SEARCH:
            _check_search(answer, basis, allowed, ids, new_entries)
        else:
            _check_information(answer, request, basis, allowed, ids[request.person],
                               new_entries)

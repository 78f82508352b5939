"""``oqs-sim scenario check``: run scenario files against their expectations (docs/scenarios.md).

Each file gets a fresh store (a new SQLite file from a migrated template). The cast is loaded,
then the business clock walks through ``timeline`` and ``expect`` in time order: at each step
the clock is set to the step's instant, an event is applied, a query is asked through the public
interface of its route (:mod:`.scenario_ask`): the Web API, the virtual card reader, or the XML
file interface. Only the result keys an expectation gives are compared.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from .. import create_app, migrate
from ..auth import hash_password
from ..clock import wall_now
from ..config import consent_hours
from ..db import make_engine
from ..profiles import Profiles, load_profiles
from ..registry.errors import InvalidInput, OqsError
from ..timeline import apply_event
from .ask import Asker
from .load import Scenario, ScenarioError, event_context, load_scenario, parse_scenario

__all__ = ["Outcome", "FileReport", "check_files", "render_table", "junit_xml"]

LOGIN = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"
SEARCH = "/oqs-api-pro/MSA01030/ILI01030SV01/search"


@dataclass
class Outcome:
    """One expectation: what was asked, what was expected, what came back."""

    index: int
    at: dt.datetime
    route: str
    query: Mapping[str, Any]
    expected: Mapping[str, Any]
    actual: Mapping[str, Any]

    @property
    def differences(self) -> list[str]:
        return _differences(self.expected, self.actual)

    @property
    def ok(self) -> bool:
        return not self.differences


def _differences(expected: Mapping[str, Any], actual: Mapping[str, Any],
                 prefix: str = "") -> list[str]:
    """Only the keys given are compared, at every level: a mapping expected (a bulk result's
    ``units`` or ``validities``) is compared key by key with the mapping that came back."""
    found = []
    for key, want in expected.items():
        got = actual.get(key)
        if isinstance(want, Mapping) and isinstance(got, Mapping):
            found += _differences(want, got, f"{prefix}{key}.")
        elif got != want:
            found.append(f"{prefix}{key}: expected {want!r}, got {got!r}")
    return found


@dataclass
class FileReport:
    source: str
    name: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    error: str | None = None  # the file could not be read, loaded or walked

    @property
    def ok(self) -> bool:
        return self.error is None and all(outcome.ok for outcome in self.outcomes)


# -- walking a file ---------------------------------------------------------------------------


class _Walker:
    """One file's fresh store, app and logged-in institutions."""

    def __init__(self, scenario: Scenario, url: str, profiles: Profiles, pki: Path) -> None:
        self.scenario = scenario
        self.profiles = profiles
        self.app = create_app({"database_url": url, "admin_token": secrets.token_urlsafe(16),
                               "secret_key": secrets.token_urlsafe(16), "pki_dir": str(pki)})
        self.runtime = self.app.extensions["oqs"]
        self.passwords: dict[str, tuple[str, str]] = {}
        self.bundles: dict[str, object] = {}  # card bundles by person handle, in memory only
        self.asker = Asker(client=self.app.test_client(), runtime=self.runtime,
                           scenario=scenario.name, passwords=self.passwords,
                           bundles=self.bundles)

    def close(self) -> None:
        self.runtime.engine.dispose()

    def load(self) -> None:
        load_scenario(uow=self.runtime.uow(), scenario=self.scenario, profiles=self.profiles,
                      password_hash=hash_password, wall=wall_now(), timeline=False,
                      jpki=self.runtime.jpki, consent_hours=consent_hours(self.runtime.settings),
                      on_card=self.bundles.__setitem__)
        self._accounts()

    def _accounts(self) -> None:
        """Every institution of the file can log in; one without an account gets one here."""
        with self.runtime.uow() as uow:
            for item in self.scenario.document.get("institutions", []):
                account = item.get("account")
                if account is None:
                    account = {"user": f"check-{item['code']}",
                               "password": secrets.token_urlsafe(12)}
                    uow.repo.set_account(item["code"], account=account["user"],
                                         password_hash=hash_password(account["password"]))
                self.passwords[item["code"]] = (account["user"], account["password"])
            uow.commit()
        for code in self.passwords:  # before any fault of the timeline can refuse the login
            self.asker.login(code)

    def walk(self) -> list[Outcome]:
        outcomes = []
        for at, part, index, item in self.scenario.steps():
            self.runtime.clock.set(at, frozen=True)
            if part == "timeline":
                self._apply(item, index)
            else:
                outcomes.append(self._expect(at, index, item))
        return outcomes

    def _apply(self, item: Mapping[str, Any], index: int) -> None:
        with self.runtime.uow() as uow:
            context = event_context(uow.repo, self.scenario, self.profiles,
                                    consent_hours=consent_hours(self.runtime.settings))
            apply_event(context, item, f"timeline[{index}]")
            uow.commit()
        self.runtime.faults.invalidate()  # the event may have started or ended a fault

    def _expect(self, at: dt.datetime, index: int, item: Mapping[str, Any]) -> Outcome:
        query = item["query"]
        try:
            actual = self.asker.ask(item["institution"], query)
        except InvalidInput as error:
            raise ScenarioError(self.scenario.source, f"expect[{index}].{error.field}",
                                error.reason) from None
        return Outcome(index, at, query["route"], query, item["result"], actual)


# -- running files -----------------------------------------------------------------------------


def _template(directory: Path) -> Path:
    path = directory / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    return path


def _check_one(path: Path, template: Path, directory: Path, profiles: Profiles) -> FileReport:
    report = FileReport(str(path))
    try:
        scenario = parse_scenario(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as error:
        report.error = f"{path}: cannot read: {error}"
        return report
    except ScenarioError as error:
        report.error = error.message
        return report
    report.name = scenario.name
    store = directory / f"{scenario.name}.db"
    shutil.copyfile(template, store)
    walker = _Walker(scenario, f"sqlite:///{store}", profiles, directory / "pki")
    try:
        walker.load()
        report.outcomes = walker.walk()
    except ScenarioError as error:
        report.error = error.message
    except OqsError as error:
        report.error = f"{path}: {error.message}"
    finally:
        walker.close()
    return report


def check_files(paths: Iterable[Path]) -> list[FileReport]:
    """Check each file in a fresh store; return one report per file, in the order given."""
    profiles = load_profiles()
    with tempfile.TemporaryDirectory(prefix="oqs-sim-check-") as tmp:
        directory = Path(tmp)
        template = _template(directory)
        return [_check_one(Path(path), template, directory, profiles) for path in paths]


# -- reporting ---------------------------------------------------------------------------------


def _describe(query: Mapping[str, Any]) -> str:
    keys = [k for k in ("person", "reception", "insurer", "symbol", "number", "branch", "date")
            if k in query]
    words = [f"{k}={query[k]}" for k in keys]
    if "items" in query:
        words.append(f"items={len(query['items'])}")
    return " ".join(words)


def render_table(reports: list[FileReport]) -> str:
    """A plain-text table: one line per expectation, a diff under each failure, a total."""
    lines = []
    for report in reports:
        lines.append(f"{report.source} ({report.name or '?'})")
        if report.error:
            lines.append(f"  ERROR {report.error}")
        for outcome in report.outcomes:
            verdict = "ok  " if outcome.ok else "FAIL"
            expected = ", ".join(f"{k}={v}" for k, v in outcome.expected.items())
            lines.append(f"  {verdict} expect[{outcome.index}] {outcome.at:%Y-%m-%d %H:%M} "
                         f"{outcome.route:<14} {_describe(outcome.query)} → {expected}")
            lines.extend(f"         {difference}" for difference in outcome.differences)
    total = sum(len(r.outcomes) for r in reports)
    failed = sum(not o.ok for r in reports for o in r.outcomes)
    broken = sum(r.error is not None for r in reports)
    lines.append(f"{len(reports)} files, {total} expectations, {failed} failed, "
                 f"{broken} files in error")
    return "\n".join(lines)


def junit_xml(reports: list[FileReport]) -> bytes:
    """A JUnit XML report: one testsuite per file, one testcase per expectation."""
    root = ElementTree.Element("testsuites", name="oqs-sim scenario check")
    for report in reports:
        failures = sum(not o.ok for o in report.outcomes)
        suite = ElementTree.SubElement(
            root, "testsuite", name=report.name or report.source,
            tests=str(len(report.outcomes) + (report.error is not None)),
            failures=str(failures), errors=str(int(report.error is not None)))
        if report.error:
            case = ElementTree.SubElement(suite, "testcase", classname=report.name or "scenario",
                                          name="load")
            ElementTree.SubElement(case, "error", message=report.error).text = report.error
        for outcome in report.outcomes:
            case = ElementTree.SubElement(
                suite, "testcase", classname=report.name,
                name=f"expect[{outcome.index}] {outcome.at.isoformat()} {outcome.route}")
            if not outcome.ok:
                message = "; ".join(outcome.differences)
                ElementTree.SubElement(case, "failure", message=message).text = message
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)

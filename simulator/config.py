"""Settings: defaults < TOML file < ``OQS_*`` environment < explicit mapping.

The TOML file is named by ``OQS_CONFIG`` (or ``oqs-sim --config FILE``); its keys are the
setting names below, at top level. Each setting ``x`` is read from the environment as ``OQS_X``.
Unknown keys in the file or the mapping stop start-up with :class:`ConfigError`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["ConfigError", "Settings", "load_settings", "consent_hours", "DEFAULT_DATABASE_URL"]

DEFAULT_DATABASE_URL = "sqlite:///oqs-sim.db"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the source and the key."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    #: Token for the admin API (/sim/v1). None: generated at start-up and printed.
    admin_token: str | None = None
    log_level: str = "INFO"
    #: Institution login: "token" (account and password only) or "certificate" (also the
    #: institution's client certificate: TLS peer, or the trusted proxy's header).
    auth: str = "token"
    #: Key that signs the Web API tokens. None: generated at start-up (one per server).
    secret_key: str | None = None
    #: Lifetime of an idToken in wall-clock seconds.
    token_lifetime: int = 1800
    #: Where the simulator CA and issued certificates live.
    pki_dir: str = "oqs-sim-pki"
    #: Header a trusted TLS-terminating proxy puts the client certificate in (plain mode).
    client_cert_header: str = "X-SSL-Client-Cert"
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = 20_000_000
    #: Longest a request body may take to arrive, in wall-clock seconds (then refused: a
    #: client trickling its body must not hold a server thread for longer).
    body_read_seconds: int = 30
    #: Threads per server worker (``oqs-sim serve``): requests one worker serves at once,
    #: slow clients included. 1: gunicorn's sync worker (one request at a time).
    threads: int = 32
    #: How long a consent given on the card reader lasts (AvailableTime − ConsTime), in hours,
    #: by MedicalTreatmentFlag (OQSCD028): 外来, 訪問診療等, オンライン診療等, 救急時.
    consent_hours_outpatient: int = 24
    consent_hours_home_visit: int = 24
    consent_hours_online: int = 24
    consent_hours_emergency: int = 24
    #: How long a server process may keep its copy of the injected faults, in wall-clock
    #: milliseconds (changes made through this process's admin API apply at once; changes
    #: by another process or the CLI within this delay).
    fault_refresh_ms: int = 1000
    #: 一括照会: most QualificationConfirmSearchInfo in one upload (more: too_many_items); items
    #: the job processes per run (a small number shows 処理中 for longer); how long a finished
    #: job's results stay downloadable, in business hours.
    bulk_max_items: int = 10_000
    bulk_items_per_run: int = 10_000
    bulk_retention_hours: int = 168
    #: Items evaluated and stored per transaction (a crash redoes at most one batch).
    bulk_batch_items: int = 2000


_NAMES = frozenset(f.name for f in fields(Settings))
_INTEGERS = {
    "token_lifetime": (1, 86_400 * 365),
    "max_body_bytes": (1_024, 1_000_000_000),
    "body_read_seconds": (1, 3_600),
    "threads": (1, 1_024),
    "consent_hours_outpatient": (1, 24 * 366),
    "consent_hours_home_visit": (1, 24 * 366),
    "consent_hours_online": (1, 24 * 366),
    "consent_hours_emergency": (1, 24 * 366),
    "fault_refresh_ms": (0, 60_000),
    "bulk_max_items": (1, 1_000_000),
    "bulk_items_per_run": (1, 10_000_000),
    "bulk_retention_hours": (1, 24 * 366),
    "bulk_batch_items": (1, 5_000),  # 3 bound values an item: under every driver's limit
}
_OPTIONAL = {"admin_token", "secret_key"}
_CHOICES = {
    "log_level": ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
    "auth": ("TOKEN", "CERTIFICATE"),
}


def _integer(name: str, value: Any, source: str) -> int:
    low, high = _INTEGERS[name]
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: {name} must be a whole number, got {value!r}") from None
    if isinstance(value, bool) or not low <= number <= high:
        raise ConfigError(f"{source}: {name} must be between {low} and {high}")
    return number


def _checked(name: str, value: Any, source: str) -> Any:
    """Check one value; environment strings become numbers where the setting is a number."""
    if name in _INTEGERS:
        return _integer(name, value, source)
    if value is None and name in _OPTIONAL:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{source}: {name} must be a string, got {value!r}")
    if name in _CHOICES:
        if value.upper() not in _CHOICES[name]:
            choices = ", ".join(c.lower() if name == "auth" else c for c in _CHOICES[name])
            raise ConfigError(f"{source}: {name} must be one of {choices}")
        return value.upper() if name == "log_level" else value.lower()
    return value


def _apply(settings: Settings, values: Mapping[str, Any], source: str) -> Settings:
    unknown = sorted(set(values) - _NAMES)
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(unknown)}")
    return replace(settings, **{k: _checked(k, v, source) for k, v in values.items()})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(f"{path}: configuration file not found") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error


def load_settings(
    mapping: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    toml_path: str | os.PathLike[str] | None = None,
) -> Settings:
    """Build the settings from every source, later sources winning."""
    environ = os.environ if environ is None else environ
    settings = Settings()
    path = toml_path or environ.get("OQS_CONFIG")
    if path:
        settings = _apply(settings, _read_toml(Path(path)), str(path))
    from_env = {name: environ[f"OQS_{name.upper()}"] for name in _NAMES
                if f"OQS_{name.upper()}" in environ}
    settings = _apply(settings, from_env, "environment")
    return _apply(settings, dict(mapping or {}), "create_app mapping")


_CONSENT_SETTINGS = {"1": "consent_hours_outpatient", "2": "consent_hours_home_visit",
                     "3": "consent_hours_online", "4": "consent_hours_emergency"}


def consent_hours(settings: Settings) -> dict[str, int]:
    """Hours a consent lasts, by MedicalTreatmentFlag value ("1".."4")."""
    return {flag: getattr(settings, name) for flag, name in _CONSENT_SETTINGS.items()}

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

__all__ = ["ConfigError", "Settings", "load_settings", "DEFAULT_DATABASE_URL"]

DEFAULT_DATABASE_URL = "sqlite:///oqs-sim.db"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the source and the key."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    #: Token for the admin API (/sim/v1). None: generated at start-up and printed.
    admin_token: str | None = None
    log_level: str = "INFO"


_NAMES = frozenset(f.name for f in fields(Settings))


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _checked(name: str, value: Any, source: str) -> str | None:
    """Every setting so far is a string (admin_token may be absent)."""
    if value is None and name == "admin_token":
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{source}: {name} must be a string, got {value!r}")
    if name == "log_level":
        if value.upper() not in _LOG_LEVELS:
            raise ConfigError(f"{source}: log_level must be one of {', '.join(_LOG_LEVELS)}")
        return value.upper()
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

"""Settings precedence: defaults < TOML file < OQS_* environment < explicit mapping."""

from __future__ import annotations

import pytest

from simulator.config import DEFAULT_DATABASE_URL, ConfigError, load_settings


@pytest.fixture
def toml_file(tmp_path):
    path = tmp_path / "oqs-sim.toml"
    path.write_text('database_url = "sqlite:///from-file.db"\nlog_level = "DEBUG"\n')
    return path


def test_defaults_use_a_sqlite_file_in_the_working_directory() -> None:
    settings = load_settings(environ={})

    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite:///oqs-sim.db"
    assert settings.admin_token is None


def test_the_file_overrides_the_defaults(toml_file) -> None:
    settings = load_settings(environ={}, toml_path=toml_file)

    assert (settings.database_url, settings.log_level) == ("sqlite:///from-file.db", "DEBUG")


def test_the_file_can_be_named_by_oqs_config(toml_file) -> None:
    settings = load_settings(environ={"OQS_CONFIG": str(toml_file)})

    assert settings.database_url == "sqlite:///from-file.db"


def test_the_environment_overrides_the_file(toml_file) -> None:
    environ = {"OQS_DATABASE_URL": "sqlite:///from-env.db", "OQS_ADMIN_TOKEN": "t0ken"}

    settings = load_settings(environ=environ, toml_path=toml_file)

    assert settings.database_url == "sqlite:///from-env.db"
    assert settings.log_level == "DEBUG"  # still from the file
    assert settings.admin_token == "t0ken"


def test_the_explicit_mapping_overrides_everything(toml_file) -> None:
    environ = {"OQS_DATABASE_URL": "sqlite:///from-env.db"}

    settings = load_settings({"database_url": "sqlite://"}, environ=environ, toml_path=toml_file)

    assert settings.database_url == "sqlite://"


def test_an_unknown_key_in_the_file_stops_start_up(tmp_path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('databse_url = "sqlite://"\n')

    with pytest.raises(ConfigError, match="unknown setting.*databse_url"):
        load_settings(environ={}, toml_path=path)


def test_an_unknown_key_in_the_mapping_stops_start_up() -> None:
    with pytest.raises(ConfigError, match="create_app mapping: unknown setting"):
        load_settings({"nope": 1}, environ={})


def test_a_file_that_is_not_toml_is_named_in_the_error(tmp_path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("database_url = \n")

    with pytest.raises(ConfigError, match="broken.toml: not valid TOML"):
        load_settings(environ={}, toml_path=path)


def test_a_missing_file_is_named_in_the_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(environ={}, toml_path=tmp_path / "absent.toml")


def test_a_value_of_the_wrong_type_is_refused(tmp_path) -> None:
    path = tmp_path / "typed.toml"
    path.write_text("database_url = 5\n")

    with pytest.raises(ConfigError, match="database_url must be a string"):
        load_settings(environ={}, toml_path=path)


def test_numbers_from_the_environment_become_numbers() -> None:
    settings = load_settings(environ={"OQS_TOKEN_LIFETIME": "60", "OQS_MAX_BODY_BYTES": "4096"})

    assert (settings.token_lifetime, settings.max_body_bytes) == (60, 4096)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"OQS_TOKEN_LIFETIME": "soon"}, "token_lifetime must be a whole number"),
        ({"OQS_TOKEN_LIFETIME": "0"}, "token_lifetime must be between"),
        ({"OQS_AUTH": "password"}, "auth must be one of token, certificate"),
        ({"OQS_LOG_LEVEL": "loud"}, "log_level must be one of"),
        ({"OQS_BULK_BATCH_ITEMS": "5001"}, "bulk_batch_items must be between 1 and 5000"),
    ],
    ids=["not a number", "zero lifetime", "unknown auth mode", "unknown log level",
         "bulk batch over the bound values a statement may carry"],
)
def test_a_bad_value_is_refused_naming_the_setting(environ, message) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)


def test_choices_are_read_in_any_case() -> None:
    settings = load_settings(environ={"OQS_AUTH": "Certificate", "OQS_LOG_LEVEL": "debug"})

    assert (settings.auth, settings.log_level) == ("certificate", "DEBUG")

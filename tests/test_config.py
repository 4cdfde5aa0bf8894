"""Settings: defaults match the README table; every bad value stops startup with one clear line."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from jarlpm.config import ConfigError, Settings

PRODUCTION = {
    "DATABASE_URL": "postgresql://jarlpm:secret@db.internal:5432/jarlpm",
    "JARLPM_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "PUBLIC_APP_URL": "https://app.jarlpm.example",
    "SMTP_HOST": "smtp.jarlpm.example",
    "SMTP_FROM": "JarlPM <no-reply@jarlpm.example>",
}


@pytest.fixture
def dev_env(tmp_path: Path) -> dict[str, str]:
    return {"JARLPM_DATA_DIR": str(tmp_path / "data")}


def test_defaults_without_database_url_are_development(dev_env) -> None:
    settings = Settings.from_env(dev_env)
    assert settings.env == "development"
    assert settings.uses_embedded_database
    assert (settings.db_pool_size, settings.db_max_overflow, settings.pool_max_size) == (5, 10, 15)
    assert (settings.db_pool_timeout, settings.db_pool_recycle) == (30.0, 1800.0)
    assert settings.db_statement_cache_size == 100
    assert settings.db_reset_on_startup is False
    assert settings.public_app_url == "http://127.0.0.1:3000"
    assert settings.port == 8001


def test_default_data_dir_is_under_the_users_share(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    settings = Settings.from_env({})
    assert settings.data_dir == tmp_path / ".local" / "share" / "jarlpm"


def test_database_url_makes_production_the_default() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.env == "production"
    assert settings.is_production
    assert settings.database_url == PRODUCTION["DATABASE_URL"]


def test_development_key_is_generated_once_with_mode_0600(dev_env) -> None:
    first = Settings.from_env(dev_env)
    key_file = Path(dev_env["JARLPM_DATA_DIR"]) / "encryption.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    Fernet(first.encryption_key.encode())
    assert Settings.from_env(dev_env).encryption_key == first.encryption_key


def test_secrets_stay_out_of_repr() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert "secret" not in repr(settings)
    assert PRODUCTION["JARLPM_ENCRYPTION_KEY"] not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "accepted"),
    [
        ("DB_POOL_SIZE", "abc", "an integer >= 1"),
        ("DB_POOL_SIZE", "0", "an integer >= 1"),
        ("DB_MAX_OVERFLOW", "-1", "an integer >= 0"),
        ("DB_POOL_TIMEOUT", "soon", "a number of seconds > 0"),
        ("DB_POOL_TIMEOUT", "0", "a number of seconds > 0"),
        ("DB_POOL_RECYCLE", "-5", "a number of seconds > 0"),
        ("DB_STATEMENT_CACHE_SIZE", "many", "an integer >= 0"),
        ("DB_RESET_ON_STARTUP", "maybe", "true or false"),
        ("JARLPM_ENV", "staging", "production, development, test"),
        ("PORT", "70000", "an integer from 1 to 65535"),
        ("PUBLIC_APP_URL", "app.example", "an http:// or https:// URL"),
    ],
)
def test_a_bad_value_names_the_variable_the_value_and_what_is_accepted(dev_env, name, value, accepted) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env({**dev_env, name: value})
    message = str(error.value)
    assert name in message and repr(value) in message and accepted in message
    assert "\n" not in message


@pytest.mark.parametrize("missing", ["JARLPM_ENCRYPTION_KEY", "PUBLIC_APP_URL"])
def test_production_requires_its_secrets(missing) -> None:
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    with pytest.raises(ConfigError, match=missing):
        Settings.from_env(env)


def test_a_malformed_encryption_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError, match="JARLPM_ENCRYPTION_KEY") as error:
        Settings.from_env({**PRODUCTION, "JARLPM_ENCRYPTION_KEY": "not-a-fernet-key"})
    assert "not-a-fernet-key" not in str(error.value)


def test_production_needs_a_database_url(dev_env) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        Settings.from_env({**dev_env, "JARLPM_ENV": "production"})


def test_a_database_url_of_another_kind_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL") as error:
        Settings.from_env({**PRODUCTION, "DATABASE_URL": "mysql://root:hunter2@db/x"})
    assert "hunter2" not in str(error.value)


def test_an_unknown_sslmode_is_refused() -> None:
    with pytest.raises(ConfigError, match="sslmode"):
        Settings.from_env({**PRODUCTION, "DATABASE_URL": PRODUCTION["DATABASE_URL"] + "?sslmode=sometimes"})


def test_db_reset_on_startup_is_refused_in_production() -> None:
    with pytest.raises(ConfigError, match="DB_RESET_ON_STARTUP"):
        Settings.from_env({**PRODUCTION, "DB_RESET_ON_STARTUP": "true"})


def test_db_reset_on_startup_is_accepted_in_development(dev_env) -> None:
    env = {**dev_env, "DATABASE_URL": "postgresql://localhost/jarlpm", "JARLPM_ENV": "development"}
    assert Settings.from_env({**env, "DB_RESET_ON_STARTUP": "true"}).db_reset_on_startup is True


def test_account_setting_defaults_outside_production(dev_env) -> None:
    settings = Settings.from_env(dev_env)
    assert settings.cors_origins == ("http://127.0.0.1:3000", "http://localhost:3000")
    assert settings.trust_proxy_headers == 0
    assert settings.email_backend == "console"
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)
    assert settings.test_login is False
    assert settings.rate_limits_enabled is True


def test_account_setting_defaults_in_production() -> None:
    settings = Settings.from_env(PRODUCTION)
    assert settings.cors_origins == ()
    assert settings.email_backend == "smtp"


def test_cors_origins_are_exact_origins() -> None:
    settings = Settings.from_env({**PRODUCTION, "CORS_ORIGINS": "https://app.jarlpm.example, https://jarlpm.example/"})
    assert settings.cors_origins == ("https://app.jarlpm.example", "https://jarlpm.example")


@pytest.mark.parametrize("value", ["*", "https://app.example/path", "app.example"])
def test_a_wildcard_or_non_origin_in_cors_origins_is_refused(value) -> None:
    with pytest.raises(ConfigError, match="CORS_ORIGINS"):
        Settings.from_env({**PRODUCTION, "CORS_ORIGINS": value})


def test_console_email_is_refused_in_production() -> None:
    with pytest.raises(ConfigError, match="EMAIL_BACKEND"):
        Settings.from_env({**PRODUCTION, "EMAIL_BACKEND": "console"})


@pytest.mark.parametrize("missing", ["SMTP_HOST", "SMTP_FROM"])
def test_smtp_needs_a_host_and_a_sender(missing) -> None:
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    with pytest.raises(ConfigError, match=missing):
        Settings.from_env(env)


def test_smtp_password_stays_out_of_repr() -> None:
    assert "hunter2" not in repr(Settings.from_env({**PRODUCTION, "SMTP_PASSWORD": "hunter2"}))


def test_llm_setting_defaults(dev_env) -> None:
    settings = Settings.from_env(dev_env)
    assert settings.billing_enabled is False
    assert settings.llm_base_url("openai") == "https://api.openai.com/v1"
    assert settings.llm_base_url("anthropic") == "https://api.anthropic.com"
    assert settings.llm_base_url("google") == "https://generativelanguage.googleapis.com/v1beta/openai"
    assert settings.llm_default_model("openai") == "gpt-4o"
    assert settings.llm_default_model("local") == "default"
    assert (settings.llm_connect_timeout, settings.llm_read_timeout) == (10.0, 120.0)
    assert settings.llm_allow_private_urls is True
    assert Settings.from_env(PRODUCTION).llm_allow_private_urls is False


@pytest.mark.parametrize("name", ["LLM_OPENAI_BASE_URL", "LLM_ANTHROPIC_BASE_URL", "LLM_GOOGLE_BASE_URL"])
def test_a_provider_url_must_be_http(dev_env, name) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({**dev_env, name: "ftp://files.example"})


@pytest.mark.parametrize("name", ["LLM_CONNECT_TIMEOUT", "LLM_READ_TIMEOUT"])
def test_llm_timeouts_are_positive_numbers(dev_env, name) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({**dev_env, name: "-1"})

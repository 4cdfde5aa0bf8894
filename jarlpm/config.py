"""Settings: one frozen dataclass read from the environment and validated once.

Every invalid value raises ConfigError with one line naming the variable, the value and what is
accepted; the CLI prints that line and exits instead of starting.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from jarlpm.db.urls import connect_target
from jarlpm.usage.prices import PriceFileError, read_price_file

ENVIRONMENTS = ("production", "development", "test")
EMAIL_BACKENDS = ("smtp", "console")
DEVELOPMENT_CORS_ORIGINS = ("http://127.0.0.1:3000", "http://localhost:3000")
DEFAULT_LLM_BASE_URLS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com",
    # Gemini through its OpenAI-compatible endpoint: one SDK path, and the key never rides in a URL.
    "google": "https://generativelanguage.googleapis.com/v1beta/openai",
}
DEFAULT_STRIPE_API_BASE = "https://api.stripe.com"
BILLING_SETTINGS = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_PRICE_MONTHLY", "STRIPE_PRICE_YEARLY")
# Where the trackers are reached (tests point these at fake servers).
DEFAULT_TRACKER_BASE_URLS = {
    "jira_auth": "https://auth.atlassian.com",
    "jira_api": "https://api.atlassian.com",
    "linear_auth": "https://linear.app",
    "linear_api": "https://api.linear.app",
}
DEFAULT_LLM_MODELS = {
    "openai": "gpt-4o",
    "anthropic": "claude-sonnet-4-20250514",
    "google": "gemini-2.0-flash",
    "local": "default",
}
ENCRYPTION_KEY_FILE = "encryption.key"
DEFAULT_PUBLIC_APP_URL = "http://127.0.0.1:3000"

T = TypeVar("T")


class ConfigError(ValueError):
    """A setting has a value the service cannot start with."""


@dataclass(frozen=True)
class TrackerOAuth:
    """This server's OAuth client at a tracker (Jira 3LO, Linear): all three or none are set."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri: str  # the API's own callback URL, registered with the tracker


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str | None = field(default=None, repr=False)
    # The role that owns the tables (migrations, backups, `jarlpm import`); None: DATABASE_URL's.
    migration_database_url: str | None = field(default=None, repr=False)
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_pool_timeout: float = 30.0
    db_pool_recycle: float = 1800.0
    db_statement_cache_size: int = 100
    db_reset_on_startup: bool = False
    db_save_retry_seconds: float = 60.0
    shutdown_grace_seconds: float = 20.0
    data_dir: Path = field(default_factory=lambda: default_data_dir({}))
    encryption_key: str = field(default="", repr=False)
    public_app_url: str = DEFAULT_PUBLIC_APP_URL
    port: int = 8001
    cors_origins: tuple[str, ...] = DEVELOPMENT_CORS_ORIGINS
    trust_proxy_headers: int = 0
    email_backend: str = "console"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    smtp_starttls: bool = True
    test_login: bool = False
    rate_limits_enabled: bool = True
    billing_enabled: bool = False
    llm_openai_base_url: str = DEFAULT_LLM_BASE_URLS["openai"]
    llm_anthropic_base_url: str = DEFAULT_LLM_BASE_URLS["anthropic"]
    llm_google_base_url: str = DEFAULT_LLM_BASE_URLS["google"]
    llm_openai_model: str = DEFAULT_LLM_MODELS["openai"]
    llm_anthropic_model: str = DEFAULT_LLM_MODELS["anthropic"]
    llm_google_model: str = DEFAULT_LLM_MODELS["google"]
    llm_connect_timeout: float = 10.0
    llm_read_timeout: float = 120.0
    llm_allow_private_urls: bool = True
    llm_max_reply_seconds: float = 300.0
    llm_max_reply_chars: int = 200_000
    # A JSON price table replacing the shipped one (jarlpm/usage/prices.py); None: the shipped table.
    llm_prices_file: Path | None = None
    jira_oauth: TrackerOAuth | None = None
    linear_oauth: TrackerOAuth | None = None
    jira_auth_base_url: str = DEFAULT_TRACKER_BASE_URLS["jira_auth"]
    jira_api_base_url: str = DEFAULT_TRACKER_BASE_URLS["jira_api"]
    linear_auth_base_url: str = DEFAULT_TRACKER_BASE_URLS["linear_auth"]
    linear_api_base_url: str = DEFAULT_TRACKER_BASE_URLS["linear_api"]

    stripe_secret_key: str | None = field(default=None, repr=False)
    stripe_webhook_secret: str | None = field(default=None, repr=False)
    stripe_price_monthly: str | None = None
    stripe_price_yearly: str | None = None
    stripe_api_base: str = DEFAULT_STRIPE_API_BASE
    stripe_webhook_tolerance_seconds: int = 300
    redis_url: str | None = field(default=None, repr=False)  # shared rate limits; None: PostgreSQL keeps them
    ai_admission_wait: float | None = None  # None: DB_POOL_TIMEOUT
    ai_admission_queue: int = 1000
    admin_token: str | None = field(default=None, repr=False)
    admin_email_allowlist: tuple[str, ...] = ()
    backup_dir: Path | None = None  # None: <JARLPM_DATA_DIR>/backups
    pg_bin_dir: Path | None = None  # None: the embedded wheel's binaries, else pg_dump on PATH

    @property
    def admission_wait(self) -> float:
        """How long an AI prelude may queue for a connection before 503 SERVICE_BUSY."""
        return self.db_pool_timeout if self.ai_admission_wait is None else self.ai_admission_wait

    @property
    def backups_path(self) -> Path:
        return self.backup_dir or self.data_dir / "backups"

    def tracker_oauth(self, provider: str) -> TrackerOAuth | None:
        """The OAuth client for Jira or Linear; None when the operator has not configured one."""
        return {"jira": self.jira_oauth, "linear": self.linear_oauth}.get(provider)

    def llm_base_url(self, provider: str) -> str:
        """Where a hosted provider is reached (tests point these at the fake)."""
        return {
            "openai": self.llm_openai_base_url,
            "anthropic": self.llm_anthropic_base_url,
            "google": self.llm_google_base_url,
        }[provider]

    def llm_default_model(self, provider: str) -> str:
        return {
            "openai": self.llm_openai_model,
            "anthropic": self.llm_anthropic_model,
            "google": self.llm_google_model,
        }.get(provider, DEFAULT_LLM_MODELS["local"])

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    @property
    def owner_database_url(self) -> str | None:
        """The role that owns the tables (migrations, backups, imports): MIGRATION_DATABASE_URL, else DATABASE_URL."""
        return self.migration_database_url or self.database_url

    @property
    def pool_max_size(self) -> int:
        return self.db_pool_size + self.db_max_overflow

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every setting; outside production, create the data dir's key if missing."""
        env = os.environ if environ is None else environ
        database_url = _optional(env, "DATABASE_URL")
        if database_url is not None:
            _check_database_url(database_url)
        migration_database_url = _optional(env, "MIGRATION_DATABASE_URL")
        if migration_database_url is not None:
            if database_url is None:
                raise ConfigError("MIGRATION_DATABASE_URL is set without DATABASE_URL; set both, or neither")
            _check_database_url(migration_database_url, "MIGRATION_DATABASE_URL")
        app_env = _choice(env, "JARLPM_ENV", ENVIRONMENTS, "development" if database_url is None else "production")
        production = app_env == "production"
        if production and database_url is None:
            raise ConfigError(
                "DATABASE_URL is not set; production needs a postgresql:// URL (the embedded server is for development)"
            )
        reset = _boolean(env, "DB_RESET_ON_STARTUP", False)
        if reset and production:
            raise ConfigError("DB_RESET_ON_STARTUP='true' is refused when JARLPM_ENV=production; accepted there: false")
        data_dir = Path(_optional(env, "JARLPM_DATA_DIR") or default_data_dir(env)).expanduser()
        return cls(
            env=app_env,
            database_url=database_url,
            migration_database_url=migration_database_url,
            db_pool_size=_integer(env, "DB_POOL_SIZE", 5, minimum=1),
            db_max_overflow=_integer(env, "DB_MAX_OVERFLOW", 10, minimum=0),
            db_pool_timeout=_number(env, "DB_POOL_TIMEOUT", 30.0),
            db_pool_recycle=_number(env, "DB_POOL_RECYCLE", 1800.0),
            db_statement_cache_size=_integer(env, "DB_STATEMENT_CACHE_SIZE", 100, minimum=0),
            db_reset_on_startup=reset,
            db_save_retry_seconds=_number(env, "DB_SAVE_RETRY_SECONDS", 60.0),
            shutdown_grace_seconds=_number(env, "SHUTDOWN_GRACE_SECONDS", 20.0),
            data_dir=data_dir,
            encryption_key=_encryption_key(env, production, data_dir),
            public_app_url=_public_app_url(env, production),
            port=_integer(env, "PORT", 8001, minimum=1, maximum=65535),
            cors_origins=_cors_origins(env, production),
            trust_proxy_headers=_integer(env, "TRUST_PROXY_HEADERS", 0, minimum=0, maximum=10),
            **_smtp(env, production),
            test_login=_boolean(env, "JARLPM_TEST_LOGIN", False),
            rate_limits_enabled=_boolean(env, "RATE_LIMITS_ENABLED", True),
            billing_enabled=_boolean(env, "BILLING_ENABLED", False),
            **_llm(env, production),
            **_trackers(env),
            redis_url=_redis_url(env),
            ai_admission_wait=_number(env, "AI_ADMISSION_WAIT", 0.0) if _optional(env, "AI_ADMISSION_WAIT") else None,
            ai_admission_queue=_integer(env, "AI_ADMISSION_QUEUE", 1000, minimum=1),
            **_billing(env),
            **_admin(env, data_dir),
        )


def default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jarlpm"


def _optional(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _parsed(env: Mapping[str, str], name: str, default: T, parse: Callable[[str], T], accepted: str) -> T:
    raw = _optional(env, name)
    if raw is None:
        return default
    try:
        return parse(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is invalid; accepted: {accepted}") from None


def _integer(env: Mapping[str, str], name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    accepted = f"an integer >= {minimum}" if maximum is None else f"an integer from {minimum} to {maximum}"

    def parse(raw: str) -> int:
        value = int(raw)
        if value < minimum or (maximum is not None and value > maximum):
            raise ValueError
        return value

    return _parsed(env, name, default, parse, accepted)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    def parse(raw: str) -> float:
        value = float(raw)
        if not value > 0 or value == float("inf"):
            raise ValueError
        return value

    return _parsed(env, name, default, parse, "a number of seconds > 0")


def _boolean(env: Mapping[str, str], name: str, default: bool) -> bool:
    words = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}

    def parse(raw: str) -> bool:
        if raw.lower() not in words:
            raise ValueError
        return words[raw.lower()]

    return _parsed(env, name, default, parse, "true or false")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    def parse(raw: str) -> str:
        if raw.lower() not in choices:
            raise ValueError
        return raw.lower()

    return _parsed(env, name, default, parse, ", ".join(choices))


def _check_database_url(url: str, name: str = "DATABASE_URL") -> None:
    # The URL may hold a password: name the variable, never echo the value.
    if urlsplit(url).scheme not in ("postgres", "postgresql", "postgresql+asyncpg"):
        raise ConfigError(f"{name} is invalid; accepted: a postgresql://user:password@host:port/dbname URL")
    try:
        connect_target(url)
    except ValueError as error:
        raise ConfigError(f"{name} has an invalid option: {error}") from None


def _public_app_url(env: Mapping[str, str], production: bool) -> str:
    raw = _optional(env, "PUBLIC_APP_URL")
    if raw is None:
        if production:
            raise ConfigError("PUBLIC_APP_URL is not set; production needs the web client's https:// URL")
        return DEFAULT_PUBLIC_APP_URL
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"PUBLIC_APP_URL={raw!r} is invalid; accepted: an http:// or https:// URL")
    return raw.rstrip("/")


def _encryption_key(env: Mapping[str, str], production: bool, data_dir: Path) -> str:
    raw = _optional(env, "JARLPM_ENCRYPTION_KEY")
    if raw is None:
        if production:
            raise ConfigError(
                "JARLPM_ENCRYPTION_KEY is not set; production needs a Fernet key "
                "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
            )
        return _development_key(data_dir)
    if not _is_fernet_key(raw):
        raise ConfigError("JARLPM_ENCRYPTION_KEY is invalid; accepted: a Fernet key (32 url-safe base64-encoded bytes)")
    return raw


def _is_fernet_key(raw: str) -> bool:
    try:
        Fernet(raw.encode())
    except ValueError:
        return False
    return True


def _development_key(data_dir: Path) -> str:
    """The key kept in the data dir, created once (mode 0600) so stored secrets survive restarts."""
    path = data_dir / ENCRYPTION_KEY_FILE
    if path.exists():
        key = path.read_text().strip()
        if not _is_fernet_key(key):
            raise ConfigError(f"{path} does not hold a Fernet key; delete it to generate a new one")
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it first: use theirs
        return _development_key(data_dir)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def _origin(name: str, raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ConfigError(f"{name} has {raw!r}, which is not an origin; accepted: scheme://host[:port], no path")
    return f"{parts.scheme}://{parts.netloc}"


def _cors_origins(env: Mapping[str, str], production: bool) -> tuple[str, ...]:
    raw = _optional(env, "CORS_ORIGINS")
    if raw is None:
        return () if production else DEVELOPMENT_CORS_ORIGINS
    origins = [item.strip() for item in raw.split(",") if item.strip()]
    if "*" in origins:
        # Credentials with a wildcard would let any site act as the signed-in user.
        raise ConfigError("CORS_ORIGINS='*' is refused; accepted: a comma-separated list of exact origins")
    return tuple(_origin("CORS_ORIGINS", origin) for origin in origins)


def _smtp(env: Mapping[str, str], production: bool) -> dict[str, Any]:
    backend = _choice(env, "EMAIL_BACKEND", EMAIL_BACKENDS, "smtp" if production else "console")
    if backend == "console" and production:
        raise ConfigError("EMAIL_BACKEND='console' is refused when JARLPM_ENV=production; accepted there: smtp")
    host = _optional(env, "SMTP_HOST")
    sender = _optional(env, "SMTP_FROM")
    if backend == "smtp" and (host is None or sender is None):
        missing = "SMTP_HOST" if host is None else "SMTP_FROM"
        raise ConfigError(f"{missing} is not set; EMAIL_BACKEND=smtp needs SMTP_HOST and SMTP_FROM")
    return {
        "email_backend": backend,
        "smtp_host": host,
        "smtp_port": _integer(env, "SMTP_PORT", 587, minimum=1, maximum=65535),
        "smtp_username": _optional(env, "SMTP_USERNAME"),
        "smtp_password": _optional(env, "SMTP_PASSWORD"),
        "smtp_from": sender,
        "smtp_starttls": _boolean(env, "SMTP_STARTTLS", True),
    }


def _base_url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = _optional(env, name)
    if raw is None:
        return default
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name}={raw!r} is invalid; accepted: an http:// or https:// URL")
    return raw.rstrip("/")


def _llm(env: Mapping[str, str], production: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for provider in ("openai", "anthropic", "google"):
        upper = provider.upper()
        settings[f"llm_{provider}_base_url"] = _base_url(env, f"LLM_{upper}_BASE_URL", DEFAULT_LLM_BASE_URLS[provider])
        settings[f"llm_{provider}_model"] = _optional(env, f"LLM_{upper}_MODEL") or DEFAULT_LLM_MODELS[provider]
    settings["llm_connect_timeout"] = _number(env, "LLM_CONNECT_TIMEOUT", 10.0)
    settings["llm_read_timeout"] = _number(env, "LLM_READ_TIMEOUT", 120.0)
    settings["llm_allow_private_urls"] = _boolean(env, "LLM_ALLOW_PRIVATE_URLS", not production)
    settings["llm_max_reply_seconds"] = _number(env, "LLM_MAX_REPLY_SECONDS", 300.0)
    settings["llm_max_reply_chars"] = _integer(env, "LLM_MAX_REPLY_CHARS", 200_000, minimum=1)
    settings["llm_prices_file"] = _prices_file(env)
    return settings


def _prices_file(env: Mapping[str, str]) -> Path | None:
    """LLM_PRICES_FILE, read and validated now: a malformed table must stop startup, not misprice calls."""
    raw = _optional(env, "LLM_PRICES_FILE")
    if raw is None:
        return None
    path = Path(raw).expanduser()
    try:
        read_price_file(path)
    except PriceFileError as error:
        raise ConfigError(f"LLM_PRICES_FILE is invalid: {error}") from None
    return path


def _tracker_oauth(env: Mapping[str, str], prefix: str) -> TrackerOAuth | None:
    names = (f"{prefix}_OAUTH_CLIENT_ID", f"{prefix}_OAUTH_CLIENT_SECRET", f"{prefix}_OAUTH_REDIRECT_URI")
    values = [_optional(env, name) for name in names]
    if not any(values):
        return None
    missing = [name for name, value in zip(names, values, strict=True) if value is None]
    if missing:
        raise ConfigError(f"{', '.join(missing)} not set; accepted: all of {', '.join(names)} or none of them")
    client_id, secret, redirect_uri = (value or "" for value in values)
    return TrackerOAuth(client_id, secret, _base_url(env, names[2], redirect_uri))


def _trackers(env: Mapping[str, str]) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "jira_oauth": _tracker_oauth(env, "JIRA"),
        "linear_oauth": _tracker_oauth(env, "LINEAR"),
    }
    for key, default in DEFAULT_TRACKER_BASE_URLS.items():
        settings[f"{key}_base_url"] = _base_url(env, f"{key.upper()}_BASE_URL", default)
    return settings


def _billing(env: Mapping[str, str]) -> dict[str, Any]:
    """Stripe's settings; with BILLING_ENABLED=true every one of them is required (checkout and the
    webhook's signature check cannot work without them)."""
    values = {name: _optional(env, name) for name in BILLING_SETTINGS}
    if _boolean(env, "BILLING_ENABLED", False):
        missing = [name for name, value in values.items() if value is None]
        if missing:
            raise ConfigError(
                f"{', '.join(missing)} not set; BILLING_ENABLED=true needs all of {', '.join(BILLING_SETTINGS)}"
            )
    return {
        "stripe_secret_key": values["STRIPE_SECRET_KEY"],
        "stripe_webhook_secret": values["STRIPE_WEBHOOK_SECRET"],
        "stripe_price_monthly": values["STRIPE_PRICE_MONTHLY"],
        "stripe_price_yearly": values["STRIPE_PRICE_YEARLY"],
        "stripe_api_base": _base_url(env, "STRIPE_API_BASE", DEFAULT_STRIPE_API_BASE),
        "stripe_webhook_tolerance_seconds": _integer(env, "STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1),
    }


def _admin(env: Mapping[str, str], data_dir: Path) -> dict[str, Any]:
    token = _optional(env, "ADMIN_TOKEN")
    if token is not None and len(token) < 32:
        raise ConfigError("ADMIN_TOKEN is too short; accepted: at least 32 characters (a random secret)")
    allowlist = tuple(
        sorted(
            {
                email.strip().lower()
                for email in (_optional(env, "ADMIN_EMAIL_ALLOWLIST") or "").split(",")
                if email.strip()
            }
        )
    )
    backup_dir = _optional(env, "BACKUP_DIR")
    pg_bin_dir = _optional(env, "PG_BIN_DIR")
    return {
        "admin_token": token,
        "admin_email_allowlist": allowlist,
        "backup_dir": Path(backup_dir).expanduser() if backup_dir else None,
        "pg_bin_dir": Path(pg_bin_dir).expanduser() if pg_bin_dir else None,
    }


def _redis_url(env: Mapping[str, str]) -> str | None:
    raw = _optional(env, "REDIS_URL")
    if raw is None:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("redis", "rediss", "unix") or (parts.scheme != "unix" and not parts.netloc):
        raise ConfigError(f"REDIS_URL={raw!r} is invalid; accepted: a redis://, rediss:// or unix:// URL")
    return raw

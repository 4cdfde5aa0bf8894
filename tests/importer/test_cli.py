"""`jarlpm import` as a command: report on stdout, progress on stderr, the old secret never echoed."""

from __future__ import annotations

import argparse
import asyncio
import os

import pytest

from jarlpm.importer import cli
from tests.db.helpers import fetch
from tests.importer import original as o


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="jarlpm")
    cli.add_parser(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["import", *argv])


@pytest.fixture
def environment(monkeypatch, database_url, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in list(os.environ):
        if name.startswith(("JARLPM_", "DATABASE_URL")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("JARLPM_ENV", "test")
    monkeypatch.setenv("JARLPM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JARLPM_ENCRYPTION_KEY", settings.encryption_key)
    monkeypatch.setenv("OLD_JARLPM_SECRET", o.OLD_SECRET)


def test_the_command_imports_reports_and_never_echoes_the_secret(
    original_db, environment, database_url, capsys
) -> None:
    code = cli.run(parse("--from", original_db, "--old-secret-env", "OLD_JARLPM_SECRET"))

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "jarlpm import: 2 of 3 users imported" in out
    assert "links to a story that does not exist (1)" in out
    assert err.splitlines() == ["jarlpm import: users 1/2", "jarlpm import: users 2/2"]
    for secret in (o.OLD_SECRET, o.ALICE_KEY, o.JIRA_TOKEN, original_db, database_url):
        assert secret not in out + err
    assert asyncio.run(fetch(database_url, "SELECT count(*) AS n FROM users"))[0]["n"] == 2


def test_a_dry_run_command_writes_nothing(original_db, environment, database_url, capsys) -> None:
    code = cli.run(parse("--from", original_db, "--dry-run", "--old-secret-env", "OLD_JARLPM_SECRET"))

    out, _ = capsys.readouterr()
    assert code == 0
    assert "dry run: nothing was written" in out and "would write" in out
    assert asyncio.run(fetch(database_url, "SELECT count(*) AS n FROM users"))[0]["n"] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--old-secret-env", "NO_SUCH_VARIABLE"), "NO_SUCH_VARIABLE (--old-secret-env) is not set"),
        (("--from", "mysql://x/y"), "--from takes a postgresql:// URL"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(original_db, environment, capsys, argv, message) -> None:
    args = parse("--from", original_db, *argv) if argv[0] != "--from" else parse(*argv)

    assert cli.run(args) == 2
    assert message in capsys.readouterr().err


def test_a_source_that_is_not_a_jarlpm_database_exits_3(environment, database_url, pg_server, capsys) -> None:  # type: ignore[no-untyped-def]
    url, janitor = pg_server.new_database()
    try:
        assert cli.run(parse("--from", url)) == 3
    finally:
        janitor.drop()
    err = capsys.readouterr().err
    assert "no users table" in err and url not in err

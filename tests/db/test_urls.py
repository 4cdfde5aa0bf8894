from jarlpm.db.urls import connect_target


def test_sslmode_becomes_the_ssl_argument_and_leaves_the_dsn() -> None:
    target = connect_target("postgres://u:p@db:5432/app?sslmode=require&channel_binding=require&application_name=x")
    assert target.ssl == "require"
    assert target.dsn == "postgresql://u:p@db:5432/app?application_name=x"
    assert target.sqlalchemy_url() == "postgresql+asyncpg://u:p@db:5432/app?application_name=x"


def test_no_tls_unless_asked() -> None:
    assert connect_target("postgresql://u@db/app").ssl is False
    assert connect_target("postgresql://u@db/app?sslmode=disable").ssl is False


def test_repr_hides_the_password() -> None:
    assert "p4ss" not in repr(connect_target("postgresql://u:p4ss@db/app"))

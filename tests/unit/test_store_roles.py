"""The audit trail on PostgreSQL: TRUNCATE is refused, and the app runs as a role that owns
nothing (docs/deployment-postgresql.md).

Migrations run as an owner role; ``manage.py grant-app-role`` lets the app's role read and
write the app's tables but only read and append to ``auditentry``. Not owning the table,
the app role cannot drop or disable the triggers that guard it. Everything here except the
statement builder needs PostgreSQL: it runs in CI, and is skipped on a laptop without
``TEST_DATABASE_URL``.
"""

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

import manage
from core.db import get_engine, read_session, write_session
from core.migrate import MigrationNotPermitted, head_revision, store_revision, upgrade_to_head
from core.store_roles import RoleSetupError, app_role_statements, quoted_name
from models import AuditAction, AuditEntry, Sector
from services.actors import SYSTEM
from services.audit import record_audit
from services.demo import PRESETS, load_demo_data

REFUSED = r"permission denied|must be owner"


def _audit_something(engine: Engine) -> None:
    with write_session(engine) as session:
        record_audit(session=session, actor=SYSTEM, action=AuditAction.CREATE, entity="Sector")


def _audit_actors(engine: Engine) -> list[str]:
    with read_session(engine) as session:
        return list(session.exec(select(AuditEntry.actor_name)).all())


# --- the TRUNCATE guard (migration 0005) -----------------------------------------------


def test_truncate_of_audit_is_refused_on_postgresql(postgres_engine):
    _audit_something(postgres_engine)
    with pytest.raises(DBAPIError, match="append-only"), postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE auditentry"))
    assert _audit_actors(postgres_engine) == ["system"]


def test_truncate_cascading_from_the_user_table_cannot_empty_the_audit_trail(postgres_engine):
    _audit_something(postgres_engine)
    with pytest.raises(DBAPIError, match="append-only"), postgres_engine.begin() as connection:
        connection.execute(text("TRUNCATE app_user CASCADE"))
    assert _audit_actors(postgres_engine) == ["system"]


# --- the grants, as statements ---------------------------------------------------------


def test_names_are_quoted_and_anything_but_a_plain_name_is_refused():
    assert quoted_name("liaison_app") == '"liaison_app"'
    for name in ['app"; DROP TABLE member; --', "app role", "1app", "", "a" * 64]:
        with pytest.raises(RoleSetupError):
            quoted_name(name)


def test_the_audit_restriction_comes_after_the_broad_grant():
    statements = app_role_statements(role="liaison_app", schema="public", owner="liaison_owner")
    broad = statements.index(
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "public" TO "liaison_app"'
    )
    narrow = statements.index('REVOKE UPDATE, DELETE ON "public".auditentry FROM "liaison_app"')
    assert broad < narrow
    assert not any("TRUNCATE" in statement and "GRANT" in statement for statement in statements)


# --- the two-role deployment -----------------------------------------------------------


@dataclass(frozen=True)
class Deployment:
    owner: str
    app: str
    schema: str
    owner_url: str
    app_url: str

    @property
    def owner_engine(self) -> Engine:
        return get_engine(self.owner_url)

    @property
    def app_engine(self) -> Engine:
        return get_engine(self.app_url)


def _login_url(admin_url: str, role: str, password: str, schema: str) -> str:
    url = make_url(admin_url).set(username=role, password=password)
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def _grant(url: str, *args: str) -> int:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        return manage.main(["grant-app-role", *args])


@pytest.fixture(scope="module")
def deployment(postgres_url: str) -> Iterator[Deployment]:
    """An owner role and an app role (new, with passwords, dropped afterwards), a schema
    owned by the owner, migrated by the owner, and the app role granted by manage.py."""
    suffix = uuid.uuid4().hex[:10]
    owner, app, schema = f"liaison_owner_{suffix}", f"liaison_app_{suffix}", f"liaison_{suffix}"
    password = secrets.token_hex(16)
    admin = sa_create_engine(postgres_url)
    with admin.begin() as connection:
        for role in (owner, app):
            connection.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"))
        connection.execute(text(f'CREATE SCHEMA "{schema}" AUTHORIZATION "{owner}"'))
    deployed = Deployment(
        owner=owner, app=app, schema=schema,
        owner_url=_login_url(postgres_url, owner, password, schema),
        app_url=_login_url(postgres_url, app, password, schema),
    )
    try:
        upgrade_to_head(deployed.owner_engine)
        assert _grant(deployed.owner_url, app) == 0
        yield deployed
    finally:
        deployed.owner_engine.dispose()
        deployed.app_engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'DROP OWNED BY "{owner}", "{app}"'))
            connection.execute(text(f'DROP ROLE "{owner}", "{app}"'))
        admin.dispose()


def test_the_app_role_starts_and_works_on_a_store_it_does_not_own(deployment):
    app = deployment.app_engine
    upgrade_to_head(app)  # the app's start: a no-op at head, without DDL rights
    assert store_revision(app) == head_revision()
    with write_session(app) as session:
        sector = Sector(organisation_id=1, name="教育界")
        session.add(sector)
        session.flush()
        record_audit(session=session, actor=SYSTEM, action=AuditAction.CREATE, entity="Sector",
                     entity_id=sector.id)
    with write_session(app) as session:
        session.get(Sector, sector.id).sort_order = 3
    with write_session(app) as session:
        session.delete(session.get(Sector, sector.id))
    assert "system" in _audit_actors(app)


def test_the_app_role_loads_demo_data_which_moves_sequences(deployment):
    summary = load_demo_data(engine=deployment.app_engine, actor=SYSTEM, size=PRESETS["small"],
                             seed=1, today=date(2026, 11, 21))
    assert summary.rows["member"] > 0


@pytest.mark.parametrize("statement", [
    "UPDATE auditentry SET actor_name = 'someone else'",
    "DELETE FROM auditentry",
    "TRUNCATE auditentry",
    "TRUNCATE app_user CASCADE",
    "DROP TRIGGER auditentry_no_truncate ON auditentry",
    "DROP TRIGGER auditentry_no_change ON auditentry",
    "ALTER TABLE auditentry DISABLE TRIGGER ALL",
    "DROP TABLE auditentry",
    "SET session_replication_role = replica",
    "UPDATE alembic_version SET version_num = 'f00dfeed9999'",
    "CREATE TABLE escape_hatch (id integer)",
])
def test_the_app_role_cannot_erase_the_audit_trail_or_its_guards(deployment, statement):
    _audit_something(deployment.app_engine)
    before = _audit_actors(deployment.owner_engine)
    with pytest.raises(DBAPIError, match=REFUSED), deployment.app_engine.begin() as connection:
        connection.execute(text(statement))
    assert _audit_actors(deployment.owner_engine) == before


def test_the_app_role_may_truncate_no_table(deployment):
    with deployment.owner_engine.connect() as connection:
        truncatable = connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = :schema AND "
            "has_table_privilege(:app, format('%I.%I', schemaname, tablename), 'TRUNCATE')"
        ), {"schema": deployment.schema, "app": deployment.app}).scalars().all()
    assert truncatable == []


def test_tables_added_by_a_later_migration_are_open_to_the_app_role(deployment):
    with deployment.owner_engine.begin() as connection:
        connection.execute(text("CREATE TABLE later_note (id serial PRIMARY KEY, body text)"))
    with deployment.app_engine.begin() as connection:
        connection.execute(text("INSERT INTO later_note (body) VALUES ('first')"))
        connection.execute(text("UPDATE later_note SET body = 'second'"))
        connection.execute(text("DELETE FROM later_note"))


def test_granting_again_converges_to_the_same_rights(deployment):
    assert _grant(deployment.owner_url, deployment.app) == 0
    with pytest.raises(DBAPIError, match=REFUSED), deployment.app_engine.begin() as connection:
        connection.execute(text("DELETE FROM auditentry"))
    _audit_something(deployment.app_engine)


def test_an_app_role_on_a_store_behind_the_code_is_told_to_migrate_as_the_owner(deployment):
    with deployment.owner_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    try:
        with pytest.raises(MigrationNotPermitted) as caught:
            upgrade_to_head(deployment.app_engine)
        assert "manage.py migrate" in caught.value.params["cause"]
    finally:
        with deployment.owner_engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"),
                               {"head": head_revision()})


@pytest.mark.parametrize(("who", "role", "reason"), [
    ("owner", "liaison_nobody_{suffix}", "does not exist"),
    ("owner", "{superuser}", "superuser"),
    ("owner", "{owner}", "owner"),
    ("app", "{app}", "use the owner role's DATABASE_URL"),
])
def test_grant_app_role_refuses_with_one_line(deployment, postgres_url, capsys, who, role,
                                              reason):
    url = deployment.owner_url if who == "owner" else deployment.app_url
    role = role.format(owner=deployment.owner, app=deployment.app, suffix=uuid.uuid4().hex[:8],
                       superuser=make_url(postgres_url).username)
    assert _grant(url, role) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and reason in error
    assert len(error.strip().splitlines()) == 1

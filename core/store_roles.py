"""The app's own PostgreSQL role: what it may do in a store that another role owns.

Migrations run as an *owner* role, which owns the schema, the tables and the audit trail's
triggers. The app runs as a role of its own that reads and writes the app's tables but may
only read and append to ``auditentry`` and only read the revision stamp. Owning nothing,
it cannot drop or disable a trigger, alter a table or TRUNCATE one, so a compromised app
process cannot erase or rewrite the audit trail. ``manage.py grant-app-role`` runs these
statements as the owner (docs/deployment-postgresql.md).
"""

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from core.db import StoreError, check_connection, redacted

AUDIT_TABLE = "auditentry"
AUDIT_SEQUENCE = "auditentry_id_seq"
VERSION_TABLE = "alembic_version"
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
# UPDATE lets the demo load move a sequence past the ids it wrote (setval).
SEQUENCE_RIGHTS = "USAGE, SELECT, UPDATE"
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")


class RoleSetupError(StoreError):
    """The app role's grants cannot be applied; ``cause`` says why in one line."""


@dataclass(frozen=True)
class AppRoleGrant:
    role: str
    schema: str
    owner: str


def quoted_name(name: str) -> str:
    """``name`` as a quoted identifier. Only plain names (letters, digits, ``_`` and ``$``)
    are accepted, so a name can never carry SQL and quoting cannot change its meaning."""
    if not _PLAIN_NAME.fullmatch(name):
        raise RoleSetupError(cause=(
            f"{name!r} is not a plain PostgreSQL name: letters, digits, _ and $, "
            "not starting with a digit, at most 63 characters"
        ))
    return f'"{name}"'


def app_role_statements(*, role: str, schema: str, owner: str) -> list[str]:
    """GRANT and REVOKE statements that leave ``role`` with exactly the app's rights in
    ``schema``, whatever it held before: running them again converges to the same state.

    Default privileges cover the tables that later migrations (run as ``owner``) create;
    the audit trail's restriction is applied after the broad grant on every run.
    """
    app, space, migrator = quoted_name(role), quoted_name(schema), quoted_name(owner)
    defaults = f"ALTER DEFAULT PRIVILEGES FOR ROLE {migrator} IN SCHEMA {space}"
    return [
        f"REVOKE ALL ON SCHEMA {space} FROM {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {space} FROM {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {space} FROM {app}",
        f"GRANT USAGE ON SCHEMA {space} TO {app}",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {space} TO {app}",
        f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA {space} TO {app}",
        f"REVOKE UPDATE, DELETE ON {space}.{AUDIT_TABLE} FROM {app}",
        f"REVOKE SELECT, UPDATE ON SEQUENCE {space}.{AUDIT_SEQUENCE} FROM {app}",
        f"REVOKE INSERT, UPDATE, DELETE ON {space}.{VERSION_TABLE} FROM {app}",
        f"{defaults} GRANT {TABLE_RIGHTS} ON TABLES TO {app}",
        f"{defaults} GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {app}",
    ]


def grant_app_role(engine: Engine, *, role: str, schema: str | None = None) -> AppRoleGrant:
    """Apply ``app_role_statements`` in one transaction, connected as the owner role.

    ``schema`` defaults to the connection's current schema (its ``search_path``). Refused,
    with the reason, for a store that is not PostgreSQL or not migrated, a role that does
    not exist, and a role that would not be restricted (a superuser, or the owner itself).
    """
    quoted_name(role)
    if engine.dialect.name != "postgresql":
        raise RoleSetupError(cause=(
            f"roles and grants are PostgreSQL's; DATABASE_URL is {redacted(str(engine.url))}"
        ))
    check_connection(engine)
    with engine.begin() as connection:
        schema = schema or connection.execute(text("SELECT current_schema()")).scalar_one()
        quoted_name(schema)
        owner = _owner_of_the_store(connection, schema)
        _refuse_unrestrictable(connection, role, owner)
        for statement in app_role_statements(role=role, schema=schema, owner=owner):
            connection.exec_driver_sql(statement)
    return AppRoleGrant(role=role, schema=schema, owner=owner)


def _owner_of_the_store(connection: Connection, schema: str) -> str:
    """The role that ran the migrations (it owns the audit table); it must be us."""
    owner = connection.execute(
        text("SELECT tableowner FROM pg_tables WHERE schemaname = :schema AND tablename = :table"),
        {"schema": schema, "table": AUDIT_TABLE},
    ).scalar()
    if owner is None:
        raise RoleSetupError(cause=(
            f"schema {schema!r} holds no migrated store: run `manage.py migrate` as the owner "
            "role first"
        ))
    may_act_as_owner = connection.execute(
        text("SELECT current_user, pg_has_role(current_user, :owner, 'USAGE')"), {"owner": owner}
    ).one()
    if not may_act_as_owner[1]:
        raise RoleSetupError(cause=(
            f"connected as {may_act_as_owner[0]!r}, but the store belongs to {owner!r}: "
            "use the owner role's DATABASE_URL"
        ))
    return owner


def _refuse_unrestrictable(connection: Connection, role: str, owner: str) -> None:
    found = connection.execute(
        text("SELECT rolsuper, pg_has_role(rolname, :owner, 'MEMBER') FROM pg_roles "
             "WHERE rolname = :role"),
        {"role": role, "owner": owner},
    ).one_or_none()
    if found is None:
        raise RoleSetupError(cause=f"role {role!r} does not exist: create it first")
    is_superuser, acts_as_owner = found
    if is_superuser:
        raise RoleSetupError(cause=(
            f"role {role!r} is a superuser, which no grant restricts: give the app an "
            "ordinary role"
        ))
    if acts_as_owner:
        raise RoleSetupError(cause=(
            f"role {role!r} is, or may become, the owner {owner!r}, which may drop the "
            "audit triggers: give the app a role of its own"
        ))

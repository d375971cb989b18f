"""Database-level guard for the audit log (SECURITY.md row 20).

PostgreSQL: a trigger refuses every UPDATE, and every DELETE except the
retention purge (which sets ``shequ.audit_purge`` for its transaction) of rows
older than the legal minimum of 180 days. TRUNCATE needs table ownership,
which the production application role must not have (docs/operations.md).

SQLite (the embedded development default): a trigger refuses UPDATE. DELETE
is left to the application, because Django's test flush empties tables with
DELETE on SQLite.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION shequ_audit_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('shequ.audit_purge', true) = 'on'
     AND OLD."timestamp" < now() - interval '180 days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'core_auditentry is append-only: %% refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_guard
  BEFORE UPDATE OR DELETE ON core_auditentry
  FOR EACH ROW EXECUTE FUNCTION shequ_audit_guard();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS core_auditentry_guard ON core_auditentry;
DROP FUNCTION IF EXISTS shequ_audit_guard();
"""
SQLITE_UP = """
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only: UPDATE refused'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS core_auditentry_no_update;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]

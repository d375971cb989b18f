"""Striped audit hash chains (``AuditEntry.chain``, services.audit).

On SQLite, adding the column rebuilds the table and drops its append-only
trigger, so the trigger of 0002 is put back afterwards."""

from importlib import import_module

from django.db import migrations, models

GUARD = import_module("shequ.core.migrations.0002_audit_guard")


def reinstall_sqlite_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(GUARD.SQLITE_DOWN)
        schema_editor.execute(GUARD.SQLITE_UP)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_approval_kind_full_export"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["chain", "-id"], name="core_audit_chain_head"),
        ),
        migrations.RunPython(reinstall_sqlite_guard, migrations.RunPython.noop),
    ]

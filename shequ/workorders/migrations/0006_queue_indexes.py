"""The work queues' index: open cases by area path (docs/performance.md).

On PostgreSQL the index also carries the deadline columns (INCLUDE), so that
"overdue now" under an area is an index-only scan; SQLite has no INCLUDE, so
the model declares the plain partial index and this migration adds the
covering variant on PostgreSQL only."""

from django.db import migrations, models

COLUMNS = '"state", "created_at", "resolve_by", "respond_by", "responded_at", "paused_at"'
COVERING = (
    'CREATE INDEX "workorders_open_path" ON "workorders_workorder" '
    f'("area_path" varchar_pattern_ops) INCLUDE ({COLUMNS}) WHERE NOT ("state" = \'closed\')'
)
PLAIN = (
    'CREATE INDEX "workorders_open_path" ON "workorders_workorder" '
    '("area_path" varchar_pattern_ops) WHERE NOT ("state" = \'closed\')'
)


def covering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "workorders_open_path"')
        schema_editor.execute(COVERING)


def plain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "workorders_open_path"')
        schema_editor.execute(PLAIN)


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0005_flow_features"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="workorder",
            index=models.Index(
                condition=models.Q(("state", "closed"), _negated=True),
                fields=["area_path"],
                name="workorders_open_path",
                opclasses=["varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(covering, plain),
    ]

"""Copy the registry's and the work orders' idempotency keys into core's one
table (before the old tables are dropped), so a client retrying across the
upgrade still gets its first answer back."""

import json

from django.db import migrations

OPEN311_PREFIX = "open311:"


def copy(apps, schema_editor):
    Record = apps.get_model("core", "IdempotencyRecord")
    rows = []
    try:
        Old = apps.get_model("registry", "IdempotencyRecord")
    except LookupError:
        Old = None
    if Old is not None:
        for old in Old.objects.all().iterator():
            rows.append(
                Record(
                    user_id=old.user_id,
                    endpoint=old.endpoint,
                    key=old.key,
                    request_hash=old.request_hash,
                    status=old.status,
                    response=json.dumps(old.response),
                    created_at=old.created_at,
                )
            )
    try:
        Key = apps.get_model("workorders", "IdempotencyKey")
    except LookupError:
        Key = None
    if Key is not None:
        for old in Key.objects.all().iterator():
            open311 = old.key.startswith(OPEN311_PREFIX)
            rows.append(
                Record(
                    user_id=old.user_id,
                    endpoint="open311.create" if open311 else "workorders.create",
                    key=old.key.removeprefix(OPEN311_PREFIX),
                    request_hash=old.request_hash,
                    status=201,
                    response=old.response,
                    created_at=old.created_at,
                )
            )
    Record.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_idempotency_record"),
        ("registry", "0005_pinyin_prefix_index"),
        ("workorders", "0003_attachments"),
    ]

    operations = [migrations.RunPython(copy, migrations.RunPython.noop)]

"""Migration core 0008 copies the registry's and the work orders' old
idempotency keys into core's one table before the old tables go."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("core", "0007_idempotency_record"),
    ("registry", "0005_pinyin_prefix_index"),
    ("workorders", "0003_attachments"),
]
AFTER = [
    ("core", "0008_copy_idempotency_keys"),
    ("registry", "0006_drop_idempotency_record"),
    ("workorders", "0004_drop_idempotency_key"),
]


@pytest.mark.django_db(transaction=True)
def test_old_keys_are_copied_with_their_endpoint():
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        User = apps.get_model("core", "User")
        user = User.objects.create(username="old-client", kind="staff")
        apps.get_model("registry", "IdempotencyRecord").objects.create(
            user=user,
            endpoint="household_new",
            key="k1",
            request_hash="a" * 64,
            status=201,
            response={"id": 7},
        )
        Key = apps.get_model("workorders", "IdempotencyKey")
        Key.objects.create(user=user, key="k2", request_hash="b" * 64, response='{"id": 8}')
        Key.objects.create(user=user, key="open311:k3", request_hash="c" * 64, response="GD-1")
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        rows = apps.get_model("core", "IdempotencyRecord").objects.order_by("key")
        assert [(r.endpoint, r.key, r.response) for r in rows] == [
            ("household_new", "k1", '{"id": 7}'),
            ("workorders.create", "k2", '{"id": 8}'),
            ("open311.create", "k3", "GD-1"),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

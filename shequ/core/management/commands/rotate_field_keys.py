"""Re-encrypt personal data under the current field key (SECURITY.md row 22).

Rotation, step by step (also in the docstring of ``shequ.core.crypto``):

1. Generate a key: ``python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"``.
2. Put it first in ``SHEQU_FIELD_KEYS`` with a new version, keeping the old
   ones after it ("2:new,1:old"), and restart the app servers: new writes use
   version 2, old rows still decrypt.
3. Run ``manage.py rotate_field_keys``. It rewrites only rows still under an
   older version, in batches, so it can be interrupted and run again.
4. When it reports 0 rows, drop the old key from ``SHEQU_FIELD_KEYS``.

Every ``EncryptedTextField`` of every model is covered (``crypto.encrypted_fields``):
the resident's ID, mobile, other phone and document numbers, and any field
added later. Blind indexes do not change: they use ``SHEQU_BLIND_INDEX_KEY``,
not the field keys.
"""

from django.core.management.base import BaseCommand

from shequ.core.choices import AuditEvent
from shequ.core.crypto import current_key_version, encrypted_fields, reencrypt_model_field
from shequ.core.services.audit import audit_record


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the first key of SHEQU_FIELD_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction")

    def handle(self, *args, **options):
        version = current_key_version()
        total = 0
        counts = {}
        for model, field in encrypted_fields():
            changed = reencrypt_model_field(model, field, batch=options["batch"])
            counts[f"{model._meta.label_lower}.{field.name}"] = changed
            total += changed
            self.stdout.write(
                f"{model._meta.label_lower}.{field.name}: {changed} rows re-encrypted"
            )
        audit_record(
            event=AuditEvent.UPDATE,
            object_type="core.field_key",
            object_id=str(version),
            object_repr=f"field key version {version}",
            actor_username="manage.py rotate_field_keys",
            detail={"rotated": counts},
        )
        self.stdout.write(f"done: {total} rows now under key version {version}")

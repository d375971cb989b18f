from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyRecord(models.Model):
    """One create sent with an ``Idempotency-Key`` (a household, a resident, a
    work order, an Open311 request…): a phone that retries after a dropped
    connection gets the first answer again instead of a second record. The key
    is the client's, per user and endpoint; the hash is of the request body;
    ``response`` is the first answer's text, replayed byte for byte.
    Written and read only by ``shequ.core.idempotency``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=100)
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=201)
    response = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "endpoint", "key"], name="core_idempotency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.choices import AuditEvent


class AuditEntry(models.Model):
    """One line of the append-only audit log (审计日志): who, in which role,
    when, from where, did what to which object, and whether it succeeded.

    Rows are only ever inserted (``services.audit``); PostgreSQL and SQLite
    triggers refuse UPDATE and refuse DELETE of rows younger than the legal
    minimum retention. Each row carries the hash of the previous row of its
    ``chain``, so an edit made behind the application's back is found by
    ``audit_verify``. Several chains (``SHEQU_AUDIT_CHAINS``) let concurrent
    transactions write audit lines without waiting for each other's commit.
    """

    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraint: users are never deleted, and the log must never
    # be touched by a cascade.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    actor_roles = models.CharField(max_length=255, blank=True)
    event_type = models.CharField(
        _("事件类型"), max_length=32, choices=AuditEvent.choices, db_index=True
    )
    object_type = models.CharField(max_length=64, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    area_path = models.CharField(max_length=255, blank=True, db_index=True)
    outcome = models.BooleanField(default=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # Which hash chain the row belongs to (0 on SQLite and for rows written
    # before chains were striped); see services.audit.
    chain = models.PositiveSmallIntegerField(default=0, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["chain", "-id"], name="core_audit_chain_head")]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.event_type}"

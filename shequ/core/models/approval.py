from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApprovalRequest(models.Model):
    """A sensitive change waiting for a second person (maker-checker, 双人复核):
    today, granting a separated role (administrator, auditor, security
    administrator) or any role over a whole city or district. The requester
    can never approve their own request; a request expires unused.
    """

    class Kind(models.TextChoices):
        ROLE_GRANT = "role_grant", _("授予角色")
        # Filed by the registry (shequ.registry.full_export); core only labels it.
        REGISTRY_FULL_EXPORT = "registry_full_export", _("完整信息导出")

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        EXPIRED = "expired", _("已过期")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    payload = models.JSONField(default=dict)
    summary = models.CharField(max_length=200)
    area_path = models.CharField(max_length=255, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("审批申请")
        verbose_name_plural = _("审批申请")

    def __str__(self) -> str:
        return self.summary

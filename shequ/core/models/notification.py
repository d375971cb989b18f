from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message in a user's in-app inbox (a case assigned, a claim, a
    reminder, an overdue case, a whistle call, a resolution, a rating). The
    inbox is the record; email and SMS copies are sent from it by the
    configured senders. Texts never carry ID or phone numbers. Written only
    by ``shequ.core.notifications.notify``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=32)
    title = models.CharField(_("标题"), max_length=120)
    body = models.CharField(_("内容"), max_length=500, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="core_notification_unread"),
            models.Index(fields=["user", "-created_at"], name="core_notification_inbox"),
        ]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")

    def __str__(self) -> str:
        return self.title

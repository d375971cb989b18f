"""A resident's move from one community to another (跨社区迁移).

One ID number is one resident across the installation, so a person who moves
from community A to community B keeps their record: A releases them (push) or
B asks for them (pull), the other side accepts, and the same row moves into
B's household with its timeline. Written only by ``services_transfer``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area
from shequ.registry.choices import Relation, TransferDirection, TransferState

# A request nobody decided within this many days lapses (checked when read or decided).
TRANSFER_DAYS = 14


def _expiry():
    return timezone.now() + timedelta(days=TRANSFER_DAYS)


class ResidentTransfer(models.Model):
    """A request to move one resident between households of two communities.

    Each side sees it in its own list: the old community (``from_*``) and the
    new one (``to_*``); a third community sees nothing. Until it is accepted
    the new community learns only the person's masked name and the old
    community's name; the old community learns only the new community's
    name and the building and room. Rows are never deleted: a decided,
    cancelled or lapsed request stays as the history of the move.
    """

    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("居民"),
    )
    from_household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("原住户")
    )
    to_household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("迁入户")
    )
    from_community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("迁出社区")
    )
    to_community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("迁入社区")
    )
    # Area paths of the two households, so each side's list is one prefix match.
    from_path = models.CharField(max_length=255, db_index=True, editable=False)
    to_path = models.CharField(max_length=255, db_index=True, editable=False)
    direction = models.CharField(_("发起方"), max_length=8, choices=TransferDirection.choices)
    state = models.CharField(
        _("状态"), max_length=12, choices=TransferState.choices, default=TransferState.PENDING
    )
    relation_to_head = models.CharField(
        _("迁入后与户主关系"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    reason = models.CharField(_("迁移原因"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_expiry)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)

    # The audit log files a transfer under the old community; lists use both paths.
    scope_path_field = "from_path"

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # A resident has at most one open request: the second answers "already pending".
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(state="pending"),
                name="registry_transfer_one_pending",
            )
        ]
        verbose_name = _("跨社区迁移")
        verbose_name_plural = _("跨社区迁移")

    def __str__(self) -> str:
        return f"{self.from_community_id}→{self.to_community_id} #{self.pk}"

    @property
    def is_lapsed(self) -> bool:
        """Pending past its deadline: shown and treated as expired."""
        return self.state == TransferState.PENDING and self.expires_at <= timezone.now()

    @property
    def effective_state(self) -> str:
        return TransferState.EXPIRED if self.is_lapsed else self.state

    def get_effective_state_display(self) -> str:
        return str(TransferState(self.effective_state).label)

    @property
    def deciding_path(self) -> str:
        """The side that accepts or rejects: the other one from the requester's."""
        return self.from_path if self.direction == TransferDirection.PULL else self.to_path

    @property
    def requesting_path(self) -> str:
        return self.to_path if self.direction == TransferDirection.PULL else self.from_path

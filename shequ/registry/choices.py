"""Enumerations of the registry: gender, residence type, living status, relation to the head."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class ResidenceType(models.TextChoices):
    """户籍人口 / 流动人口 / 境外人员."""

    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")
    FOREIGN = "foreign", _("境外人员")


class LivingStatus(models.TextChoices):
    """常住 / 空挂 (registered here, living elsewhere) / 出租 (the home is let)."""

    LIVING = "living", _("常住")
    ABSENT = "absent", _("空挂")
    RENTED = "rented", _("出租")


class Relation(models.TextChoices):
    """与户主关系."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    TENANT = "tenant", _("租户")
    OTHER = "other", _("其他")


class SecurityLabel(models.TextChoices):
    """Labels of sensitive key-population kinds; each needs its clearance (registry/labels.py)."""

    HEALTH = "health", _("健康")
    DISABILITY = "disability", _("残疾")
    ASSISTANCE = "assistance", _("社会救助（低保、特困、低收入）")


class Action:
    """The registry's role actions (granted in ``apps.py``)."""

    VIEW = "registry.view"
    CHANGE = "registry.change"
    REVEAL = "registry.reveal"  # see full ID and mobile numbers, per record, with a reason
    RESTORE = "registry.restore"  # bring back removed records (community staff)
    # Ask for, approve (not one's own) and download a full, unmasked export (full_export.py).
    EXPORT_FULL = "registry.export_full"
    # Move a resident to or from another community (services_transfer.py): community staff.
    TRANSFER = "registry.transfer"


class TransferDirection(models.TextChoices):
    """Who started a transfer between communities (跨社区迁移)."""

    PUSH = "push", _("迁出社区发起")  # the old community releases the person
    PULL = "pull", _("迁入社区申请")  # the new community asks for the person


class TransferState(models.TextChoices):
    PENDING = "pending", _("待对方确认")
    ACCEPTED = "accepted", _("已迁移")
    REJECTED = "rejected", _("已拒绝")
    CANCELLED = "cancelled", _("已撤回")
    EXPIRED = "expired", _("已过期")

"""Enumerations of the volunteers app and its role actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action:
    """The app's role actions (granted in ``apps.py``)."""

    VIEW = "volunteers.view"  # rosters, activities, hours, duty, five forces
    MANAGE = "volunteers.manage"  # confirm members, run activities, confirm hours, rewards
    SERVE = "volunteers.serve"  # sign up, check in, redeem: the volunteer's own page
    CONFIGURE = "volunteers.configure"  # points, duty and star-level rules


class PartyMemberStatus(models.TextChoices):
    PENDING = "pending", _("待社区确认")
    CONFIRMED = "confirmed", _("已报到")


class GroupKind(models.TextChoices):
    SERVICE = "service", _("志愿服务队")
    EMERGENCY = "emergency", _("应急小组")


class OrganizationStatus(models.TextChoices):
    REGISTERED = "registered", _("登记")
    FILED = "filed", _("备案")


class CertificateLevel(models.TextChoices):
    NONE = "none", _("无证书")
    ASSISTANT = "assistant", _("助理社会工作师")
    SOCIAL_WORKER = "social_worker", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")


class BuildingPost(models.TextChoices):
    LEADER = "leader", _("楼长")
    INFORMATION = "information", _("信息员")
    SUPPORT = "support", _("保障员")
    ALLEY_STEWARD = "alley_steward", _("小巷管家")


class OrganizerKind(models.TextChoices):
    COMMUNITY = "community", _("社区")
    ORGANIZATION = "organization", _("社会组织")
    GROUP = "group", _("志愿服务队")


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补")
    CANCELLED = "cancelled", _("已取消")


class RecordSource(models.TextChoices):
    ACTIVITY = "activity", _("志愿活动")
    ORDER = "order", _("服务工单")


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")


class PointReason(models.TextChoices):
    HOURS = "hours", _("服务时长")
    ACTIVITY = "activity", _("参加活动")
    ORDER = "order", _("完成服务单")
    CORRECTION = "correction", _("时长更正")
    REDEMPTION = "redemption", _("兑换礼品")
    REFUND = "refund", _("兑换取消退回")


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", _("待领取")
    HANDED_OVER = "handed_over", _("已领取")
    CANCELLED = "cancelled", _("已取消")


class ResourceKind(models.TextChoices):
    FUND = "fund", _("慈善资金")
    GOODS = "goods", _("物资")
    SERVICE = "service", _("服务资源")

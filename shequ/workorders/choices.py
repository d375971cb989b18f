"""Enumerations of the work-order engine: kinds, channels, triage classes,
handler types, states and timeline entry kinds, and the app's role actions."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    """Incidents, service orders and hotline tickets share one model and one state machine."""

    INCIDENT = "incident", pgettext_lazy("work order kind", "事件")
    SERVICE_ORDER = "service_order", _("服务点单")
    HOTLINE = "hotline", _("12345热线")


class Channel(models.TextChoices):
    GRID_REPORT = "grid_report", _("网格上报")
    PORTAL = "portal", _("居民端")
    FRONT_DESK = "front_desk", _("窗口受理")
    HOTLINE = "hotline", _("热线")
    API = "api", _("接口")


class TriageClass(models.TextChoices):
    """三事分流: major for departments, minor for the community, private for the resident."""

    MAJOR = "major", _("大事")
    MINOR = "minor", _("小事")
    PRIVATE = "private", _("私事")


class HandlerType(models.TextChoices):
    """Who a category's cases usually go to once triaged."""

    GRID = "grid", _("网格员")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("职能部门")
    POOL = "pool", _("党员志愿者认领")


class State(models.TextChoices):
    REPORTED = "reported", _("已受理")
    TRIAGED = "triaged", _("已分流")
    DISPATCHED = "dispatched", _("已派单")
    POOLED = "pooled", _("待认领")
    CLAIMED = "claimed", _("已认领")
    IN_PROGRESS = "in_progress", _("处置中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已关闭")
    REOPENED = "reopened", _("已重新打开")


OPEN_STATES = frozenset(set(State.values) - {State.CLOSED})


class EntryKind(models.TextChoices):
    """What a timeline entry records."""

    CREATED = "created", _("受理")
    TRIAGED = "triaged", _("分流")
    RECLASSED = "reclassed", _("重新分类")
    DISPATCHED = "dispatched", _("派单")
    POOLED = "pooled", _("放入认领池")
    CLAIMED = "claimed", _("认领")
    RELEASED = "released", _("退回认领池")
    STARTED = "started", _("开始处置")
    NOTE = "note", _("进展")
    RESOLVED = "resolved", _("办结")
    CLOSED = "closed", _("关闭")
    RATED = "rated", _("评价")
    REOPENED = "reopened", _("重新打开")
    HANDED_OFF = "handed_off", _("转交")
    ESCALATED = "escalated", _("超时升级")
    UPDATED = "updated", _("修改内容")
    PAUSED = "paused", _("暂停计时")
    RESUMED = "resumed", _("恢复计时")
    WHISTLED = "whistled", _("吹哨")
    WHISTLE_ACKNOWLEDGED = "whistle_ack", _("部门报到")
    WHISTLE_REPORTED = "whistle_report", _("部门反馈")
    WHISTLE_LATE = "whistle_late", _("报到超时")
    CLAIM_EXPIRED = "claim_expired", _("认领超时退回")
    MERGED = "merged", _("合并")


class DispatchTarget(models.TextChoices):
    GRID = "grid", _("网格员")
    DEPARTMENT = "department", _("职能部门")
    POOL = "pool", _("认领池")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("社区")
    STREET = 1, _("街道")
    DISTRICT = 2, _("区")


class Action:
    """The app's role actions (granted in ``apps.py``)."""

    REPORT = "workorders.report"
    VIEW = "workorders.view"
    TRIAGE = "workorders.triage"
    DISPATCH = "workorders.dispatch"
    CLAIM = "workorders.claim"
    HANDLE = "workorders.handle"
    WHISTLE = "workorders.whistle"  # summon departments to a case (吹哨)
    RECEPTION = "workorders.reception"  # the front desk's reception log
    GUIDANCE = "workorders.guidance"  # edit guidance templates for private matters
    CONFIGURE = "workorders.configure"  # the category catalog and department directory
    HOTLINE_IMPORT = "workorders.hotline_import"  # import 12345 tickets from a file
    MERGE = "workorders.merge"  # merge near-duplicates

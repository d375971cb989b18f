"""The engine's working records around a case: whistle calls to departments
(吹哨报到), the front desk's reception log (首问接待) and the guidance
templates for private matters. Imported into ``models`` so the app's models
stay in one namespace."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area


class WhistleCall(models.Model):
    """吹哨报到: the community summons a department to a case. The department
    acknowledges within the call's deadline (late ones climb to the street
    office) and reports what it did; the calls of a case are its joint-handling
    record. Changed only by ``services.whistle``."""

    order = models.ForeignKey(
        "workorders.WorkOrder", on_delete=models.PROTECT, related_name="whistles"
    )
    department = models.ForeignKey(
        "workorders.Department",
        on_delete=models.PROTECT,
        related_name="whistles",
        verbose_name=_("职能部门"),
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    summoned_at = models.DateTimeField(_("吹哨时间"), default=timezone.now)
    note = models.CharField(_("吹哨说明"), max_length=500, blank=True)
    acknowledge_by = models.DateTimeField(_("报到时限"))
    acknowledged_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report = models.TextField(_("处置情况"), max_length=2000, blank=True)
    reported_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the acknowledgement came late (or not at all) and the street
    # office was told.
    escalated_at = models.DateTimeField(_("超时上报街道"), null=True, blank=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["summoned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "department"],
                condition=models.Q(reported_at__isnull=True),
                name="workorders_whistle_open_unique",
            )
        ]
        indexes = [models.Index(fields=["department", "reported_at"], name="workorders_whistle_q")]
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")

    def __str__(self) -> str:
        return f"{self.order_id} → {self.department_id}"

    @property
    def status(self) -> str:
        if self.reported_at:
            return "reported"
        if self.acknowledged_at:
            return "acknowledged"
        return "pending"

    @property
    def status_label(self) -> str:
        return {
            "reported": _("已反馈"),
            "acknowledged": _("已报到"),
            "pending": _("待报到"),
        }[self.status]

    @property
    def is_late(self) -> bool:
        done = self.acknowledged_at or timezone.now()
        return done > self.acknowledge_by


class Visit(models.TextChoices):
    CONSULTED = "consulted", _("咨询已答复")
    CASE_OPENED = "case_opened", _("已受理为工单")
    REFERRED = "referred", _("已引导至其他窗口")
    OTHER = "other", _("其他")


class ReceptionLog(models.Model):
    """One visitor at a community's front desk (首问接待): recorded whether or
    not a case was opened. The receiving worker is the first contact; when a
    case is opened, they own it until a recorded hand-off. Holds no contact
    data: a form of address and what was asked."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("接待窗口所在区域")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("首问接待人"),
    )
    received_at = models.DateTimeField(_("接待时间"), default=timezone.now, db_index=True)
    visitor = models.CharField(_("来访人称呼"), max_length=30, blank=True)
    subject = models.CharField(_("来访事由"), max_length=200)
    outcome = models.CharField(_("接待结果"), max_length=16, choices=Visit.choices)
    note = models.CharField(_("答复或去向"), max_length=500, blank=True)
    order = models.ForeignKey(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("工单"),
    )

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("窗口接待记录")
        verbose_name_plural = _("窗口接待记录")

    def __str__(self) -> str:
        return self.subject


class GuidanceTemplate(models.Model):
    """Editable wording for closing a private matter with guidance to the
    resident (私事: how to settle it themselves, where to turn), optionally
    for one category."""

    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("指导意见"), max_length=2000)
    category = models.ForeignKey(
        "workorders.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("适用类别"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("私事指导模板")
        verbose_name_plural = _("私事指导模板")

    def __str__(self) -> str:
        return self.title


class DailyNumber(models.Model):
    """The last case number drawn on one day ("20261122" → 37 gives
    "GD-20261122-0037") where the day has no PostgreSQL sequence (SQLite, or
    before the clock tick made it): ``services.numbering.next_number`` moves
    it with one atomic upsert, so two intakes at the same instant never draw
    the same number."""

    day = models.CharField(_("日期"), max_length=8, primary_key=True)
    counter = models.PositiveIntegerField(_("当日最后编号"))

    class Meta:
        verbose_name = _("工单日编号")
        verbose_name_plural = _("工单日编号")

    def __str__(self) -> str:
        return f"{self.day}: {self.counter}"

"""The field app's data: visit rules, visits and what they found, ledger change
proposals, instructions and work logs.

Every row carries ``area_path`` (the household's, or the grid's) so scoping
is one indexed prefix match. Writes go through ``services``; reads through
``selectors``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.crypto import EncryptedTextField, mask_mobile
from shequ.core.models import Area


class VisitRule(models.Model):
    """How often a household with someone of a key population must be visited
    (独居老人每周、空巢老人和残疾人每两周、留守儿童和低收入户每月). The row
    without a tag is the floor for every household: at least once each
    calendar month. Configuration is data; defaults come from migration 0002."""

    tag = models.OneToOneField(
        "registry.KeyPopulationTag",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("重点人群类别"),
    )
    interval_days = models.PositiveSmallIntegerField(_("走访间隔（天）"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["interval_days", "id"]
        verbose_name = _("走访频次规则")
        verbose_name_plural = _("走访频次规则")

    def __str__(self) -> str:
        return f"{self.tag or _('所有住户')}: {self.interval_days}"


class Outcome(models.TextChoices):
    MET = "met", _("见到本人或家人")
    NOBODY = "nobody", _("无人在家")


class Visit(models.Model):
    """A door-to-door visit (走访) by a grid worker or building team: who was
    met, the must-contact and must-know checklists (四必联、四必掌握), notes,
    photos, and the needs found. ``client_id`` is the phone's idempotency key:
    a retried upload returns this row again instead of a second visit.

    ``visited_at`` is the server's estimate (the phone's clock corrected by
    the offset seen at upload); ``client_time`` is what the phone said."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("户")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("走访人"),
    )
    visited_at = models.DateTimeField(_("走访时间"), db_index=True)
    client_time = models.CharField(_("手机报告的时间"), max_length=40, blank=True)
    recorded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    outcome = models.CharField(_("走访结果"), max_length=16, choices=Outcome.choices)
    met = models.CharField(_("见到的人"), max_length=100, blank=True)
    must_contact = models.JSONField(_("四必联"), default=list, blank=True)
    must_know = models.JSONField(_("四必掌握"), default=list, blank=True)
    notes = models.TextField(_("走访记录"), max_length=2000, blank=True)
    household_version = models.PositiveIntegerField(null=True, blank=True)
    changed_meanwhile = models.BooleanField(_("离线期间该户信息有变化"), default=False)
    client_id = models.UUIDField()
    request_hash = models.CharField(max_length=64)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "client_id"], name="field_visit_client_id")
        ]
        indexes = [models.Index(fields=["area_path", "visited_at"], name="field_visit_path_time")]
        verbose_name = _("走访")
        verbose_name_plural = _("走访")

    def __str__(self) -> str:
        return f"{self.household} {timezone.localtime(self.visited_at):%Y-%m-%d}"


class VisitPhoto(models.Model):
    """A photo taken on a visit: re-encoded on arrival, so no EXIF (GPS, phone
    model) is kept; served only through the scoped view."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    storage_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.storage_name


class Need(models.Model):
    """A need found on a visit (a repair, help for an elderly neighbour, a
    dispute lead). One tap turns it into a service order or an incident of the
    work-order engine; ``workorder`` then points to the case."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="needs")
    description = models.CharField(_("需求"), max_length=500)
    workorder = models.OneToOneField(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("工单"),
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["id"]
        verbose_name = _("走访发现的需求")
        verbose_name_plural = _("走访发现的需求")

    def __str__(self) -> str:
        return self.description[:40]


class ProposalKind(models.TextChoices):
    NEW_MEMBER = "new_member", _("新增成员")
    MOVED_OUT = "moved_out", _("成员迁出")
    PHONE_CHANGED = "phone_changed", _("手机号变更")


class ProposalState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class LedgerChangeProposal(models.Model):
    """A change to the ledger a grid worker saw at the door (a new member, one
    moved out, a new phone number), proposed for a community worker to approve
    or reject. Approval applies it through the registry's services; a household
    or resident changed since the worker saw it is a conflict the approver
    sees, never silently overwritten."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("户")
    )
    resident = models.ForeignKey(
        "registry.Resident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("居民"),
    )
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals"
    )
    kind = models.CharField(_("变更类型"), max_length=16, choices=ProposalKind.choices)
    # Ordinary values only (a name, a gender, a destination); never a number.
    data = models.JSONField(_("内容"), default=dict, blank=True)
    new_mobile = EncryptedTextField(_("新手机号"), null=True, blank=True)
    household_version = models.PositiveIntegerField(null=True, blank=True)
    resident_version = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(
        _("状态"),
        max_length=16,
        choices=ProposalState.choices,
        default=ProposalState.PENDING,
        db_index=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提出人"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"
    audit_exclude = ("new_mobile",)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("台账变更申请")
        verbose_name_plural = _("台账变更申请")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.household}"

    @property
    def new_mobile_masked(self) -> str:
        return mask_mobile(self.new_mobile)


class Instruction(models.Model):
    """A work instruction (工作指令) sent down by a community or street to grid
    workers: what to do, by when, with an optional checklist."""

    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发出人"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("发往区域")
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"), max_length=2000, blank=True)
    checklist = models.JSONField(_("清单"), default=list, blank=True)
    deadline = models.DateTimeField(_("完成时限"))
    created_at = models.DateTimeField(default=timezone.now)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("工作指令")
        verbose_name_plural = _("工作指令")

    def __str__(self) -> str:
        return self.title


class AssignmentState(models.TextChoices):
    SENT = "sent", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    DONE = "done", _("已完成")


class InstructionAssignment(models.Model):
    """One grid worker's copy of an instruction: acknowledged, then completed
    with a report. Overdue when the deadline passed before completion."""

    instruction = models.ForeignKey(
        Instruction, on_delete=models.CASCADE, related_name="assignments"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接收人"),
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=AssignmentState.choices, default=AssignmentState.SENT
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    report = models.TextField(_("完成情况"), max_length=2000, blank=True)
    checked = models.JSONField(_("已完成的清单项"), default=list, blank=True)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["instruction__deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["instruction", "recipient"], name="field_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instruction} → {self.recipient_id}"

    @property
    def is_overdue(self) -> bool:
        deadline = self.instruction.deadline
        if self.state == AssignmentState.DONE:
            return self.completed_at is not None and self.completed_at > deadline
        return deadline < timezone.now()


class WorkLogNote(models.Model):
    """A line a grid worker adds to the day's work log (工作日志), beside what
    the log fills in by itself from the day's visits and instructions.
    ``client_id`` makes an upload from the offline queue idempotent."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("网格员"),
    )
    day = models.DateField(_("日期"), db_index=True)
    text = models.TextField(_("内容"), max_length=2000)
    client_id = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["day", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "client_id"], name="field_lognote_client_id")
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.day}"


class WorkLogComment(models.Model):
    """A supervisor's comment on a grid worker's log of one day."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("点评人"),
    )
    text = models.CharField(_("点评"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.day}"


class FieldReport(models.Model):
    """An incident or a dispute lead a grid worker reported from the street,
    possibly with no signal: the phone's ``client_id`` makes the upload
    idempotent, and the case itself lives in the work-order engine."""

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上报人"),
    )
    workorder = models.OneToOneField(
        "workorders.WorkOrder", on_delete=models.PROTECT, related_name="+", verbose_name=_("工单")
    )
    client_id = models.UUIDField()
    request_hash = models.CharField(max_length=64)
    client_time = models.CharField(_("手机报告的时间"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "client_id"], name="field_report_client_id")
        ]

    def __str__(self) -> str:
        return str(self.workorder_id)


class Outpost(models.Model):
    """Outpost service (驻点服务): community staff set up at an estate or a
    building on fixed weekdays (at least three a week by default, Daye) to
    take residents' consultations, errands and disputes on the spot."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("驻点位置")
    )
    weekdays = models.JSONField(_("驻点日（0=周一）"), default=list)
    hours = models.CharField(_("时段"), max_length=50, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("驻点人员"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["area_path", "id"]
        verbose_name = _("驻点")
        verbose_name_plural = _("驻点")

    def __str__(self) -> str:
        return self.area.name if self.area_id else str(self.pk)


class OutpostServiceKind(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    ERRAND = "errand", _("代办")
    DISPUTE = "dispute", _("纠纷调处")


class OutpostService(models.Model):
    """One thing handled at an outpost: a consultation, an errand or a
    dispute; any of them may become a case in the work-order engine."""

    outpost = models.ForeignKey(Outpost, on_delete=models.PROTECT, related_name="services")
    kind = models.CharField(_("类型"), max_length=16, choices=OutpostServiceKind.choices)
    description = models.CharField(_("事项"), max_length=500)
    workorder = models.OneToOneField(
        "workorders.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("工单"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("记录人"),
    )
    served_at = models.DateTimeField(_("时间"), db_index=True)
    client_id = models.UUIDField()
    request_hash = models.CharField(max_length=64)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-served_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recorded_by", "client_id"], name="field_outpost_service_client_id"
            )
        ]

    def __str__(self) -> str:
        return self.description[:40]

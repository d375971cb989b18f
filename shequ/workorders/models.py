"""The work-order engine's data: the category catalog, the department
directory, work orders and their append-only timelines.

Every state change goes through ``services``; reads through ``selectors``.
A work order carries ``area_path`` (copied from its area) so scoping is one
indexed prefix match, and ``version`` so concurrent edits are detected.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area
from shequ.workorders.choices import (
    Channel,
    EntryKind,
    EscalationLevel,
    HandlerType,
    Kind,
    State,
    TriageClass,
)


class Category(models.Model):
    """A kind of problem or need residents raise (环境卫生, 停车管理, 助老服务…):
    what it applies to, how it is usually triaged and handled, and how long the
    community has to respond and to resolve it. Rows an administrator edits;
    defaults come from the source reports (migration 0002)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    # The kinds this category applies to, e.g. ["incident", "hotline"].
    kinds = models.JSONField(_("适用类型"), default=list)
    default_triage = models.CharField(
        _("默认分流"), max_length=16, choices=TriageClass.choices, default=TriageClass.MINOR
    )
    default_handler = models.CharField(
        _("默认处置方"), max_length=16, choices=HandlerType.choices, default=HandlerType.GRID
    )
    response_hours = models.PositiveIntegerField(_("响应时限（小时）"), default=24)
    resolution_hours = models.PositiveIntegerField(_("办结时限（小时）"), default=72)
    is_active = models.BooleanField(_("启用"), default=True)
    # On-site work (cleaning, clearing a stairwell, a repair) is closed with a
    # photo of the result; a consultation is not.
    requires_photo_on_resolve = models.BooleanField(_("办结须上传现场照片"), default=False)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("工单类别")
        verbose_name_plural = _("工单类别")

    def __str__(self) -> str:
        return self.name

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class Department(models.Model):
    """A government department of a district that handles major matters
    (城管、住建、市场监管…). Its handlers are users holding the
    ``department_handler`` role on the district and listed here."""

    name = models.CharField(_("名称"), max_length=60)
    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属区县")
    )
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="workorder_departments",
        verbose_name=_("处置人员"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["district_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "name"], name="workorders_department_unique"
            )
        ]
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")

    def __str__(self) -> str:
        return self.name


class WorkOrder(models.Model):
    """One tracked case (工单): an incident a grid worker or resident reports, a
    service a resident orders, or a 12345 hotline ticket. It moves through the
    one state machine in ``states``, against the clocks its category sets, and
    ends with the reporter's rating."""

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别")
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("描述"), max_length=4000)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在区域")
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("反映人"),
    )
    reporter_anonymous = models.BooleanField(_("对其他居民匿名"), default=False)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    triage_class = models.CharField(
        _("分流"), max_length=16, choices=TriageClass.choices, blank=True
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.REPORTED, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("首问负责人"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处置人"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("职能部门"),
    )
    respond_by = models.DateTimeField(_("响应时限"), null=True, blank=True)
    resolve_by = models.DateTimeField(_("办结时限"), null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("升级层级"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    rating = models.PositiveSmallIntegerField(
        _("评价"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    # Printed on the reporter's receipt: with the number, it opens the public
    # tracking page (status and public notes only).
    tracking_code = models.CharField(max_length=12, blank=True, editable=False)
    # The clocks stop while the case waits for the resident (paused_at set,
    # with a reason); on resuming, both deadlines move by the time paused.
    paused_at = models.DateTimeField(_("暂停计时"), null=True, blank=True)
    pause_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    response_reminded_at = models.DateTimeField(null=True, blank=True)
    resolve_reminded_at = models.DateTimeField(null=True, blank=True)
    # A near-duplicate merged by staff points to the case that was kept.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        verbose_name=_("并入工单"),
    )
    # The hotline's own ticket number (12345), unique per channel: importing
    # or pushing the same ticket twice finds the first case.
    external_ref = models.CharField(_("外部编号"), max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "state"], name="workorders_path_state"),
            # Work queues and "overdue now" read the open cases under an area:
            # a prefix range scan (pattern ops, as the collation is not C) over
            # the open ones only. On PostgreSQL migration 0006 makes it cover the
            # deadline columns (INCLUDE, which SQLite lacks), so counting overdue
            # cases stays in the index (docs/performance.md).
            models.Index(
                fields=["area_path"],
                name="workorders_open_path",
                opclasses=["varchar_pattern_ops"],
                condition=~models.Q(state=State.CLOSED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="workorders_rating_1_5",
            ),
            models.UniqueConstraint(
                fields=["channel", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="workorders_external_ref_unique",
            ),
        ]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state != State.CLOSED

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def is_overdue_at(self, now) -> bool:
        """The same rule as ``services.deadlines.overdue_condition`` (one
        definition for screens and escalation): open, not paused, and past the
        resolution deadline or, not yet responded to, past the response one."""
        if not self.is_open or self.paused_at is not None:
            return False
        if self.resolve_by is not None and self.resolve_by < now:
            return True
        return self.responded_at is None and self.respond_by is not None and self.respond_by < now

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_at(timezone.now())


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("timeline entries are append-only")

    def delete(self):
        raise TypeError("timeline entries are append-only")


class TimelineEntry(models.Model):
    """One line of a work order's history (who did what, when, with which
    note): typed, append-only, written by the service in the same transaction
    as the change. ``public`` lines are what the reporter sees."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(_("类型"), max_length=16, choices=EntryKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("说明"), blank=True, max_length=4000)
    public = models.BooleanField(_("对反映人可见"), default=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("工单记录")
        verbose_name_plural = _("工单记录")

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("timeline entries are append-only")
        if self.kind not in EntryKind.values:
            raise ValueError(f"unknown timeline entry kind {self.kind!r}")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("timeline entries are append-only")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    VIDEO = "video", _("视频")


class Attachment(models.Model):
    """A photo or short video on a work order (and on the timeline entry it
    came with). The file lives in ``default_storage`` under a private prefix
    with a random name; the user's file name is kept, sanitised, for display
    only. Ingested by ``shequ.workorders.media.ingest`` and nothing else."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="attachments")
    entry = models.ForeignKey(
        TimelineEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("类型"), max_length=8, choices=AttachmentKind.choices)
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    original_name = models.CharField(_("文件名"), max_length=120, blank=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    area_path = models.CharField(max_length=255, db_index=True, editable=False)

    scope_path_field = "area_path"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["uploaded_by", "created_at"], name="workorders_attach_quota")
        ]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name or str(self.pk)


from shequ.workorders.models_extra import (  # noqa: E402,F401
    DailyNumber,
    GuidanceTemplate,
    ReceptionLog,
    WhistleCall,
)
